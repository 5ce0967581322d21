"""Sequence losses in PyTorch."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ._ops import implements

__all__ = ["ctc"]


@implements("ctc")
def ctc(targets, log_probs, input_lengths, target_lengths, *, blank, zero_infinity, reduction):
    """Calls ``torch.nn.functional.ctc_loss`` on ``log_probs.transpose(0, 1)`` (its fused
    kernel, on any device). Its backward returns the derivative with respect to the logits
    of a log_softmax (the free-input derivative plus ``exp(log_probs)`` on the valid
    frames); lossbook subtracts that term with a zero-valued correction
    ``h - h.detach()``, ``h = Σ_valid exp(log_probs)``, so that autograd gives the
    derivative with respect to ``log_probs`` as free inputs, as ``lossbook.numpy.ctc_grad``
    and TensorFlow do. Chained through a log_softmax both are the same. A sample without
    an alignment (input length < target length + repeated neighbours) gets inf (0 with
    ``zero_infinity``) and a zero gradient, where the built-in alone gives NaN."""
    loss = F.ctc_loss(
        log_probs.transpose(0, 1),
        targets,
        input_lengths,
        target_lengths,
        blank=blank,
        reduction="none",
        zero_infinity=True,  # no NaN gradient; the infinities are put back below
    )
    t, s = log_probs.shape[1], targets.shape[1]
    valid = torch.arange(t, device=log_probs.device)[None, :] < input_lengths[:, None]
    h = (torch.exp(log_probs) * valid[..., None]).sum((1, 2))
    # the built-in's gradient has the extra term only where it did not zero the sample
    inside = torch.arange(1, s, device=targets.device)[None, :] < target_lengths[:, None]
    repeats = ((targets[:, 1:] == targets[:, :-1]) & inside).sum(1)
    possible = input_lengths >= target_lengths + repeats
    loss = loss - torch.where(possible, h - h.detach(), torch.zeros_like(h))
    if not zero_infinity:  # inf, as a constant: a zero gradient (torch's own gives NaN)
        loss = torch.where(possible, loss, torch.full_like(loss, math.inf))
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return (loss / target_lengths.clamp(min=1).to(loss.dtype)).mean()
