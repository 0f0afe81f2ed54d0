"""report.html in a real browser: Chromium (Debian's, installed by .ci/run) driven by
Playwright loads the report of a small ``yt replicate`` run with no console errors, every
image decodes, and a screenshot of the whole page is kept as a test artefact."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import youthtransitions as yt

pytest.importorskip("playwright")
pytestmark = pytest.mark.slow

#: the browser the test drives: Debian's chromium (CI has no network for Playwright's own)
CHROMIUM = os.environ.get("YT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):  # .ci/run installs it: a missing browser is a CI failure
        raise RuntimeError(f"chromium not found at {CHROMIUM}; .ci/run installs it")
    pytest.skip("chromium is not installed (apt-get install chromium)",
                allow_module_level=True)

SMALL = {"m": 3, "B": 30, "n_perm": 199}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM}


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "results"
    yt.replicate(out=out, options=SMALL, seed=7, progress=False)
    return out / "report.html"


def test_report_renders_in_chromium(page, report, record_property):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url}"))
    page.goto(report.as_uri(), wait_until="load")
    assert page.title().strip()
    images = page.eval_on_selector_all(
        "img", "els => els.map(e => ({alt: e.alt, complete: e.complete,"
               " width: e.naturalWidth, height: e.naturalHeight}))")
    assert images, "the report has no figures"
    broken = [i for i in images if not (i["complete"] and i["width"] > 0 and i["height"] > 0)]
    assert not broken
    assert not problems
    shot = report.with_name("report-screenshot.png")
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:4] == b"\x89PNG"
    record_property("screenshot", str(shot))
    print(f"screenshot of report.html: {shot}")
