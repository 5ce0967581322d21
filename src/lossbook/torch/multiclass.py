"""Multiclass losses in PyTorch: cross_entropy, nll, categorical_hinge, multi_margin,
softmax_focal, kl_divergence.

The class axis is the **last** axis (PyTorch's built-ins want it at dim 1): predictions
``(..., C)``, integer class indices ``(...)`` (int64 or any integer dtype), probability /
one-hot targets ``(..., C)``. ``reduction="none"`` returns one value per sample, shape
``(...)``. float16 / bfloat16 input is computed in float32 (result float32); results
live on the input's device. Negative indices and ``ignore_index`` are not supported.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .._validate import value_checks_enabled
from ._ops import (
    as_tensor,
    as_tensors,
    compute_dtype,
    prepare_pair,
    reduce,
    target_dtype,
    validator,
)

__all__ = [
    "cross_entropy",
    "nll",
    "categorical_hinge",
    "multi_margin",
    "softmax_focal",
    "kl_divergence",
]

_SHAPE = "(..., C), classes on the last axis"
_IDX_WHAT = "(...,) = the predictions' shape without the class axis"
_IDX_FIX = (
    "Pass one integer class index per sample (squeeze a trailing axis of size 1), "
    "or one probability row per sample with the predictions' shape."
)


def _prep_weight(v, weight, pred):
    if weight is None:
        return None
    weight = as_tensor(weight, pred)
    v.floating("weight", weight)
    return weight


def _check_weight(v, weight, n_classes, dtype):
    """Shape, finiteness and sign of a class ``weight``; returns it in ``dtype``."""
    v.shape_equals("weight", weight, (n_classes,), "(C,)", fix="Pass one weight per class.")
    weight = weight.to(dtype)
    v.finite("weight", weight)
    v.nonnegative("weight", weight, fix="Class weights must be >= 0.")
    return weight


def _index_problem(v, reduction, y_true, pred_name, pred, weight):
    """Checks shared by the losses that take integer class indices ``(...)`` and
    predictions ``(..., C)``; returns ``(y, pred, weight)`` with ``y`` and ``pred``
    flattened to ``(M,)`` and ``(M, C)``."""
    y_true, pred = as_tensors(y_true, pred)
    weight = _prep_weight(v, weight, pred)
    v.floating(pred_name, pred)
    if not v.ops.is_int(y_true):
        v.class_indices("y_true", y_true, 0)  # raises the dtype message
    v.nonempty(pred_name, pred)
    v.ndim_at_least(pred_name, pred, 1, _SHAPE)
    n_classes = pred.shape[-1]
    v.shape_equals("y_true", y_true, pred.shape[:-1], _IDX_WHAT, fix=_IDX_FIX)
    pred = pred.to(compute_dtype(pred))
    v.finite(pred_name, pred)
    if weight is not None:
        weight = _check_weight(v, weight, n_classes, pred.dtype)
    v.class_indices("y_true", y_true, n_classes)
    y_true = y_true if y_true.dtype == torch.int64 else y_true.long()
    return y_true.reshape(-1), pred.reshape(-1, n_classes), weight


def _unflatten(loss, reduction, shape):
    return loss.reshape(shape) if reduction == "none" else loss


def cross_entropy(y_true, logits, *, label_smoothing=0.0, weight=None, reduction="mean"):
    """Softmax cross-entropy on logits.

    ``−Σ_c t_c·w_c·log softmax(z)_c`` with ``t = (1 − ε)·y + ε/C`` (``y`` one-hot from class
    indices, or a probability row), computed with ``log_softmax`` (log-sum-exp).

    Parameters
    ----------
    y_true : integer Tensor ``(...)`` of class indices in ``0..C-1``, or a floating Tensor
        ``(..., C)`` of probability rows (values in [0, 1]). A floating tensor of the index
        shape is an error (cast with ``.long()``).
    logits : Tensor ``(..., C)``, classes on the last axis.
    label_smoothing : float ε in [0, 1].
    weight : None or Tensor ``(C,)`` of class weights ≥ 0.
    reduction : {"mean", "sum", "none"}; "none" gives ``(...)``. With ``weight`` and
        integer targets, "mean" is ``sum(none) / sum(w[y_i])`` (PyTorch's convention);
        otherwise the mean over samples.

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. After lossbook's checks this calls ``torch.nn.functional.cross_entropy`` on the
    logits flattened to ``(M, C)`` (torch wants the class axis at dim 1 and the arguments
    as ``(input, target)``; it also supports ``ignore_index``, lossbook does not).

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> z = torch.tensor([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    >>> round(float(lt.cross_entropy(torch.tensor([0, 1]), z)), 4)
    0.3606
    >>> round(float(lt.cross_entropy(torch.tensor([[1.0, 0, 0], [0, 1.0, 0]]), z)), 4)
    0.3606
    """
    v = validator("cross_entropy")
    v.reduction(reduction)
    v.unit_param("label_smoothing", label_smoothing)
    y_true, logits = as_tensors(y_true, logits)
    probs = not v.ops.is_int(y_true) and tuple(y_true.shape) == tuple(logits.shape)
    if not probs:
        y, z, w = _index_problem(v, reduction, y_true, "logits", logits, weight)
        out_shape = logits.shape[:-1]
    else:
        weight = _prep_weight(v, weight, logits)
        target_dtype(v, "y_true", y_true)
        v.floating("logits", logits)
        v.nonempty("y_true", y_true)
        v.nonempty("logits", logits)
        v.ndim_at_least("logits", logits, 1, _SHAPE)
        z = logits.to(compute_dtype(logits))
        y = y_true.to(z.dtype)
        v.finite("y_true", y)
        v.finite("logits", z)
        w = None if weight is None else _check_weight(v, weight, z.shape[-1], z.dtype)
        v.in_unit_interval(
            "y_true", y, fix="Probability rows need values in [0, 1] (apply a softmax first)."
        )
        out_shape = z.shape[:-1]
        n_classes = z.shape[-1]
        y, z = y.reshape(-1, n_classes), z.reshape(-1, n_classes)
    loss = F.cross_entropy(
        z, y, weight=w, reduction=reduction, label_smoothing=float(label_smoothing)
    )
    return _unflatten(loss, reduction, out_shape)


def nll(y_true, log_probs, *, weight=None, reduction="mean"):
    """Negative log-likelihood of log-probabilities: ``−w_y·log_probs[y]``.

    Parameters
    ----------
    y_true : integer Tensor ``(...)`` of class indices in ``0..C-1``.
    log_probs : Tensor ``(..., C)`` (e.g. ``log_softmax(z, -1)``), classes last.
    weight : None or Tensor ``(C,)`` of class weights ≥ 0.
    reduction : {"mean", "sum", "none"}; "none" gives ``(...)``; with ``weight``, "mean"
        is ``sum(none) / sum(w[y_i])`` (PyTorch's convention).

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. Calls ``torch.nn.functional.nll_loss`` on ``(M, C)`` after lossbook's checks
    (torch: class axis at dim 1, ``(input, target)`` order, ``ignore_index``).

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> lp = torch.log(torch.tensor([[0.5, 0.5], [0.9, 0.1]]))
    >>> round(float(lt.nll(torch.tensor([0, 0]), lp)), 4)
    0.3993
    """
    v = validator("nll")
    v.reduction(reduction)
    y, lp, w = _index_problem(v, reduction, y_true, "log_probs", log_probs, weight)
    loss = F.nll_loss(lp, y, weight=w, reduction=reduction)
    return _unflatten(loss, reduction, log_probs.shape[:-1])


def categorical_hinge(y_true, scores, *, reduction="mean"):
    """Crammer–Singer multiclass hinge: ``max(0, 1 + max_{j≠y} s_j − s_y)``.

    Parameters
    ----------
    y_true : Tensor ``(..., C)`` of one-hot rows (any real dtype, e.g. ``F.one_hot``).
    scores : Tensor ``(..., C)``.
    reduction : {"mean", "sum", "none"}; "none" gives ``(...)``.

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. No PyTorch built-in (``MultiMarginLoss`` sums over all wrong classes instead of
    taking the max); Keras's ``CategoricalHinge`` uses ``max(0, 1 + max_j (1 − y_j)s_j −
    s_y)``, which differs when every wrong-class score is negative.

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> y = torch.tensor([[1.0, 0.0, 0.0]])
    >>> round(float(lt.categorical_hinge(y, torch.tensor([[0.5, 0.8, -2.0]]))), 4)
    1.3
    """
    v = validator("categorical_hinge")
    v.reduction(reduction)
    y, s = prepare_pair(v, "y_true", y_true, "scores", scores, layout=_SHAPE)
    if value_checks_enabled():  # the row sums are only needed by the value check
        v.one_hot_rows("y_true", y, y.sum(-1))
    s_true = (y * s).sum(-1)
    s_other = s.masked_fill(y != 0, float("-inf")).amax(-1)
    return reduce(F.relu(1.0 + s_other - s_true), reduction)


def multi_margin(y_true, scores, *, margin=1.0, reduction="mean"):
    """Multiclass margin loss: ``Σ_{j≠y} max(0, margin − s_y + s_j) / C``.

    Parameters
    ----------
    y_true : integer Tensor ``(...)`` of class indices.
    scores : Tensor ``(..., C)``.
    margin : float (finite).
    reduction : {"mean", "sum", "none"}; "none" gives ``(...)``.

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. Same definition as ``torch.nn.MultiMarginLoss(p=1)`` (class axis at dim 1,
    ``(input, target)`` order there), but written out so that a NaN score propagates to
    the loss (torch's kernel silently skips it) when value checks are off.

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> s = torch.tensor([[0.5, 0.8, -2.0]])
    >>> round(float(lt.multi_margin(torch.tensor([0]), s)), 4)
    0.4333
    """
    v = validator("multi_margin")
    v.reduction(reduction)
    v.finite_param("margin", margin)
    y, s, _ = _index_problem(v, reduction, y_true, "scores", scores, None)
    idx = y.unsqueeze(-1)
    terms = F.relu(s - s.gather(-1, idx) + margin).scatter(-1, idx, 0.0)  # drop j = y
    loss = terms.sum(-1) / s.shape[-1]
    return _unflatten(reduce(loss, reduction), reduction, scores.shape[:-1])


def softmax_focal(y_true, logits, *, gamma=2.0, reduction="mean"):
    """Softmax (multiclass) focal loss: ``−(1 − p_y)^γ·log p_y``, ``p = softmax(z)``.

    ``log p`` comes from ``log_softmax``; ``log(1 − p_y)`` is a log-sum-exp of the
    log-probabilities of the other classes, and the factor is ``exp(γ·log(1 − p_y))``, so
    value and gradient stay finite for |logits| up to 1e4 in float32, also for ``γ < 1``.

    Parameters
    ----------
    y_true : integer Tensor ``(...)`` of class indices.
    logits : Tensor ``(..., C)``.
    gamma : float ≥ 0 (0 gives cross-entropy).
    reduction : {"mean", "sum", "none"}; "none" gives ``(...)``.

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. No PyTorch built-in.

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> z = torch.tensor([[2.0, 0.0, -1.0]])
    >>> round(float(lt.softmax_focal(torch.tensor([0]), z)), 4)
    0.0041
    """
    v = validator("softmax_focal")
    v.reduction(reduction)
    v.positive_param("gamma", gamma, allow_zero=True)
    y, z, _ = _index_problem(v, reduction, y_true, "logits", logits, None)
    lsm = F.log_softmax(z, dim=-1)
    idx = y.unsqueeze(-1)
    logp = lsm.gather(-1, idx).squeeze(-1)
    if gamma == 0 or z.shape[-1] == 1:
        loss = -logp
    else:
        log_1mp = torch.logsumexp(lsm.scatter(-1, idx, float("-inf")), dim=-1)
        loss = -torch.exp(gamma * log_1mp) * logp
    return _unflatten(reduce(loss, reduction), reduction, logits.shape[:-1])


def kl_divergence(p_true, q_pred, *, reduction="mean"):
    """Kullback–Leibler divergence ``KL(p ‖ q) = Σ_c p_c·log(p_c / q_c)`` over the last axis.

    Uses ``0·log 0 = 0`` and clips ``q`` below at 1e-7 (gradient 0 where clipped).

    Parameters
    ----------
    p_true : Tensor ``(..., C)``, target distribution (values in [0, 1]).
    q_pred : Tensor ``(..., C)``, predicted probabilities (values in [0, 1]).
    reduction : {"mean", "sum", "none"}; "none" gives ``(...)``; "mean" averages over
        samples (= torch's ``reduction="batchmean"`` for 2-D input).

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. ``torch.nn.functional.kl_div`` takes *log* q first and its "mean" divides by
    every element; Keras's ``KLDivergence`` clips both arguments to [1e-7, 1].

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> p, q = torch.tensor([[0.5, 0.5]]), torch.tensor([[0.9, 0.1]])
    >>> round(float(lt.kl_divergence(p, q)), 4)
    0.5108
    """
    v = validator("kl_divergence")
    v.reduction(reduction)
    p, q = prepare_pair(v, "p_true", p_true, "q_pred", q_pred, layout=_SHAPE)
    v.in_unit_interval("p_true", p, fix="Pass probabilities (apply a softmax first).")
    v.in_unit_interval(
        "q_pred", q, fix="Pass probabilities, not log-probabilities or logits (apply a softmax)."
    )
    loss = (torch.xlogy(p, p) - p * torch.log(torch.clamp(q, min=1e-7))).sum(-1)
    return reduce(loss, reduction)
