"""MkDocs hook: execute the tutorial notebook at build time and show it with its outputs.

A page holding the marker ``<!-- notebook: walkthrough.py -->`` gets, in its place, the
jupytext script next to it executed from top to bottom with nbclient: Markdown cells as
Markdown, code cells as Python blocks, and each output as Jupyter shows it (HTML tables,
figures as embedded PNG images, text). A cell that raises stops the build, so the page can
never show stale or failing code. Executed notebooks are kept for the life of the process
(keyed by the script's text), so ``mkdocs serve`` does not rerun the notebook for every edit
of another page.
"""

from __future__ import annotations

import html
import os
import re
import tempfile
from pathlib import Path

from mkdocs.exceptions import PluginError

MARKER = re.compile(r"^<!--\s*notebook:\s*(?P<path>\S+)\s*-->\s*$", re.MULTILINE)
ROOT = Path(__file__).resolve().parents[2]
_EXECUTED: dict[str, object] = {}


def execute(path: str | Path, *, timeout: int = 600):
    """The notebook of the jupytext script ``path``, executed in a scratch folder.

    The repository root goes first on the kernel's ``PYTHONPATH``, so the notebook runs
    the package these docs are built from.
    """
    import jupytext
    import nbclient

    text = Path(path).read_text(encoding="utf-8")
    if text in _EXECUTED:
        return _EXECUTED[text]
    notebook = jupytext.reads(text, fmt="py:percent")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    with tempfile.TemporaryDirectory() as scratch:
        client = nbclient.NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                                         resources={"metadata": {"path": scratch}})
        try:
            client.execute(env=env, cwd=scratch)
        except nbclient.exceptions.CellExecutionError as exc:
            raise PluginError(f"the notebook {path} failed:\n{exc}") from None
    _EXECUTED[text] = notebook
    return notebook


def _fence(text: str, language: str) -> str:
    ticks = "````" if "```" in text else "```"
    return f"{ticks}{language}\n{text.rstrip()}\n{ticks}"


def _alt(cell) -> str:
    """Alt text of a cell's figure: the comment the cell opens with (``# figure: ...``)."""
    words = []
    for line in cell.source.splitlines():
        if not line.startswith("#"):
            break
        words.append(line.lstrip("# ").strip())
    text = " ".join(words).removeprefix("figure:").strip()
    return text or "figure drawn by the code above"


def _output(output, cell) -> str | None:
    kind = output.get("output_type")
    if kind == "stream":
        # a progress bar redraws its line after a carriage return: keep what it ends as
        lines = output.get("text", "").split("\n")
        return _fence("\n".join(line.rsplit("\r", 1)[-1] for line in lines), "text")
    if kind not in ("execute_result", "display_data"):
        return None
    data = output.get("data", {})
    if "application/vnd.jupyter.widget-view+json" in data:
        return None  # a live widget (a progress bar) has nothing to show on a static page
    if "image/png" in data:
        src = "data:image/png;base64," + "".join(data["image/png"].split())
        return (f'<figure class="nb-figure"><img alt="{html.escape(_alt(cell))}" '
                f'src="{src}"></figure>')
    if "text/html" in data:
        return f'<div class="nb-output">\n{data["text/html"].strip()}\n</div>'
    if "text/plain" in data:
        return _fence(data["text/plain"], "text")
    return None


def render(notebook) -> str:
    """Markdown of an executed notebook: its text, code and outputs in order."""
    parts = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
        elif cell.cell_type == "code":
            parts.append(_fence(cell.source, "python"))
            parts.extend(p for o in cell.get("outputs", []) if (p := _output(o, cell)))
    return "\n\n".join(parts) + "\n"


def on_page_markdown(markdown: str, page, **kwargs) -> str:
    folder = Path(page.file.abs_src_path).parent
    return MARKER.sub(lambda m: render(execute(folder / m["path"])), markdown)
