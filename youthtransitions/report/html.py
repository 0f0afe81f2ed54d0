"""The self-contained ``report.html``: every table and figure of a run, in step order, and
the output-checking section of the run's disclosure log."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path
from typing import Any

from .tables import APA_CSS

__all__ = ["build_report", "alt_text"]

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:70rem;margin:2rem auto;
padding:0 1rem;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.9rem}
th,td{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:right}
th:first-child,td:first-child{text-align:left}
thead th{border-bottom:2px solid #444}
figure{margin:1rem 0 2rem} figcaption{font-size:.9rem;color:#444}
img{max-width:100%} .pass{color:#1a7f37} .fail{color:#cf222e;font-weight:bold}
.meta{font-size:.85rem;color:#555}
"""


def _find(folders: list[Path], name: str | None) -> Path | None:
    if name is None:
        return None
    return next((f / name for f in folders if (f / name).exists()), None)


def alt_text(caption: str) -> str:
    """What a figure shows, for its ``alt`` attribute: the first sentence of its caption.

    Examples
    --------
    >>> alt_text("Wellbeing over the waves: means by tertile. Grey lines are youth.")
    'Wellbeing over the waves: means by tertile.'
    """
    text = " ".join(str(caption).split())
    return re.split(r"(?<=[.!?])\s+(?=[A-Z(])", text, maxsplit=1)[0]


def _figure_html(folders: list[Path], item: dict[str, Any], number: int) -> str:
    png = _find(folders, next((f for f in item["files"] if f.endswith(".png")), None))
    if png is None:
        return ""
    data = base64.b64encode(png.read_bytes()).decode()
    alt = html.escape(alt_text(item["caption"]) or item["name"].replace("_", " "))
    return (f"<figure><img alt=\"{alt}\" src='data:image/png;base64,{data}'>"
            f"<figcaption><b>Figure {number}.</b> {html.escape(item['caption'])}"
            "</figcaption></figure>")


def _table_html(folders: list[Path], item: dict[str, Any]) -> str:
    frag = _find(folders, next((f for f in item["files"] if f.endswith(".html")), None))
    if frag is None:
        return ""
    text = frag.read_text(encoding="utf-8")
    match = re.search(r"<table.*?</table>", text, flags=re.S)
    return match.group(0) if match else ""


def build_report(folders: list[str | Path], manifest: dict[str, Any], *, title: str,
                 intro: str = "", first: list[dict[str, Any]] = (), gate: Any = None) -> str:
    """Assemble the report from the outputs the manifest lists, in step order.

    Files are looked up in ``folders`` in order. ``first`` lists catalog items (tables,
    figures) shown before the steps, such as the replication table. Figures are embedded as
    base64 PNG (numbered in the order shown, their ``alt`` text the caption's first sentence)
    and tables as the APA HTML of their files (numbered when written), so the file stands
    alone (no external links). With the
    run's ``gate``, the report ends with its output-checking section (the disclosure log)
    and, where the output rules apply, does not state the run's seed (it is in the
    manifest).
    """
    folders = [Path(f) for f in folders]
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>{html.escape(title)}</title><style>{_STYLE}{APA_CSS}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>"]
    if intro:
        parts.append(f"<p>{intro}</p>")
    applied = gate.applied if gate is not None else bool(manifest.get("output_rules"))
    meta = ([] if applied else [f"seed {manifest.get('seed')}"]) + [
            "synthetic data" if manifest.get("synthetic") else "study data",
            "output rules applied" if manifest.get("output_rules") else "output rules off",
            f"youthtransitions {manifest.get('versions', {}).get('youthtransitions', '?')}"]
    parts.append(f"<p class='meta'>{html.escape(' · '.join(meta))}</p>")
    figures = 0

    def view(item: dict[str, Any]) -> str:
        nonlocal figures
        if item["kind"] == "table":
            return _table_html(folders, item)
        figures += 1
        return _figure_html(folders, item, figures)

    parts.extend(view(item) for item in first if item["kind"] in ("table", "figure"))
    for step, entry in manifest.get("steps", {}).items():
        items = [i for i in entry.get("catalog", []) if i["kind"] in ("table", "figure")]
        if not items:
            continue
        parts.append(f"<h2>{html.escape(step.replace('_', ' ', 1))}</h2>")
        parts.extend(view(item) for item in items)
    if gate is not None:
        parts.append(gate.log.to_html())
    parts.append("</body></html>")
    return "\n".join(parts)
