"""Qualitative mechanism codes of the synthetic subsample.

Segments come from youth interviews, PMK interviews (only for youth whose PMK was
interviewed that wave) and case summaries, at each of the three qualitative rounds (waves 1-3;
two in a two-wave study). Each codes one mechanism dimension at level 0/1/2 driven by the
youth's latent mechanism activation (itself driven by the latent relationship eta); about a
quarter are double-coded.
Excerpts are templated sentences, never real quotes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..study.contract import CONTRACT
from ..study.contract import DIMENSIONS as _CONTRACT_DIMENSIONS
from .params import SynthParams
from .sample import Sample

__all__ = ["build_codes", "SOURCES", "DIMENSIONS", "ACTORS", "CODERS"]

_CODES = CONTRACT["codes"]
SOURCES = _CODES.column("source").categories
#: (mechanism, dimension) in codebook order; index into Youth.activation per mechanism
DIMENSIONS = tuple((m, d) for m, dims in _CONTRACT_DIMENSIONS.items() for d in dims)
_MECH_INDEX = {m: k for k, m in enumerate(_CONTRACT_DIMENSIONS)}
ACTORS = _CODES.column("actor").categories
#: actor of each service (welfare, justice, mental health, alternative education)
_SERVICE_ACTOR = ("social_worker", "justice", "health", "education")
CODERS = ("coder_1", "coder_2")

_TEMPLATES = {
    ("care", "confirmatory"): ["My worker actually cared how I was doing.",
                               "She checked in on me, not just on the plan."],
    ("care", "counterfactual"): ["Nobody there cared what happened to me.",
                                 "It felt like they just wanted me off their books."],
    ("control", "confirmatory"): ["He set limits but explained why and stuck by me.",
                                  "The rules were firm but they were fair with me."],
    ("control", "counterfactual"): ["It was all rules and reporting, no help at all.",
                                    "They held the power and I had no say in anything."],
    ("recognition", "confirmatory"): ["She knew my whanau and where I come from.",
                                      "They saw me as a person, not a file."],
    ("recognition", "counterfactual"): ["They never asked about my life outside the office.",
                                        "I was just another case number to them."],
    ("responsiveness", "confirmatory"): ["He picked up the phone when I really needed him.",
                                         "She made time for me the same day."],
    ("responsiveness", "counterfactual"): ["I had to wait weeks for an appointment.",
                                           "There was never any time for me."],
    ("friend_like", "confirmatory"): ["It was like talking to a mate.",
                                      "We had a laugh and I could be myself."],
    ("friend_like", "counterfactual"): ["It always felt cold and formal.",
                                        "I could never relax around them."],
    ("professional", "confirmatory"): ["She knew what she was doing and got things sorted.",
                                       "He kept his word and followed through."],
    ("professional", "counterfactual"): ["They promised things and nothing happened.",
                                         "They did not follow through on anything."],
}


def _levels(latent: np.ndarray, low: float, high: float) -> np.ndarray:
    return (latent > low).astype(np.int64) + (latent > high)


def build_codes(p: SynthParams, s: Sample) -> pd.DataFrame:
    """The ``codes`` table of sample ``s`` (see the module docstring and docs/synthetic.md).

    Notes
    -----
    Level of dimension d of mechanism k for youth i at round t in a segment:
    ``L = A_ik + gap (2 active_ik - 1) + w_ikt + e`` (``gap = code_state_gap``,
    ``w ~ N(0, code_wave_sd)``, ``e ~ N(0, code_segment_sd)``): the narrative shows whether
    the mechanism worked, so active and inactive mechanisms separate by ``2 gap``; cut
    at ``mech_threshold`` (0 | 1) and ``level2_threshold`` (1 | 2); power/control uses the
    control latent ``K`` cut at ``control_threshold - 1`` and ``control_threshold``. A segment
    is counterfactual when its level is 0 (control: level 2 with power inactive, a trap),
    flipped with probability ``counterfactual_flip``. A share ``double_code_share`` of
    segments gets a second coder who agrees on the level with probability
    ``second_coder_agree`` and otherwise picks one of the two other levels at random.
    """
    rng = s.codes_rng
    y = s.youth
    rows = []
    for i in s.qual:
        wave_noise = p.code_wave_sd * rng.standard_normal((3, 4))
        pool = ["youth_worker", "other"] + [a for a, used in
                                            zip(_SERVICE_ACTOR, y.services[i], strict=True)
                                            if used]
        coder = CODERS[int(rng.integers(0, 2))]
        for t in range(min(3, p.n_waves)):  # three qualitative rounds, at waves 1-3
            for si, source in enumerate(SOURCES):
                if source == "pmk_interview" and not s.pmk_present[i, t]:
                    continue
                coded = rng.random(len(DIMENSIONS)) < p.code_prob[si]
                if not coded.any():
                    coded[int(rng.integers(0, len(DIMENSIONS)))] = True
                for d in np.flatnonzero(coded):
                    mech, dim = DIMENSIONS[d]
                    k = _MECH_INDEX[mech]
                    noise = p.code_segment_sd * rng.standard_normal()
                    if dim == "control":
                        level = int(_levels(np.array(y.control[i] + noise),
                                            p.control_threshold - 1, p.control_threshold))
                        counter = level == 2 and not y.active[i, 0]
                    else:
                        gap = p.code_state_gap if y.active[i, k] else -p.code_state_gap
                        latent = y.activation[i, k] + gap + wave_noise[t, k] + noise
                        level = int(_levels(np.array(latent), p.mech_threshold,
                                            p.level2_threshold))
                        counter = level == 0
                    if rng.random() < p.counterfactual_flip:
                        counter = not counter
                    if dim == "control" and counter:
                        actor = "justice" if y.services[i, 1] else "income_support"
                    else:
                        actor = pool[int(rng.integers(0, len(pool)))]
                    instance = "counterfactual" if counter else "confirmatory"
                    text = _TEMPLATES[(dim, instance)][int(rng.integers(0, 2))]
                    rows.append((s.ids[i], source, t + 1, coder, mech, dim, level,
                                 instance, actor, f"[synthetic] {text}"))
    cols = [c for c in _CODES.names if c != "segment_id"]
    codes = pd.DataFrame(rows, columns=cols)
    codes.insert(0, "segment_id", [f"SEG{j:05d}" for j in range(1, len(codes) + 1)])

    n_double = int(round(p.double_code_share * len(codes)))
    pick = np.sort(rng.choice(len(codes), size=n_double, replace=False))
    second = codes.iloc[pick].copy()
    second["coder"] = np.where(second["coder"] == CODERS[0], CODERS[1], CODERS[0])
    agree = rng.random(n_double) < p.second_coder_agree
    other = (second["level"].to_numpy() + rng.integers(1, 3, size=n_double)) % 3
    second["level"] = np.where(agree, second["level"].to_numpy(), other)
    plain = second["dimension"] != "control"
    second.loc[plain, "instance"] = np.where(second.loc[plain, "level"] == 0,
                                             "counterfactual", "confirmatory")
    codes = pd.concat([codes, second], ignore_index=True)
    codes = codes.sort_values(["segment_id", "coder"], ignore_index=True, kind="stable")
    cats = {col: _CODES.column(col).categories
            for col in ("source", "mechanism", "dimension", "instance", "actor")}
    for col, values in cats.items():
        codes[col] = pd.Categorical(codes[col], categories=list(values))
    return codes.astype({"wave": "int64", "level": "int64"})
