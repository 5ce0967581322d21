"""Preference losses in PyTorch."""

from __future__ import annotations

import torch.nn.functional as F

from ._ops import implements

__all__ = ["dpo"]


@implements("dpo")
def dpo(chosen_logps, rejected_logps, ref_chosen_logps, ref_rejected_logps, *, beta):
    """``-F.logsigmoid(u)``; the reference log-probabilities are detached (constants: no
    gradient reaches them even if they require one)."""
    u = beta * (
        (chosen_logps - ref_chosen_logps.detach()) - (rejected_logps - ref_rejected_logps.detach())
    )
    return -F.logsigmoid(u)
