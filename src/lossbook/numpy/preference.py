"""Preference losses in NumPy, with hand-derived gradients."""

from __future__ import annotations

import numpy as np

from ._ops import gradient, implements

__all__ = ["dpo", "dpo_grad"]


def _margin(chosen_logps, rejected_logps, ref_chosen_logps, ref_rejected_logps, beta):
    return beta * ((chosen_logps - ref_chosen_logps) - (rejected_logps - ref_rejected_logps))


@implements("dpo")
def dpo(chosen_logps, rejected_logps, ref_chosen_logps, ref_rejected_logps, *, beta):
    """``-log σ(u) = logaddexp(0, -u)``: no overflow."""
    u = _margin(chosen_logps, rejected_logps, ref_chosen_logps, ref_rejected_logps, beta)
    return np.logaddexp(0, -u)


@gradient("dpo")
def dpo_grad(chosen_logps, rejected_logps, ref_chosen_logps, ref_rejected_logps, *, beta):
    """Returns (d/dchosen_logps, d/drejected_logps); the reference log-probabilities are
    constants."""
    u = _margin(chosen_logps, rejected_logps, ref_chosen_logps, ref_rejected_logps, beta)
    s = np.exp(-np.logaddexp(0, u))  # σ(-u), no overflow
    return -beta * s, beta * s
