"""Imports flow one way: cli -> report -> missing, qual, synthetic -> models, study -> stats
-> the base (errors, _tidy, _options, _atomic, _disclosure, parallel). Checked on every module's source, so
a new import against the flow fails here rather than in a review (docs/developing.md)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "youthtransitions"

#: area -> areas it may import (besides itself and the base); ``stats`` is the bottom
#: layer above the base: everything may use it, it uses only the base
ALLOWED = {
    "base": set(),
    "stats": set(),
    "study": {"stats"},
    "models": {"stats"},
    "synthetic": {"stats", "study", "models"},
    "missing": {"stats", "study", "models", "synthetic"},
    "qual": {"stats", "study", "models"},
    "report": {"stats", "study", "models", "synthetic", "missing", "qual"},
    "cli": {"stats", "study", "models", "synthetic", "missing", "qual", "report", "api"},
    "api": {"stats", "study", "models", "synthetic", "missing", "qual", "report"},
}
BASE = {"errors", "_tidy", "_coef", "_atomic", "_options", "_version", "_disclosure", "parallel"}


def _area(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "api"
    head = parts[1]
    if head in BASE or head == "__main__":
        return "base" if head in BASE else "cli"
    return head


def _imports(path: Path) -> set[str]:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    module = ".".join(rel.parts).removesuffix(".__init__")
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {n for n in found if n.split(".")[0] == "youthtransitions"}


def test_imports_flow_one_way():
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        area = _area(".".join(rel.parts).removesuffix(".__init__"))
        for target in _imports(path):
            to = _area(target)
            if to in ("base", area) or to in ALLOWED[area]:
                continue
            bad.append(f"{rel} ({area}) imports {target} ({to})")
    assert not bad, "\n".join(bad)


def test_nothing_imports_the_cli():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "cli" in path.relative_to(PACKAGE).parts or path.name == "__main__.py":
            continue
        assert not any(t.startswith("youthtransitions.cli") for t in _imports(path)), path
