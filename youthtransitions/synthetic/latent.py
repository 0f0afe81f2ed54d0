"""The generative model's random parts, vectorised over youth.

The same functions draw the 1,366 youth of a synthetic study and the large population on which
``truth.json`` is computed, so the sample and its truth come from one model. Notation follows
``docs/synthetic.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..study.contract import CONTRACT, SERVICES
from ..study.scales import score_matrix
from .params import ScaleSpec, SynthParams

__all__ = ["Youth", "WaveLatents", "draw_youth", "draw_wave_latents", "draw_items",
           "score_items", "SERVICES", "GENDERS", "ETHNICITIES"]

GENDERS = CONTRACT["youth"].column("gender").categories
ETHNICITIES = CONTRACT["youth"].column("ethnicity").categories

#: base thresholds of a 5-point item on the latent response scale
_BASE_THRESHOLDS = np.array([-1.6, -0.6, 0.3, 1.2])


@dataclass
class Youth:
    """Youth-level draws (arrays of length n; ``services`` and ``activation`` are n x 4)."""

    msu: np.ndarray
    services: np.ndarray
    gender: np.ndarray  # index into GENDERS
    ethnicity: np.ndarray  # index into ETHNICITIES
    age: np.ndarray
    traits: np.ndarray  # n x 4: crisk, irisk, res, eta (with the MSU shift)
    activation: np.ndarray  # n x 4: A_k, mechanism k latent activation
    active: np.ndarray  # n x 4 bool: A_k > threshold
    control: np.ndarray  # K: system control
    trap: np.ndarray  # power inactive (care low) and control high
    growth: np.ndarray  # g: wellbeing growth per wave beyond the trend
    u: np.ndarray  # wellbeing random intercept

    @property
    def n(self) -> int:
        return int(len(self.msu))


@dataclass
class WaveLatents:
    """Latent wave scores, each an n x T array (waves 1-T, ``T = n_waves``; 3 in the study)."""

    rq: np.ndarray
    delta: np.ndarray
    crisk: np.ndarray
    irisk: np.ndarray
    res: np.ndarray
    wellbeing: np.ndarray
    prq: np.ndarray
    pfn: np.ndarray

    def get(self, scale: str) -> np.ndarray:
        return getattr(self, _LATENT_OF[scale])


_LATENT_OF = {"relationship_quality": "rq", "resilience": "res", "contextual_risk": "crisk",
              "individual_risk": "irisk", "wellbeing": "wellbeing",
              "pmk_relationship": "prq", "pmk_functioning": "pfn"}


def trait_correlation(p: SynthParams) -> np.ndarray:
    """Correlation matrix of (crisk, irisk, res, eta) before the MSU shift."""
    c = np.eye(4)
    pairs = {(0, 1): p.corr_crisk_irisk, (0, 2): p.corr_crisk_res, (1, 2): p.corr_irisk_res,
             (2, 3): p.corr_eta_res, (0, 3): p.corr_eta_crisk, (1, 3): p.corr_eta_irisk}
    for (i, j), r in pairs.items():
        c[i, j] = c[j, i] = r
    return c


def _exact_flags(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    flags = np.zeros(n, dtype=bool)
    flags[rng.permutation(n)[:k]] = True
    return flags


def _services(rng: np.random.Generator, p: SynthParams, msu: np.ndarray) -> np.ndarray:
    n = len(msu)
    counts = np.where(msu, rng.choice([2, 3, 4], size=n, p=p.msu_service_count_probs),
                      (rng.random(n) < p.single_service_prob).astype(int))
    # weighted sampling without replacement: Gumbel top-k
    keys = np.log(np.asarray(p.service_weights)) + rng.gumbel(size=(n, 4))
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    return rank < counts[:, None]


def draw_youth(rng: np.random.Generator, p: SynthParams, n: int, n_msu: int) -> Youth:
    """Draw ``n`` youth of whom exactly ``n_msu`` are multiple-service users.

    Notes
    -----
    MSU youth use 2-4 of the four services, other youth 0 or 1, so ``msu`` equals the
    contract's "two or more services" rule by construction. Traits (contextual risk,
    individual risk, resilience, relationship eta) are multivariate normal with
    :func:`trait_correlation`, shifted by ``msu_shift`` for MSU youth. Mechanism activation
    ``A_k = l * eta + sqrt(1 - l^2) * nu_k``; ``active_k = A_k > threshold``. Control
    ``K = c_j * svc_justice + c_r * crisk + N(0, 1)``; a trap is power inactive with
    ``K > control_threshold``.
    """
    msu = _exact_flags(rng, n, n_msu)
    services = _services(rng, p, msu)
    gender = rng.choice(3, size=n, p=p.gender_probs)
    eth = np.where(msu, rng.choice(4, size=n, p=p.ethnicity_probs_msu),
                   rng.choice(4, size=n, p=p.ethnicity_probs_other))
    lo, hi = p.age_range
    age = np.round(np.clip(rng.normal(p.age_mean, p.age_sd, size=n), lo, hi), 2)
    chol = np.linalg.cholesky(trait_correlation(p))
    traits = rng.standard_normal((n, 4)) @ chol.T + np.outer(msu, p.msu_shift)
    eta = traits[:, 3]
    ld = p.mech_loading
    activation = ld * eta[:, None] + np.sqrt(1 - ld**2) * rng.standard_normal((n, 4))
    active = activation > p.mech_threshold
    control = (p.control_justice * services[:, 1] + p.control_crisk * traits[:, 0]
               + rng.standard_normal(n))
    trap = ~active[:, 0] & (control > p.control_threshold)
    n_active = active.sum(axis=1)
    growth = (p.growth_dose * (n_active - 4) + p.growth_synergy * (n_active == 4)
              - p.growth_synergy + p.growth_trap * trap + p.growth_sd * rng.standard_normal(n))
    u = p.sd_u * rng.standard_normal(n)
    return Youth(msu, services, gender, eth, age, traits, activation, active, control, trap,
                 growth, u)


def draw_wave_latents(rng: np.random.Generator, p: SynthParams, y: Youth) -> WaveLatents:
    """Latent wave scores of every youth at waves 1-T, ``T = n_waves`` (no attrition).

    Notes
    -----
    Every wave is drawn as the published study's three are: the wave deviations
    ``delta_t`` and the traits' wave noise are independent across waves, wellbeing grows
    linearly in ``t - 1``, so a study of ``T`` waves extends the three-wave model (its first
    three waves have the three-wave model's distribution) and ``T = 3`` draws it exactly.
    ``rq*_t = sqrt(icc) eta + sqrt(1 - icc) delta_t``;
    ``wellbeing*_t = b_b sqrt(icc) eta + b_w sqrt(1 - icc) delta_t + b_res res + b_cr crisk
    + b_ir irisk + (trend + g)(t - 1) + u + e_t``; traits at a wave mix the stable trait and
    wave noise with ``icc_traits``; PMK-rated functioning and relationship load on the youth's
    wellbeing, risk, resilience and relationship at the same wave.
    """
    n, t = y.n, p.n_waves
    wave = np.arange(t)[None, :]
    s_b, s_w = np.sqrt(p.icc_rq), np.sqrt(1 - p.icc_rq)
    delta = rng.standard_normal((n, t))
    eta = y.traits[:, [3]]
    rq = s_b * eta + s_w * delta
    t_b, t_w = np.sqrt(p.icc_traits), np.sqrt(1 - p.icc_traits)
    crisk, irisk, res = (t_b * y.traits[:, [k]] + t_w * rng.standard_normal((n, t))
                         for k in range(3))
    wellbeing = (p.b_between * s_b * eta + p.b_within * s_w * delta
                 + p.b_res * y.traits[:, [2]] + p.b_crisk * y.traits[:, [0]]
                 + p.b_irisk * y.traits[:, [1]] + (p.wellbeing_trend + y.growth[:, None]) * wave
                 + y.u[:, None] + p.sd_e * rng.standard_normal((n, t)))
    prq = p.prq_load_rq * rq + np.sqrt(1 - p.prq_load_rq**2) * rng.standard_normal((n, t))
    pfn = (p.pfn_wellbeing * wellbeing + p.pfn_risk * (crisk + irisk) / 2 + p.pfn_res * res
           + p.pfn_sd * rng.standard_normal((n, t)))
    return WaveLatents(rq, delta, crisk, irisk, res, wellbeing, prq, pfn)


def draw_items(rng: np.random.Generator, latent: np.ndarray, spec: ScaleSpec,
               p: SynthParams | None = None) -> np.ndarray:
    """Likert responses (float array ``latent.shape + (n_items,)``, NaN = not answered).

    Notes
    -----
    Item j answers ``y*_j = lambda_j z + sqrt(1 - lambda_j^2) eps`` cut at fixed thresholds
    (the base thresholds shifted by an item difficulty spread over [-0.3, 0.3]); reverse-keyed
    items store ``min + max - response``. With ``p`` given, each answer is missing with
    probability ``item_missing`` and a whole scale with probability ``scale_skip``.
    """
    j = spec.n_items
    loadings = np.linspace(spec.loadings[0], spec.loadings[1], j)[::-1]
    loadings = np.roll(loadings, j // 3).astype(np.float32)  # strong and weak interleaved
    difficulty = np.linspace(-0.3, 0.3, j)[np.argsort(np.arange(j) * 7 % j)]
    ystar = rng.standard_normal(latent.shape + (j,), dtype=np.float32)
    ystar *= np.sqrt(1 - loadings**2)
    ystar += loadings * latent.astype(np.float32)[..., None]
    resp = np.zeros(ystar.shape, dtype=np.int8)
    for cut in _BASE_THRESHOLDS:
        resp += ystar > (cut + difficulty).astype(np.float32)
    rev = np.isin(np.arange(1, j + 1), spec.reverse)
    resp[..., rev] = (spec.max - spec.min) - resp[..., rev]
    resp = resp.astype(np.float32) + spec.min
    if p is not None:
        resp[rng.random(resp.shape) < p.item_missing] = np.nan
        resp[rng.random(latent.shape) < p.scale_skip] = np.nan
    return resp


def score_items(items: np.ndarray, spec: ScaleSpec) -> np.ndarray:
    """Contract scale score: mean of answered items (reverse keyed reflected), 80% rule.

    Notes
    -----
    The contract's rule itself, :func:`youthtransitions.study.scales.score_matrix` (the rule
    of :func:`youthtransitions.study.score_scales`), applied to arrays after reflecting the
    reverse-keyed items; used inside the generator (before any table exists) for the
    observed wave-1 scores that drive PMK nomination and attrition, and for the population
    truth.
    """
    x = np.array(items, dtype=np.float64)
    rev = np.isin(np.arange(1, spec.n_items + 1), spec.reverse)
    x[..., rev] = spec.min + spec.max - x[..., rev]
    return score_matrix(x.reshape(-1, spec.n_items)).reshape(x.shape[:-1])
