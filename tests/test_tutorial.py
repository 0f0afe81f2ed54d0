"""The tutorial notebook (a jupytext script) executes from top to bottom."""

from pathlib import Path

import pytest

TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "tutorials" / "walkthrough.py"


@pytest.mark.slow
def test_tutorial_executes(tmp_path):
    import jupytext  # the test extra installs both
    import nbclient
    notebook = jupytext.read(TUTORIAL)
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code"
               for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    # result objects render as HTML in Jupyter
    html = [o for o in outputs if "text/html" in o.get("data", {})]
    assert len(html) >= 5
