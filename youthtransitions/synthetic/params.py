"""Every parameter of the synthetic study's generative model, in one place.

The model itself is described in ``docs/synthetic.md``; each field below names the symbol it
has there. Change a value with ``synthesize(seed, **overrides)``; the defaults reproduce the
published figures of the Youth Transitions study (Sanders & Liebenberg 2024).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, fields, replace
from typing import Any

from ..errors import UsageError

__all__ = ["DEFAULT_SEED", "GENERATOR", "SynthParams", "ScaleSpec", "SCALE_SPECS",
           "make_params", "MIN_WAVES", "MAX_WAVES"]

#: seed of the shipped synthetic study: its identity (``synthesize(DEFAULT_SEED)`` is the study
#: in ``synthetic_data/``), not a default for analyses, whose runs default to
#: :data:`youthtransitions.parallel.DEFAULT_SEED`
DEFAULT_SEED = 20240517
#: generator name and version written into every table's metadata
GENERATOR = "youthtransitions.synthetic/1"
#: the numbers of annual waves the generator draws (the published study, and the contract, has 3)
MIN_WAVES, MAX_WAVES = 2, 6


@dataclass(frozen=True)
class ScaleSpec:
    """One Likert scale: its items ``<prefix>_01..`` and which of them are reverse keyed."""

    scale: str
    table: str
    prefix: str
    n_items: int
    reverse: tuple[int, ...]
    loadings: tuple[float, float]  # item loadings evenly spread over [low, high]
    min: int = 1
    max: int = 5

    @property
    def items(self) -> list[str]:
        return [f"{self.prefix}_{j:02d}" for j in range(1, self.n_items + 1)]


#: the contract's scales with their synthetic item sets (CYRM-28 style resilience: 28 items)
SCALE_SPECS: tuple[ScaleSpec, ...] = (
    ScaleSpec("relationship_quality", "waves", "rq", 10, (4, 8), (0.60, 0.80)),
    ScaleSpec("resilience", "waves", "res", 28, (), (0.45, 0.70)),
    ScaleSpec("contextual_risk", "waves", "crisk", 8, (3,), (0.50, 0.70)),
    ScaleSpec("individual_risk", "waves", "irisk", 8, (5,), (0.50, 0.70)),
    ScaleSpec("wellbeing", "waves", "wb", 10, (3, 7), (0.60, 0.80)),
    ScaleSpec("pmk_relationship", "pmk", "prq", 6, (2,), (0.60, 0.80)),
    ScaleSpec("pmk_functioning", "pmk", "pfn", 8, (4,), (0.60, 0.80)),
)


@dataclass(frozen=True)
class SynthParams:
    """Parameters of the generative model (symbols as in ``docs/synthetic.md``).

    All fields are keyword options of :func:`youthtransitions.synthetic.synthesize`.
    """

    # --- published counts (met exactly) ---------------------------------------------------
    n_youth: int = 1366
    n_msu: int = 506
    #: annual waves drawn (2 to 6; the contract's study has 3, other values are for planning)
    n_waves: int = 3
    n_qual: int = 107
    qual_mean_age: float = 17.49
    n_qual_pmk_nominated: int = 66
    n_qual_pmk_interviewed: int = 65

    # --- youth: services and demographics ---------------------------------------------------
    #: P(2, 3, 4 services) for MSU youth
    msu_service_count_probs: tuple[float, float, float] = (0.55, 0.30, 0.15)
    #: P(exactly one service) for non-MSU youth (else none)
    single_service_prob: float = 0.35
    #: relative weights of welfare, justice, mental health, alternative education
    service_weights: tuple[float, float, float, float] = (0.35, 0.25, 0.25, 0.15)
    gender_probs: tuple[float, float, float] = (0.47, 0.50, 0.03)  # female, male, another
    #: maori, pakeha, pasifika, other for MSU and for other youth
    ethnicity_probs_msu: tuple[float, float, float, float] = (0.45, 0.35, 0.10, 0.10)
    ethnicity_probs_other: tuple[float, float, float, float] = (0.30, 0.50, 0.10, 0.10)
    age_mean: float = 17.5
    age_sd: float = 1.4
    age_range: tuple[float, float] = (13.0, 24.0)

    # --- youth-level latent traits (standard normal before the MSU shift) -----------------------
    #: correlations among contextual risk, individual risk, resilience, relationship (eta)
    corr_crisk_irisk: float = 0.45
    corr_crisk_res: float = -0.35
    corr_irisk_res: float = -0.40
    corr_eta_res: float = 0.30
    corr_eta_crisk: float = -0.15
    corr_eta_irisk: float = -0.20
    #: mean shift of MSU youth on (crisk, irisk, res, eta)
    msu_shift: tuple[float, float, float, float] = (0.6, 0.6, -0.4, 0.0)

    # --- wave-level latent scores --------------------------------------------------------------
    #: share of relationship-quality variance between youth (eta) vs wave deviation (delta)
    icc_rq: float = 0.6
    #: share of risk / resilience variance that is stable across waves
    icc_traits: float = 0.7
    #: wellbeing: b_between * eta + b_within * delta + covariates + growth + u + e
    b_between: float = 0.2426  # calibrated: headline_r2 = 0.14 (truth.calibrate_b_between)
    b_within: float = 0.40
    b_res: float = 0.20
    b_crisk: float = -0.10
    b_irisk: float = -0.10
    wellbeing_trend: float = 0.20  # wellbeing change per wave with all four mechanisms active
    sd_u: float = 0.45  # youth random intercept of wellbeing
    sd_e: float = 0.35  # wave residual of wellbeing

    # --- relational mechanisms (power, recognition, responsiveness, mutuality) ---------------------
    #: loading of each mechanism's activation A_k on eta (rest unique)
    mech_loading: float = 0.45
    #: mechanism k active when A_k > this threshold
    mech_threshold: float = -1.15
    #: system control K = control_justice * svc_justice + control_crisk * crisk + N(0, 1)
    control_justice: float = 0.8
    control_crisk: float = 0.3
    control_threshold: float = 0.6  # high control when K exceeds it
    #: growth per wave relative to all four active, no trap:
    #: g = dose * (n_active - 4) + synergy * (all4 - 1) + trap * trap + N(0, sd)
    growth_dose: float = 0.05
    growth_synergy: float = 0.60
    growth_trap: float = -0.70
    growth_sd: float = 0.10

    # --- PMK ---------------------------------------------------------------------------------
    #: logit P(nominated) = a0 + a . z(wave-1 observed scores: crisk, irisk, res, wellbeing)
    nominate_intercept: float = 0.95
    nominate_coefs: tuple[float, float, float, float] = (-1.5, -1.0, 0.5, 2.0)
    #: probability a nominated youth's PMK is interviewed at a wave the youth took part in
    pmk_wave_response: float = 0.9
    pmk_role_probs: tuple[float, float, float, float, float] = (0.40, 0.20, 0.15, 0.20, 0.05)
    #: PMK-rated relationship: prq_load_rq * rq* + noise
    prq_load_rq: float = 0.6
    #: PMK-rated functioning: weights on wellbeing*, mean risk and resilience, noise sd
    pfn_wellbeing: float = 0.45
    pfn_risk: float = -0.70
    pfn_res: float = 0.25
    pfn_sd: float = 0.55

    # --- attrition and item missingness -----------------------------------------------------------
    #: logit P(drop out before wave t | in at t-1) = intercept + coef * z(wave-1 contextual risk)
    dropout_intercept: float = -2.75
    dropout_risk: float = 0.5
    item_missing: float = 0.02
    scale_skip: float = 0.004

    # --- dates ----------------------------------------------------------------------------------
    wave1_start: str = "2010-03-01"
    wave1_window_days: int = 365
    wave_gap_days: float = 365.0
    wave_gap_sd: float = 30.0

    # --- codes ----------------------------------------------------------------------------------
    #: probability a dimension is coded in a source at a wave (youth, PMK, case summary)
    code_prob: tuple[float, float, float] = (0.85, 0.55, 0.70)
    #: coded latent = A_k + gap (active) or A_k - gap (inactive) + noise
    code_state_gap: float = 0.5
    code_wave_sd: float = 0.20  # wave-to-wave noise of a mechanism's coded level
    code_segment_sd: float = 0.25  # segment noise
    level2_threshold: float = 0.3  # level 2 when the coded latent exceeds this
    counterfactual_flip: float = 0.05
    double_code_share: float = 0.25
    second_coder_agree: float = 0.85

    # --- workers and positive change (drawn after everything else; docs/synthetic.md) --------
    #: workers per region of ``n_youth`` youth (the sample is one region)
    n_workers: int = 300
    #: probability a youth changes worker between consecutive waves
    worker_switch: float = 0.25
    #: share of the latent relationship-quality variance that is the worker's (omega)
    worker_rq_share: float = 0.15
    #: probability a youth names no worker at a wave
    worker_missing: float = 0.03
    #: logit P(positive_change) = intercept + change_rq * rq* + N(0, change_sd_youth^2)
    change_intercept: float = 0.0
    change_rq: float = 0.8
    change_sd_youth: float = 1.0

    # --- truth --------------------------------------------------------------------------------
    population_size: int = 200_000
    population_seed: int = 7_000_001
    #: regions of ``n_youth`` youth on which the worker estimands' truth is computed (about
    #: 2-3 s each); 0 leaves the worker truth out, for simulations that do not need it
    worker_population_regions: int = 8

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict of every parameter (tuples as lists)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


#: fields that are probability vectors: non-negative, summing to 1
_PROB_VECTORS = ("msu_service_count_probs", "gender_probs", "ethnicity_probs_msu",
                 "ethnicity_probs_other", "pmk_role_probs")
#: fields (or every element of a tuple field) that are shares, ICCs or loadings in [0, 1]
_UNIT_INTERVAL = ("single_service_prob", "icc_rq", "icc_traits", "mech_loading",
                  "pmk_wave_response", "prq_load_rq", "item_missing", "scale_skip",
                  "code_prob", "counterfactual_flip", "double_code_share",
                  "second_coder_agree", "worker_switch", "worker_rq_share",
                  "worker_missing")


def _as_tuple(name: str, value: Any, default: tuple) -> tuple:
    """An override of a tuple field as a tuple of the default's length."""
    try:
        out = tuple(value)
    except TypeError:
        raise UsageError(f"{name} must be a sequence of {len(default)} numbers, "
                         f"got {value!r}") from None
    if len(out) != len(default):
        raise UsageError(f"{name} must have {len(default)} values (like the default "
                         f"{list(default)}), got {len(out)}")
    return out


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UsageError(f"{name} must hold numbers, got {value!r}")
    return float(value)


def _check_values(p: SynthParams) -> None:
    """Refuse parameter values the model cannot use (:class:`UsageError` naming the field)."""
    for name in _PROB_VECTORS:
        probs = [_number(name, v) for v in getattr(p, name)]
        if min(probs) < 0 or abs(sum(probs) - 1.0) > 1e-9:
            raise UsageError(f"{name} must be non-negative and sum to 1, got {list(probs)}")
    for name in _UNIT_INTERVAL:
        value = getattr(p, name)
        for v in (value if isinstance(value, tuple) else (value,)):
            if not 0.0 <= _number(name, v) <= 1.0:
                raise UsageError(f"{name} must lie between 0 and 1, got {value!r}")
    if p.n_qual_pmk_nominated < 1:
        raise UsageError("n_qual_pmk_nominated must be at least 1 (the subsample needs a "
                         f"nominated PMK), got {p.n_qual_pmk_nominated}")
    if p.worker_population_regions < 2 and p.worker_population_regions != 0:
        raise UsageError("worker_population_regions must be 0 (no worker truth) or at least 2 "
                         "(the truth's Monte Carlo error needs two), got "
                         f"{p.worker_population_regions}")
    if p.n_workers < 2:
        raise UsageError(f"n_workers must be at least 2, got {p.n_workers}")
    youth_part = p.icc_rq - (1 - p.worker_switch) * p.worker_rq_share
    if youth_part < 0.0:
        raise UsageError("worker_rq_share is too large for icc_rq and worker_switch: need "
                         "icc_rq >= (1 - worker_switch) * worker_rq_share "
                         f"(got icc_rq - ... = {youth_part:.3f})")


def make_params(**overrides: Any) -> SynthParams:
    """Default parameters with ``overrides`` applied.

    Raises
    ------
    UsageError
        For an unknown name, a tuple override of another length than the default, a
        probability vector (``*_probs``) that is negative or does not sum to 1, a share, ICC
        or loading outside [0, 1], ``n_qual_pmk_nominated < 1``, ``n_workers < 2``,
        ``worker_population_regions < 2``, ``n_waves`` outside 2-6, a ``worker_rq_share``
        leaving no youth variance of rq* (``icc_rq < (1 - worker_switch) worker_rq_share``),
        or inconsistent counts.
    """
    names = {f.name for f in fields(SynthParams)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise UsageError(f"unknown synthetic-study parameter(s) {', '.join(unknown)}; "
                         f"known: {', '.join(sorted(names))}")
    defaults = SynthParams()
    overrides = {k: _as_tuple(k, v, getattr(defaults, k))
                 if isinstance(getattr(defaults, k), tuple) else v
                 for k, v in overrides.items()}
    params = replace(defaults, **overrides)
    _check_values(params)
    if params.n_msu > params.n_youth or params.n_qual > params.n_msu:
        raise UsageError("need n_qual <= n_msu <= n_youth "
                         f"(got {params.n_qual}, {params.n_msu}, {params.n_youth})")
    if not params.n_qual_pmk_interviewed <= params.n_qual_pmk_nominated <= params.n_qual:
        raise UsageError("need n_qual_pmk_interviewed <= n_qual_pmk_nominated <= n_qual")
    waves = params.n_waves
    if (isinstance(waves, bool) or not isinstance(waves, numbers.Integral)
            or not MIN_WAVES <= waves <= MAX_WAVES):
        raise UsageError(f"n_waves must be a whole number of annual waves from {MIN_WAVES} to "
                         f"{MAX_WAVES} (the published study has 3), got {waves!r}")
    if type(waves) is not int:  # a NumPy integer: stored as int, so the parameters stay JSON
        params = replace(params, n_waves=int(waves))
    return params
