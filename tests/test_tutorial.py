"""The tutorial notebook (a jupytext script) executes from top to bottom in a Jupyter
kernel, as the docs build runs it (docs/hooks/notebook.py), and shows what Jupyter users see:
result objects as HTML tables, a figure, a progress bar."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorials" / "walkthrough.py"
pytestmark = pytest.mark.slow


def _hook():
    spec = importlib.util.spec_from_file_location("notebook_hook",
                                                  ROOT / "docs" / "hooks" / "notebook.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def executed():
    import jupytext  # noqa: F401  (the test extra installs all three; a missing one fails)
    import mkdocs  # noqa: F401
    import nbclient  # noqa: F401

    hook = _hook()
    return hook, hook.execute(TUTORIAL)


def _outputs(notebook):
    return [o for cell in notebook.cells if cell.cell_type == "code"
            for o in cell.get("outputs", [])]


def test_tutorial_executes(executed):
    _, notebook = executed
    outputs = _outputs(notebook)
    assert not [o for o in outputs if o.get("output_type") == "error"]
    # result objects (and the study) render as HTML in Jupyter
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert len(html) >= 5
    assert any("validation: passes every rule of the data contract" in h for h in html)
    assert any("image/png" in o.get("data", {}) for o in outputs)


def test_progress_bars_show_in_the_notebook(executed):
    _, notebook = executed
    streams = "".join(o.get("text", "") for o in _outputs(notebook)
                      if o.get("output_type") == "stream" and o.get("name") == "stderr")
    assert "100%" in streams  # tqdm's bar, drawn although stderr is no terminal


def test_rendered_page_has_code_tables_and_figure(executed):
    hook, notebook = executed
    page = hook.render(notebook)
    assert "```python\nimport youthtransitions as yt" in page.replace("%matplotlib inline\n",
                                                                      "")
    assert '<div class="nb-output">' in page and "<table" in page
    assert '<img alt="wellbeing over the three waves' in page
    assert "\r" not in page  # a progress bar shows as its last state
