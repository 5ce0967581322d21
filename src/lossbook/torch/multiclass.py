"""Multiclass losses in PyTorch, class axis last (the mathematics only:
:mod:`lossbook._frame` builds the public functions from the catalog). Where PyTorch has
a kernel with the same definition, the math flattens to ``(M, C)`` and calls it."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ._ops import implements

__all__ = [
    "cross_entropy",
    "nll",
    "categorical_hinge",
    "multi_margin",
    "softmax_focal",
    "kl_divergence",
    "distillation_kl",
]


def _unflatten(loss, reduction, shape):
    return loss.reshape(shape) if reduction == "none" else loss


@implements("cross_entropy")
def cross_entropy(y_true, logits, *, label_smoothing, weight, reduction):
    """Calls ``torch.nn.functional.cross_entropy`` on the logits flattened to ``(M, C)``
    (torch wants the class axis at dim 1 and ``(input, target)``; it also has
    ``ignore_index``, which lossbook does not support)."""
    if logits.dim() == 2:  # already (M, C): no reshape, no view in the autograd graph
        return F.cross_entropy(
            logits,
            y_true,
            weight=weight,
            reduction=reduction,
            label_smoothing=float(label_smoothing),
        )
    n_classes = logits.shape[-1]
    rows = y_true.dim() == logits.dim()
    y = y_true.reshape(-1, n_classes) if rows else y_true.reshape(-1)
    loss = F.cross_entropy(
        logits.reshape(-1, n_classes),
        y,
        weight=weight,
        reduction=reduction,
        label_smoothing=float(label_smoothing),
    )
    return _unflatten(loss, reduction, logits.shape[:-1])


@implements("nll")
def nll(y_true, log_probs, *, weight, reduction):
    """Calls ``torch.nn.functional.nll_loss`` on ``(M, C)``."""
    n_classes = log_probs.shape[-1]
    loss = F.nll_loss(
        log_probs.reshape(-1, n_classes), y_true.reshape(-1), weight=weight, reduction=reduction
    )
    return _unflatten(loss, reduction, log_probs.shape[:-1])


@implements("categorical_hinge")
def categorical_hinge(y_true, scores):
    s_true = (y_true * scores).sum(-1)
    s_other = scores.masked_fill(y_true != 0, float("-inf")).amax(-1)
    return F.relu(1.0 + s_other - s_true)


@implements("multi_margin")
def multi_margin(y_true, scores, *, margin):
    """Written out (not ``F.multi_margin_loss``) so that a NaN score propagates to the
    loss when value checks are off (torch's kernel silently skips it)."""
    idx = y_true.unsqueeze(-1)
    terms = F.relu(scores - scores.gather(-1, idx) + margin).scatter(-1, idx, 0.0)
    return terms.sum(-1) / scores.shape[-1]


@implements("softmax_focal")
def softmax_focal(y_true, logits, *, gamma):
    """``log(1 - p_y)`` is a log-sum-exp of the other classes' log-probabilities."""
    lsm = F.log_softmax(logits, dim=-1)
    idx = y_true.unsqueeze(-1)
    logp = lsm.gather(-1, idx).squeeze(-1)
    if gamma == 0 or logits.shape[-1] == 1:
        return -logp
    log_1mp = torch.logsumexp(lsm.scatter(-1, idx, float("-inf")), dim=-1)
    return -torch.exp(gamma * log_1mp) * logp


@implements("kl_divergence")
def kl_divergence(p_true, q_pred):
    """``torch.nn.functional.kl_div`` takes *log* q first and its "mean" divides by every
    element (lossbook's "mean" is its ``"batchmean"`` for 2-D input)."""
    return (torch.xlogy(p_true, p_true) - p_true * torch.log(torch.clamp(q_pred, min=1e-7))).sum(-1)


@implements("distillation_kl")
def distillation_kl(teacher_logits, student_logits, *, temperature):
    """``F.kl_div(log q, log p, log_target=True)`` summed over the classes, times T²
    (log-softmaxes of both logits at temperature T; no clip)."""
    t = temperature
    log_p = F.log_softmax(teacher_logits / t, dim=-1)
    log_q = F.log_softmax(student_logits / t, dim=-1)
    return F.kl_div(log_q, log_p, reduction="none", log_target=True).sum(-1) * (t * t)
