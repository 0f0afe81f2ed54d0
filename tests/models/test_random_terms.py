"""The lme4 random-term parser and the Z columns it builds.

Expansions are checked against lme4 1.1.31's ``findbars`` (printed by hand in R:
``findbars(y ~ (1|a/b/c))`` is ``1 | c:(b:a)``, ``1 | b:a``, ``1 | a``; ``(x || a/b)`` is
``(1 | b:a) + (1 | a) + (0 + x | b:a) + (0 + x | a)``); lme4's term order (most levels first)
is checked against tests/reference/lme4_crossed in test_crossed.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.models import fit_lmm
from youthtransitions.models.random_terms import (
    SUPPORTED_FORMS,
    group_key,
    has_random_terms,
    parse_random_terms,
    random_blocks,
    unique_group_names,
)


def _terms(formula):
    return [str(t) for t in parse_random_terms(formula).random]


@pytest.mark.parametrize("formula, fixed, terms", [
    ("y ~ x + wave + (1 + wave | youth_id) + (1 | worker_id)", "y ~ x + wave",
     ["(1 + wave | youth_id)", "(1 | worker_id)"]),
    ("y ~ (wave | g)", "y ~ 1", ["(1 + wave | g)"]),
    ("y ~ x + (0 + x | g)", "y ~ x", ["(0 + x | g)"]),
    ("y ~ (-1 + x | g) + z", "y ~ z", ["(0 + x | g)"]),
    ("y ~ Days + (Days || Subject)", "y ~ Days", ["(1 | Subject)", "(0 + Days | Subject)"]),
    ("y ~ (0 + x + z || g)", "y ~ 1", ["(0 + x | g)", "(0 + z | g)"]),
    ("y ~ 1 + (1 | batch/cask)", "y ~ 1", ["(1 | cask:batch)", "(1 | batch)"]),
    ("y ~ (1 | a/b/c)", "y ~ 1", ["(1 | c:(b:a))", "(1 | b:a)", "(1 | a)"]),
    ("y ~ (x || a/b)", "y ~ 1",
     ["(1 | b:a)", "(1 | a)", "(0 + x | b:a)", "(0 + x | a)"]),
    ("y ~ C(f) + (1 | a:b)", "y ~ C(f)", ["(1 | a:b)"]),
    ("y~x+(1|g)", "y ~ x", ["(1 | g)"]),
    ("y ~ np.log(x) + (1 + I(x**2) | g)", "y ~ np.log(x)", ["(1 + I(x**2) | g)"]),
])
def test_parse(formula, fixed, terms):
    p = parse_random_terms(formula)
    assert p.fixed == fixed and p.response == "y"
    assert [str(t) for t in p.random] == terms
    assert has_random_terms(formula)


def test_term_fields():
    a, b = parse_random_terms("y ~ (1 + x || g/h)").random[:2]
    assert (a.intercept, a.columns, a.factors, a.group, a.correlated) == (
        True, (), ("h", "g"), "h:g", False)
    assert b.factors == ("g",) and b.group == "g"
    (c,) = parse_random_terms("y ~ (1 + x | g)").random
    assert c.correlated and c.columns == ("x",)


def test_no_random_terms():
    assert not has_random_terms("y ~ x + z")
    assert not has_random_terms("not a formula")


@pytest.mark.parametrize("formula, fragment", [
    ("y ~ x | g", "outside a parenthesised"),
    ("y ~ diag(x | g)", "outside a parenthesised"),
    ("y ~ (1 | g + h)", "column names joined"),
    ("y ~ (1 | f(g))", "column names joined"),
    ("y ~ (1 | a*b)", "column names joined"),
    ("y ~ (1 | g | h)", "one '|' or '||'"),
    ("y ~ (0 | g)", "has no columns"),
    ("y ~ (1 + | g)", "empty term"),
    ("y ~ x", "no random term"),
    ("(1 | g) ~ x", "right-hand side"),
])
def test_unsupported_forms_listed(formula, fragment):
    with pytest.raises(UsageError, match="Supported random terms") as err:
        parse_random_terms(formula)
    assert fragment in str(err.value)
    for form in SUPPORTED_FORMS:
        assert form in str(err.value)


def test_not_a_formula():
    with pytest.raises(UsageError, match="response ~ terms"):
        parse_random_terms("y + (1 | g)")


def test_random_blocks_columns_codes_and_order():
    frame = pd.DataFrame({"g": ["b", "a", "b", "c"], "h": ["x", "x", "y", "y"],
                          "w": [0.0, 1.0, 2.0, 3.0], "f": ["p", "q", "p", "q"]})
    blocks = random_blocks(parse_random_terms("y ~ (1 | g) + (1 + w | h:g)").random, frame)
    # lme4's order: most levels first (h:g has 4, g has 3)
    assert [b.term.group for b in blocks] == ["h:g", "g"]
    hg, g = blocks
    assert hg.names == ["(Intercept)", "w"]
    np.testing.assert_array_equal(hg.Z, np.column_stack([np.ones(4), frame["w"]]))
    assert list(hg.labels) == ["x:a", "x:b", "y:b", "y:c"]
    np.testing.assert_array_equal(hg.codes, [1, 0, 2, 3])
    assert list(g.labels) == ["a", "b", "c"] and g.q == 1 and g.n_levels == 3
    np.testing.assert_array_equal(g.codes, [1, 0, 1, 2])
    (fb,) = random_blocks(parse_random_terms("y ~ (0 + C(f) | g)").random, frame)
    assert fb.Z.shape == (4, 2)
    np.testing.assert_array_equal(fb.Z.sum(axis=1), np.ones(4))


@pytest.mark.parametrize("formula, response, cbind, fixed, offsets", [
    ("cbind(incidence, size - incidence) ~ period + (1 | herd)",
     "cbind(incidence, size - incidence)", ("incidence", "size - incidence"),
     "cbind(incidence, size - incidence) ~ period", ()),
    ("y ~ period + offset(log(size)) + (1 | herd)", "y", None, "y ~ period", ("log(size)",)),
    ("cbind(s, f(n, s)) ~ offset(a) + offset (b) + (x || g)", "cbind(s, f(n, s))",
     ("s", "f(n, s)"), "cbind(s, f(n, s)) ~ 1", ("a", "b")),
    # offset() only as a whole term: inside another call it stays a fixed term
    ("y ~ I(offset(x) * 2) + (1 | g)", "y", None, "y ~ I(offset(x) * 2)", ()),
])
def test_glmer_response_and_offsets(formula, response, cbind, fixed, offsets):
    p = parse_random_terms(formula)
    assert (p.response, p.cbind, p.fixed, p.offsets) == (response, cbind, fixed, offsets)
    assert p.fixed_rhs == fixed.split("~")[1].strip()


@pytest.mark.parametrize("formula, fragment", [
    ("cbind(s) ~ x + (1 | g)", "takes two arguments"),
    ("cbind(s, ) ~ x + (1 | g)", "takes two arguments"),
    ("y ~ (x + (1 | g)", "unbalanced parentheses"),
    ("y ~ x) + (1 | g)", "unbalanced parentheses"),
    ("y ~ x ~ z + (1 | g)", "'response ~ terms'"),
    (" ~ x + (1 | g)", "has no response"),
])
def test_formula_text_errors(formula, fragment):
    with pytest.raises(UsageError, match=fragment):
        parse_random_terms(formula)


def test_lmm_refuses_offsets_and_cbind():
    # the GLMM-only parts are refused by name rather than passed to formulaic
    d = pd.DataFrame({"y": [1.0, 2, 3, 4], "x": [0.0, 1, 0, 1], "g": list("aabb")})
    with pytest.raises(UsageError, match=r"fit_lmm takes no offset\(\) terms"):
        fit_lmm("y ~ x + offset(x) + (1 | g)", d)
    with pytest.raises(UsageError, match="cbind.* fit it with fit_glmm"):
        fit_lmm("cbind(y, x) ~ 1 + (1 | g) + (1 | x)", d)


def test_group_key_and_unique_names():
    frame = pd.DataFrame({"a": [1, 1, 2], "b": ["x", "y", "x"]})
    inner, outer = parse_random_terms("y ~ (1 | a/b)").random
    assert list(group_key(inner, frame)) == ["x:1", "y:1", "x:2"]
    assert group_key(outer, frame).tolist() == [1, 1, 2]
    assert unique_group_names(["g", "h", "g", "g"]) == ["g", "h", "g.1", "g.2"]
