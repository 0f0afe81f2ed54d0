"""MkDocs hook: render the math arithmatex marks to MathML at build time.

``pymdownx.arithmatex`` (generic mode) wraps ``\\(...\\)`` in ``<span class="arithmatex">``
and ``\\[...\\]`` / ``$$...$$`` in ``<div class="arithmatex">``. Each is converted here with
latex2mathml, so the site needs no script (MathJax or KaTeX from a CDN) to show equations and
reads offline; browsers render MathML natively. A command latex2mathml does not know is a
build warning (an error under ``--strict``), never raw TeX on the page.
"""

from __future__ import annotations

import html
import re

from latex2mathml.converter import convert
from mkdocs.plugins import get_plugin_logger

log = get_plugin_logger(__name__)

_MARKED = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\s*(?:\\\(|\\\[)(?P<tex>.*?)(?:\\\)|\\\])\s*'
    r"</(?P=tag)>", re.DOTALL)
_UNKNOWN = re.compile(r">(\\[A-Za-z]+)<")


def to_mathml(tex: str, *, block: bool) -> str:
    """MathML of the TeX ``tex`` (display style when ``block``)."""
    return convert(tex.strip(), display="block" if block else "inline")


def on_page_content(html_text: str, page, **kwargs) -> str:
    def replace(match: re.Match) -> str:
        tex = html.unescape(match["tex"])
        mathml = to_mathml(tex, block=match["tag"] == "div")
        for command in _UNKNOWN.findall(mathml):
            log.warning("%s: unknown TeX command %s in %r", page.file.src_uri, command, tex)
        return mathml

    return _MARKED.sub(replace, html_text)
