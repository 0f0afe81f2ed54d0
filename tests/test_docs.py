"""The documentation site builds with warnings as errors (mkdocs --strict)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_docs_build_strict(tmp_path):
    import mkdocs  # noqa: F401  (the test extra installs both; a missing one fails)
    import mkdocstrings  # noqa: F401
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                           str(tmp_path / "site")], cwd=ROOT, capture_output=True, text=True,
                          env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin",
                               "HOME": str(tmp_path)}, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "site" / "api" / "models" / "index.html").exists()
    assert (tmp_path / "site" / "methods" / "index.html").exists()
