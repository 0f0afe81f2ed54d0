"""Workers and the positive-change outcome: drawn after everything else, from the latent rq.

Relationship quality rq*_it is drawn first (:func:`~.latent.draw_wave_latents`); the worker a
youth names at each wave is then drawn from its conditional distribution given rq* under a
crossed random-effect model, so that the youth's relationship quality is partly a trait of
the worker while every earlier draw (and every earlier column of the study) stays as it was.
See ``docs/synthetic.md`` ("Workers").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import SynthParams

__all__ = ["Workers", "draw_workers", "draw_positive_change", "worker_ids", "working_variances"]


@dataclass
class Workers:
    """Worker draws of ``n`` youth at waves 1-T (``T = n_waves``).

    ``worker`` (n x T int) indexes ``trait``; -1 where the youth named no worker.
    ``trait`` holds the standardised worker traits w_j (mean 0, variance 1 over workers).
    """

    worker: np.ndarray
    trait: np.ndarray

    def trait_at(self) -> np.ndarray:
        """n x T trait of the worker named at each wave (NaN where none was named)."""
        out = np.full(self.worker.shape, np.nan)
        named = self.worker >= 0
        out[named] = self.trait[self.worker[named]]
        return out


def working_variances(p: SynthParams) -> tuple[float, float, float]:
    """(sigma_a^2, omega, sigma_e^2): youth, worker and residual variance of rq*.

    Notes
    -----
    The working model is ``rq*_it = a_i + sqrt(omega) w_j(i,t) + e_it`` with
    ``omega = worker_rq_share``; a youth keeps the worker between consecutive waves with
    probability ``q = 1 - worker_switch``, so the lag-1 covariance ``sigma_a^2 + q omega``
    equals the generator's ``icc_rq``: ``sigma_a^2 = icc_rq - q omega``,
    ``sigma_e^2 = 1 - sigma_a^2 - omega``, floored at 0.01 so that a model without wave
    variance (``icc_rq`` near 1) still assigns workers.
    """
    omega = p.worker_rq_share
    sa2 = p.icc_rq - (1 - p.worker_switch) * omega
    return sa2, omega, max(0.01, 1.0 - sa2 - omega)


def _youth_part(rng: np.random.Generator, p: SynthParams, rq: np.ndarray) -> np.ndarray:
    """Draw a_i | rq*_i under the working model (worker parts treated as Gaussian)."""
    sa2, omega, se2 = working_variances(p)
    q = 1 - p.worker_switch
    t = rq.shape[1]
    lag = np.abs(np.subtract.outer(np.arange(t), np.arange(t)))
    sigma = sa2 + omega * q**lag + se2 * np.eye(t)
    weights = sa2 * np.linalg.solve(sigma, np.ones(t))
    var = sa2 - sa2 * float(weights.sum())
    return rq @ weights + np.sqrt(var) * rng.standard_normal(len(rq))


def _assign_region(rng: np.random.Generator, resid: np.ndarray, trait: np.ndarray,
                   p: SynthParams, se2: float) -> np.ndarray:
    """Forward filtering, backward sampling of the worker sequence of each youth."""
    (n, waves), k = resid.shape, len(trait)
    q = 1 - p.worker_switch
    loglik = -0.5 * (resid[:, :, None] - np.sqrt(p.worker_rq_share) * trait) ** 2 / se2
    like = np.exp(loglik - loglik.max(axis=2, keepdims=True))
    alpha = np.empty((n, waves, k))
    alpha[:, 0] = like[:, 0] / like[:, 0].sum(axis=1, keepdims=True)
    for t in range(1, waves):
        a = like[:, t] * (q * alpha[:, t - 1] + (1 - q) / k)
        alpha[:, t] = a / a.sum(axis=1, keepdims=True)
    out = np.empty((n, waves), dtype=np.int64)
    rows = np.arange(n)
    out[:, -1] = _categorical(rng, alpha[:, -1])
    for t in range(waves - 2, -1, -1):
        back = alpha[:, t] * (1 - q) / k
        back[rows, out[:, t + 1]] += alpha[rows, t, out[:, t + 1]] * q
        out[:, t] = _categorical(rng, back / back.sum(axis=1, keepdims=True))
    return out


def _categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))[:, None] * cum[:, -1:]
    return np.minimum((cum < u).sum(axis=1), probs.shape[1] - 1)


def draw_workers(rng: np.random.Generator, p: SynthParams, rq: np.ndarray) -> Workers:
    """The worker each youth names at waves 1-T, given the latent rq* (n x T).

    Notes
    -----
    Youth are split, in order, into regions of ``n_youth`` youth, each with its own
    ``n_workers`` workers (a sample is one region; the truth's population has many), whose
    traits w_j ~ N(0, 1) are drawn first. Under the working model of
    :func:`working_variances`, worker sequences follow a Markov chain (wave 1 uniform over
    the region's workers; a new uniform draw with probability ``worker_switch`` before each
    later wave, else the same worker). A youth's part a_i is drawn from its Gaussian
    conditional given rq*_i (the worker parts treated as Gaussian with covariance
    ``omega q^|t-t'|``), then the sequence from its exact conditional given a_i and rq*_i
    (forward filtering, backward sampling). Finally each youth-wave names no worker with
    probability ``worker_missing``.
    """
    n = len(rq)
    _, _, se2 = working_variances(p)
    a = _youth_part(rng, p, rq)
    resid = rq - a[:, None]
    worker = np.empty(rq.shape, dtype=np.int64)
    traits = []
    for start in range(0, n, p.n_youth):
        stop = min(n, start + p.n_youth)
        k = max(2, int(round(p.n_workers * (stop - start) / p.n_youth)))
        trait = rng.standard_normal(k)
        worker[start:stop] = _assign_region(rng, resid[start:stop], trait, p, se2) \
            + sum(len(t) for t in traits)
        traits.append(trait)
    worker[rng.random(rq.shape) < p.worker_missing] = -1
    return Workers(worker, np.concatenate(traits))


def draw_positive_change(rng: np.random.Generator, p: SynthParams,
                         rq: np.ndarray) -> np.ndarray:
    """The 0/1 positive-change outcome at waves 1-T (n x T int8, like ``rq``).

    Notes
    -----
    ``logit P(y_it = 1) = change_intercept + change_rq rq*_it + v_i``,
    ``v_i ~ N(0, change_sd_youth^2)``: driven by the same latent relationship quality as the
    rq items (and so by the worker's part of it).
    """
    n = len(rq)
    v = p.change_sd_youth * rng.standard_normal(n)
    eta = p.change_intercept + p.change_rq * rq + v[:, None]
    return (rng.random(rq.shape) < 1 / (1 + np.exp(-eta))).astype(np.int8)


def worker_ids(worker: np.ndarray) -> np.ndarray:
    """String ids ``W001``... of worker indexes (None where no worker was named)."""
    width = max(3, len(str(int(worker.max()) + 1))) if worker.size else 3
    out = np.array([f"W{j + 1:0{width}d}" for j in worker.ravel()], dtype=object)
    out[worker.ravel() < 0] = None
    return out.reshape(worker.shape)
