"""REFI-QDA archives built to make the reader do too much work: each is refused or read
within bounds (excerpts cut, each member read once, names unambiguous, codebooks shallow)."""

from __future__ import annotations

import tracemalloc
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

from youthtransitions.cli import main
from youthtransitions.errors import StudyDataError
from youthtransitions.study.refi_qda import archive, read_qdpx
from youthtransitions.study.refi_qda import read as qdpx

NS = "urn:QDA-XML:project:1.0"
CODEBOOK = ('<CodeBook><Codes><Code guid="c1" name="power"><Code guid="c2" name="care">'
            '<Code guid="c3" name="2"/></Code></Code></Codes></CodeBook>')


def _text(n_chars: int, seed: int = 0) -> str:
    """``n_chars`` of text from eight made-up words: deflates about ninefold, as prose does
    a few times over, far below a zip bomb's ratio. A 1 MB block is repeated past 1 MB
    (deflate looks back 32 KB only, so the ratio stays)."""
    rng = np.random.default_rng(seed)
    words = ["".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), size=k))
             for k in rng.integers(4, 9, size=8)]
    block = " ".join(rng.choice(words, size=min(n_chars, 2**20) // 5 + 1))
    return (block * (n_chars // len(block) + 1))[:n_chars]


def _selections(source: int, n: int, end: int) -> str:
    return "".join(
        f'<PlainTextSelection guid="s{source}-{k}" name="seg{source}-{k}" startPosition="0" '
        f'endPosition="{end}" creatingUser="u1"><Coding guid="g{source}-{k}" '
        f'creatingUser="u1"><CodeRef targetGUID="c3"/></Coding></PlainTextSelection>'
        for k in range(n))


def _project(sources: str, n_sources: int, codebook: str = CODEBOOK) -> bytes:
    refs = "".join(f'<SourceRef targetGUID="t{i}"/>' for i in range(n_sources))
    return (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="h">'
            f'<Users><User guid="u1" name="coder_1"/></Users>{codebook}'
            f'<Sources>{sources}</Sources><Cases><Case guid="k1" name="Y0001">{refs}</Case>'
            '</Cases></Project>').encode()


def shared_member_archive(path: Path, *, n_sources: int, n_selections: int,
                          member_chars: int) -> Path:
    """``n_sources`` sources all reading one member of ``member_chars`` characters, each with
    ``n_selections`` selections spanning the whole member."""
    sources = "".join(f'<TextSource guid="t{i}" name="youth_interview_w1_{i}" '
                      f'plainTextPath="internal://big.txt">'
                      f'{_selections(i, n_selections, member_chars)}</TextSource>'
                      for i in range(n_sources))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", _project(sources, n_sources))
        zf.writestr("sources/big.txt", _text(member_chars))
    return path


def inline_text_archive(path: Path, *, n_chars: int, n_selections: int) -> Path:
    """One source whose text of ``n_chars`` is inline in project.qde, with ``n_selections``
    selections spanning all of it."""
    source = (f'<TextSource guid="t0" name="youth_interview_w1_0"><PlainTextContent>'
              f'{_text(n_chars)}</PlainTextContent>{_selections(0, n_selections, n_chars)}'
              '</TextSource>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", _project(source, 1))
    return path


def _peak_mb(func) -> tuple[object, float]:
    tracemalloc.start()
    try:
        result = func()
        return result, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """Names of the archive members read, in order."""
    names: list[str] = []
    real = archive.read_member
    monkeypatch.setattr(archive, "read_member",
                        lambda *a: names.append(a[2].filename) or real(*a))
    return names


def test_selections_spanning_a_large_member_are_cut(tmp_path, reads):
    """500 selections over a 200,000-character member would copy 100 M characters; cut to
    10,000 each they copy 5 M."""
    path = shared_member_archive(tmp_path / "h.qdpx", n_sources=1, n_selections=500,
                                 member_chars=200_000)
    (codes, unmapped), peak = _peak_mb(lambda: read_qdpx(path))
    cap = qdpx.LIMITS["excerpt_chars"]
    assert len(codes) == 500
    assert codes["excerpt"].str.len().max() == cap
    assert unmapped == ["500 excerpt(s) longer than 10000 characters cut to their first "
                        "10000 (the first: source 'youth_interview_w1_0' selection 'seg0-0')"]
    assert reads == ["project.qde", "sources/big.txt"]
    assert peak < 60, peak  # tracemalloc counts Python allocations, pandas included


def test_a_member_shared_by_many_sources_is_read_once(tmp_path, reads):
    path = shared_member_archive(tmp_path / "h.qdpx", n_sources=300, n_selections=1,
                                 member_chars=5_000)
    codes, _ = read_qdpx(path)
    assert len(codes) == 300 and reads == ["project.qde", "sources/big.txt"]


def test_large_inline_text_with_spanning_selections(tmp_path):
    path = inline_text_archive(tmp_path / "h.qdpx", n_chars=2_000_000, n_selections=40)
    (codes, _), peak = _peak_mb(lambda: read_qdpx(path))
    assert len(codes) == 40 and (codes["excerpt"].str.len() == 10_000).all()
    assert peak < 60, peak  # 40 uncut copies alone would be 80 M characters


def test_total_excerpt_work_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setitem(qdpx.LIMITS, "excerpt_total", 100_000)
    path = shared_member_archive(tmp_path / "h.qdpx", n_sources=1, n_selections=11,
                                 member_chars=20_000)
    with pytest.raises(StudyDataError, match="excerpts total more than 100000 characters"):
        read_qdpx(path)


@pytest.mark.parametrize("names", [("project.qde", "project.qde"),
                                   ("project.qde", "PROJECT.QDE"),
                                   ("sources/a.txt", "Sources/A.txt")])
def test_duplicate_member_names_are_refused(names, tmp_path):
    path = tmp_path / "dup.qdpx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of a duplicate name; that is the point
        with zipfile.ZipFile(path, "w") as zf:
            if "project.qde" not in names:
                zf.writestr("project.qde", _project("", 0))
            for name in names:
                zf.writestr(name, _project("", 0) if name.endswith(".qde") else b"x")
    with pytest.raises(StudyDataError, match="two members of this name") as err:
        read_qdpx(path)
    assert err.value.problems[0].value == names[1]


def test_every_member_ratio_is_checked(tmp_path):
    """A small member that expands 1,000-fold is refused, not only those over 1 MB."""
    path = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", _project("", 0))
        zf.writestr("sources/zeros.txt", b"\0" * 200_000)
    with pytest.raises(StudyDataError, match="expands .*-fold, more than 200-fold"):
        read_qdpx(path)


def test_oversized_archive_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setitem(qdpx.LIMITS, "archive_bytes", 1000)
    path = inline_text_archive(tmp_path / "h.qdpx", n_chars=20_000, n_selections=1)
    with pytest.raises(StudyDataError, match="the archive is .* bytes, more than 1000"):
        read_qdpx(path)


def _deep_codebook(depth: int) -> str:
    opening = "".join(f'<Code guid="d{i}" name="n{i}">' for i in range(depth))
    return f"<CodeBook><Codes>{opening}{'</Code>' * depth}</Codes></CodeBook>"


def test_deep_codebook_exit_2(tmp_path, capsys):
    path = tmp_path / "deep.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", _project("", 0, _deep_codebook(1000)))
    code = main(["codes", str(path)])
    _, err = capsys.readouterr()
    assert code == 2 and "Traceback" not in err
    assert "codebook nests codes more than 32 deep" in err


def test_codebook_at_the_depth_limit_is_read(tmp_path):
    path = tmp_path / "ok.qde"
    path.write_bytes(_project("", 0, _deep_codebook(qdpx.LIMITS["depth"])))
    codes, unmapped = read_qdpx(path)
    assert len(codes) == 0 and unmapped == []
