"""Griffe extension: the package's numpydoc docstrings use Sphinx markup, mkdocstrings
renders Markdown. Before rendering, every docstring is rewritten:

- ``:class:`Name``` (and ``:meth:``, ``:func:``, ``:attr:``, ``:mod:``, ``:data:``,
  ``:exc:``, ``:obj:``) becomes a cross reference resolved in the docstring's own scope, as
  Sphinx resolves it; targets that no page documents (private modules, other libraries) are
  optional references, so they render as code instead of failing the strict build;
- ``:math:`x``` becomes ``\\(x\\)`` and a ``.. math::`` block becomes ``\\[ ... \\]``, which
  arithmatex marks and the ``math`` hook renders to MathML at build time.
"""

from __future__ import annotations

import html
import re
import textwrap

import griffe

_ROLE = re.compile(r":(?:py:)?(class|meth|func|attr|mod|data|exc|obj):`(~?)([^`]+)`")
_MATH = re.compile(r":math:`([^`]+)`")
_MATH_BLOCK = re.compile(r"^(?P<indent>[ \t]*)\.\. math::[ \t]*\n(?P<body>(?:(?:(?P=indent)[ \t]+"
                         r"\S.*)?\n)+)", re.MULTILINE)
_TITLED = re.compile(r"^(?P<title>.*?)\s*<(?P<target>[^>]+)>$", re.DOTALL)


def _resolve(obj: griffe.Object, name: str) -> str:
    """The full path ``name`` stands for in ``obj``'s scope (``name`` itself if unknown)."""
    if name.startswith("youthtransitions."):
        return name
    relative = name.startswith(".")
    name = name.lstrip(".")
    head, _, rest = name.partition(".")
    try:
        full = obj.resolve(head)
    except (griffe.NameResolutionError, KeyError, AttributeError):
        module = obj if obj.is_module else obj.module
        base = module.parent if relative and module.parent is not None else module
        return f"{base.path}.{name}" if relative else name
    return f"{full}.{rest}" if rest else full


def _role(obj: griffe.Object, match: re.Match) -> str:
    kind, short, text = match.group(1), match.group(2) == "~", " ".join(match.group(3).split())
    titled = _TITLED.match(text)
    target = titled["target"] if titled else text
    title = titled["title"] if titled else (target.rsplit(".", 1)[-1] if short
                                           else target.lstrip("."))
    if kind in ("meth", "func") and not titled and not title.endswith(")"):
        title += "()"
    identifier = _resolve(obj, target)
    return (f'<autoref identifier="{html.escape(identifier)}" optional>'
            f"<code>{html.escape(title)}</code></autoref>")


def _math_block(match: re.Match) -> str:
    body = textwrap.dedent(match["body"]).strip("\n")
    indent = match["indent"]
    return f"{indent}\\[\n{textwrap.indent(body, indent)}\n{indent}\\]\n\n"


def rewrite(obj: griffe.Object, text: str) -> str:
    """``text`` (a docstring of ``obj``) with Sphinx roles and math made Markdown."""
    text = _MATH_BLOCK.sub(_math_block, text)
    text = _MATH.sub(lambda m: f"\\({m.group(1)}\\)", text)
    return _ROLE.sub(lambda m: _role(obj, m), text)


class SphinxRoles(griffe.Extension):
    """Rewrite the docstrings of every object of a loaded package (see the module text)."""

    def on_package(self, *, pkg: griffe.Module, **kwargs) -> None:
        self._walk(pkg)

    def _walk(self, obj: griffe.Object) -> None:
        if obj.docstring is not None:
            obj.docstring.value = rewrite(obj, obj.docstring.value)
        for member in obj.members.values():
            if not member.is_alias:
                self._walk(member)
