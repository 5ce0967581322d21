"""Multiclass losses in NumPy: reference implementations and hand-derived gradients.

The class axis is the **last** axis (PyTorch puts it on dim 1). Predictions have shape
``(..., C)``; integer class indices have the predictions' shape without the last axis;
one-hot and probability targets have the predictions' shape. Only the mathematics is
here: :mod:`lossbook._frame` builds the public functions from the catalog.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._ops import gradient, implements

__all__ = [
    "categorical_hinge",
    "categorical_hinge_grad",
    "cross_entropy",
    "cross_entropy_grad",
    "distillation_kl",
    "distillation_kl_grad",
    "kl_divergence",
    "kl_divergence_grad",
    "multi_margin",
    "multi_margin_grad",
    "nll",
    "nll_grad",
    "softmax_focal",
    "softmax_focal_grad",
]

_KL_EPS = 1e-7


def _log_softmax(z: np.ndarray) -> np.ndarray:
    """Stable log-softmax over the last axis (log-sum-exp with the row maximum shifted out)."""
    s = z - z.max(-1, keepdims=True)
    return s - np.log(np.exp(s).sum(-1, keepdims=True))


def _one_hot(y: np.ndarray, n_classes: int, dtype: Any) -> np.ndarray:
    return (y[..., None] == np.arange(n_classes)).astype(dtype)


def _take(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.take_along_axis(x, y[..., None], axis=-1)[..., 0]


# ---- cross_entropy -----------------------------------------------------------------------
def _ce_targets(y, logits, label_smoothing, weight):
    """The (smoothed, weighted) target rows ``t·w`` and the log-softmax."""
    n_classes = logits.shape[-1]
    t = y if y.ndim == logits.ndim else _one_hot(y, n_classes, logits.dtype)
    if label_smoothing:
        t = (1 - label_smoothing) * t + label_smoothing / n_classes
    return (t if weight is None else t * weight), _log_softmax(logits)


@implements("cross_entropy")
def cross_entropy(y_true, logits, *, label_smoothing, weight):
    """Computed with a log-sum-exp (the row maximum shifted out), finite for any finite
    logits."""
    tw, logp = _ce_targets(y_true, logits, label_smoothing, weight)
    return -(tw * logp).sum(-1)


@gradient("cross_entropy")
def cross_entropy_grad(y_true, logits, *, label_smoothing, weight):
    tw, logp = _ce_targets(y_true, logits, label_smoothing, weight)
    return np.exp(logp) * tw.sum(-1, keepdims=True) - tw


# ---- nll -----------------------------------------------------------------------------------
@implements("nll")
def nll(y_true, log_probs, *, weight):
    loss = -_take(log_probs, y_true)
    return loss if weight is None else weight[y_true] * loss


@gradient("nll")
def nll_grad(y_true, log_probs, *, weight):
    coef = -np.ones(y_true.shape, log_probs.dtype) if weight is None else -weight[y_true]
    hit = _one_hot(y_true, log_probs.shape[-1], bool)
    return np.where(hit, coef[..., None], 0).astype(log_probs.dtype)


# ---- categorical_hinge -----------------------------------------------------------------------
def _ch_parts(y, s):
    idx = y.argmax(-1)
    is_y = np.arange(s.shape[-1]) == idx[..., None]
    others = np.where(is_y, -np.inf, s)
    j = others.argmax(-1)  # first maximiser on ties
    return idx, j, 1 + _take(others, j) - _take(s, idx)  # -inf when C == 1: loss 0


@implements("categorical_hinge")
def categorical_hinge(y_true, scores):
    return np.maximum(_ch_parts(y_true, scores)[2], 0)


@gradient("categorical_hinge")
def categorical_hinge_grad(y_true, scores):
    """On ties the first maximiser among the wrong classes gets the gradient."""
    idx, j, u = _ch_parts(y_true, scores)
    active = (u > 0).astype(scores.dtype)[..., None]
    n_classes = scores.shape[-1]
    return (_one_hot(j, n_classes, scores.dtype) - _one_hot(idx, n_classes, scores.dtype)) * active


# ---- multi_margin --------------------------------------------------------------------------
def _mm_parts(y, s, margin):
    not_y = np.arange(s.shape[-1]) != y[..., None]
    return not_y, margin - _take(s, y)[..., None] + s


@implements("multi_margin")
def multi_margin(y_true, scores, *, margin):
    not_y, u = _mm_parts(y_true, scores, margin)
    return (np.maximum(u, 0) * not_y).sum(-1) / scores.shape[-1]


@gradient("multi_margin")
def multi_margin_grad(y_true, scores, *, margin):
    not_y, u = _mm_parts(y_true, scores, margin)
    n_classes = scores.shape[-1]
    a = ((u > 0) & not_y).astype(scores.dtype)
    return (a - _one_hot(y_true, n_classes, scores.dtype) * a.sum(-1, keepdims=True)) / n_classes


# ---- softmax_focal -------------------------------------------------------------------------
def _sf_parts(y, z, gamma):
    n_classes = z.shape[-1]
    is_y = np.arange(n_classes) == y[..., None]
    logp = _log_softmax(z)
    log_py = _take(logp, y)
    if n_classes > 1:
        # log(1 - p_y) = logsumexp_{j != y} log p_j, stable even when p_y -> 1
        others = np.where(is_y, -np.inf, logp)
        mo = others.max(-1, keepdims=True)
        log_1m = (mo + np.log(np.exp(others - mo).sum(-1, keepdims=True)))[..., 0]
    else:
        log_1m = np.full(y.shape, -np.inf, z.dtype)
    mod = np.ones_like(log_1m) if gamma == 0 else np.exp(gamma * log_1m)
    return is_y, logp, log_py, log_1m, mod


@implements("softmax_focal")
def softmax_focal(y_true, logits, *, gamma):
    """``log(1 - p_y)`` is a log-sum-exp over the other classes and the factor is
    ``exp(γ·log(1 - p_y))``: finite for |logits| up to 1e4, also for ``γ < 1``."""
    *_, log_py, _, mod = _sf_parts(y_true, logits, gamma)
    return -mod * log_py


@gradient("softmax_focal")
def softmax_focal_grad(y_true, logits, *, gamma):
    is_y, logp, log_py, log_1m, mod = _sf_parts(y_true, logits, gamma)
    a, b = log_py[..., None], log_1m[..., None]
    p = np.exp(logp)
    with np.errstate(over="ignore", invalid="ignore"):
        db = np.where(is_y, -np.exp(a), np.exp(logp + a - b))  # d log(1 - p_y) / dz
        focus = 0.0 if gamma == 0 else gamma * a * db
    return -mod[..., None] * (focus + is_y.astype(logits.dtype) - p)


# ---- kl_divergence -------------------------------------------------------------------------
@implements("kl_divergence")
def kl_divergence(p_true, q_pred):
    """Uses ``0·log 0 = 0`` and clips ``q`` below at 1e-7 (gradient 0 where clipped)."""
    qc = np.maximum(q_pred, q_pred.dtype.type(_KL_EPS))
    pos = p_true > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(pos, p_true * (np.log(np.where(pos, p_true, 1)) - np.log(qc)), 0)
    return terms.sum(-1)


@gradient("kl_divergence")
def kl_divergence_grad(p_true, q_pred):
    eps = q_pred.dtype.type(_KL_EPS)
    qc = np.maximum(q_pred, eps)
    return np.where((q_pred >= eps) & (p_true > 0), -p_true / qc, 0).astype(q_pred.dtype)


# ---- distillation_kl -----------------------------------------------------------------------
@implements("distillation_kl")
def distillation_kl(teacher_logits, student_logits, *, temperature):
    """Both log-softmaxes by log-sum-exp; ``p·(log p - log q)`` summed over the last axis."""
    t = temperature
    log_p = _log_softmax(teacher_logits / t)
    log_q = _log_softmax(student_logits / t)
    return t * t * (np.exp(log_p) * (log_p - log_q)).sum(-1)


@gradient("distillation_kl")
def distillation_kl_grad(teacher_logits, student_logits, *, temperature):
    t = temperature
    p = np.exp(_log_softmax(teacher_logits / t))
    q = np.exp(_log_softmax(student_logits / t))
    return (t * (q - p)).astype(student_logits.dtype, copy=False)
