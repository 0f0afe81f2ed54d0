"""The documentation site: builds with warnings as errors (mkdocs --strict) and reads offline.

One build is shared by the tests (module fixture). Offline means no script, style sheet or
font from another host; the math is MathML made at build time; the tutorial page is the
executed notebook with its tables and figures; the API pages show cross references, not
Sphinx roles.
"""

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow

REMOTE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)


class _Resources(HTMLParser):
    """Every resource a page loads (script src, link href, img/source/iframe src, inline
    style url()), and the page's text outside code."""

    def __init__(self):
        super().__init__()
        self.loads: list[str] = []
        self.text: list[str] = []
        self._code = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("href"):
            self.loads.append(attrs["href"])
        if tag in ("script", "img", "source", "iframe", "embed", "audio", "video") \
                and attrs.get("src"):
            self.loads.append(attrs["src"])
        self.loads += re.findall(r"url\(\s*['\"]?([^'\")]+)", attrs.get("style") or "")
        if tag in ("code", "pre", "script", "style"):
            self._code += 1

    def handle_endtag(self, tag):
        if tag in ("code", "pre", "script", "style"):
            self._code = max(0, self._code - 1)

    def handle_data(self, data):
        if not self._code:
            self.text.append(data)


def _parse(path: Path) -> _Resources:
    parser = _Resources()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    import latex2mathml  # noqa: F401  (the test extra installs all three; a missing one fails)
    import mkdocs  # noqa: F401
    import mkdocstrings  # noqa: F401

    tmp = tmp_path_factory.mktemp("docs")
    env = {"NO_MKDOCS_2_WARNING": "1", "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "HOME": str(tmp)}
    if "PYTHONPATH" in os.environ:  # a work tree ahead of the installed package
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                           str(tmp / "site")], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return tmp / "site"


def test_docs_build_strict(site):
    assert (site / "api" / "models" / "index.html").exists()
    assert (site / "methods" / "index.html").exists()


def test_no_remote_scripts_styles_or_fonts(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 10
    remote = {str(p.relative_to(site)): [u for u in _parse(p).loads if REMOTE.match(u)]
              for p in pages}
    assert not {k: v for k, v in remote.items() if v}
    for css in site.rglob("*.css"):  # fonts and imported sheets come from url() / @import
        text = css.read_text(encoding="utf-8", errors="replace")
        urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", text)
        urls += re.findall(r"@import\s+['\"]([^'\"]+)", text)
        assert not [u for u in urls if REMOTE.match(u)], css


def test_math_is_rendered_at_build(site):
    r2 = (site / "methods-r2" / "index.html").read_text(encoding="utf-8")
    assert r2.count("<math") >= 10 and '<math xmlns="http://www.w3.org/1998/Math/MathML" ' \
                                        'display="block"' in r2
    for page in site.rglob("*.html"):
        text = "".join(_parse(page).text)
        assert "\\(" not in text and "\\[" not in text and "$$" not in text, page
        assert ":math:" not in text, page


def test_tutorial_page_shows_executed_outputs(site):
    page = (site / "tutorials" / "walkthrough" / "index.html").read_text(encoding="utf-8")
    images = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,', page)
    assert images and all(len(alt) > 20 for alt in images)
    assert page.count("<table") >= 10  # result tables, as Jupyter shows them
    assert "Traceback" not in page and "--8<--" not in page


def test_api_pages_resolve_sphinx_roles(site):
    linked = 0
    for page in sorted((site / "api").rglob("index.html")):
        html = page.read_text(encoding="utf-8")
        text = "".join(_parse(page).text)
        for role in (":class:", ":meth:", ":attr:", ":func:", ":mod:", ":data:"):
            assert role not in text and role not in html, (page, role)
        linked += html.count('class="autorefs autorefs-internal"')
    assert linked >= 50  # the roles whose targets a page documents are links
