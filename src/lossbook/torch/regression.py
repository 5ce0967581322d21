"""Regression losses in PyTorch: mse, mae, huber, smooth_l1, log_cosh, quantile,
poisson_nll, gaussian_nll.

Every function takes targets first, predictions second, checks its input through
:class:`lossbook._validate.Validator`, computes float16 / bfloat16 input in float32
(result float32) and any other floating dtype in itself, and returns a tensor on the
input's device. Targets may be floating, integer or boolean; they are cast to the
compute dtype. ``reduction="none"`` returns the prediction's shape.

mse, mae, huber and smooth_l1 turn any NaN / inf input into a non-finite value, so they
check finiteness through the result (one reduction instead of one pass per input; only a
non-finite result triggers the per-input check and its usual message).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ._ops import (
    as_tensors,
    compute_dtype,
    finite_via_result,
    prepare_pair,
    reduce,
    target_dtype,
    validator,
)

__all__ = [
    "mse",
    "mae",
    "huber",
    "smooth_l1",
    "log_cosh",
    "quantile",
    "poisson_nll",
    "gaussian_nll",
]

_LOG2 = math.log(2.0)


def mse(y_true, y_pred, *, reduction="mean"):
    """Mean squared error: ``(y - ŷ)²``.

    Parameters
    ----------
    y_true, y_pred : Tensor, same shape (no broadcasting).
    reduction : {"mean", "sum", "none"}; "none" returns ``y_pred``'s shape.

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. After lossbook's checks this calls ``torch.nn.functional.mse_loss`` (same
    definition, argument order swapped: torch takes ``(input, target)``; torch only warns
    where lossbook raises on mismatched shapes).

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> round(float(lt.mse(torch.tensor([1.0, 2.0]), torch.tensor([1.5, 2.0]))), 4)
    0.125
    """
    v = validator("mse")
    v.reduction(reduction)
    y_true, y_pred = prepare_pair(v, "y_true", y_true, "y_pred", y_pred, defer_finite=True)
    loss = F.mse_loss(y_pred, y_true, reduction=reduction)
    return finite_via_result(v, loss, ("y_true", y_true), ("y_pred", y_pred))


def mae(y_true, y_pred, *, reduction="mean"):
    """Mean absolute error: ``abs(y - ŷ)``; gradient ``sign(ŷ - y)`` with ``sign(0) = 0``.

    Parameters
    ----------
    y_true, y_pred : Tensor, same shape.
    reduction : {"mean", "sum", "none"}; "none" returns ``y_pred``'s shape.

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. Calls ``torch.nn.functional.l1_loss`` after lossbook's checks (same definition).

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> round(float(lt.mae(torch.tensor([1.0, 2.0]), torch.tensor([1.5, 3.0]))), 4)
    0.75
    """
    v = validator("mae")
    v.reduction(reduction)
    y_true, y_pred = prepare_pair(v, "y_true", y_true, "y_pred", y_pred, defer_finite=True)
    loss = F.l1_loss(y_pred, y_true, reduction=reduction)
    return finite_via_result(v, loss, ("y_true", y_true), ("y_pred", y_pred))


def huber(y_true, y_pred, *, delta=1.0, reduction="mean"):
    """Huber loss: ``½r²`` if ``abs(r) ≤ δ`` else ``δ(abs(r) − ½δ)``, ``r = y − ŷ``, ``δ > 0``.

    Parameters
    ----------
    y_true, y_pred : Tensor, same shape.
    delta : float > 0.
    reduction : {"mean", "sum", "none"}; "none" returns ``y_pred``'s shape.

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. Calls ``torch.nn.functional.huber_loss`` (= ``torch.nn.HuberLoss``, Keras
    ``Huber``); note ``smooth_l1`` = ``huber / β`` with ``β = δ``.

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> round(float(lt.huber(torch.tensor([0.0, 0.0]), torch.tensor([0.5, 3.0]))), 4)
    1.3125
    """
    v = validator("huber")
    v.reduction(reduction)
    v.positive_param("delta", delta)
    y_true, y_pred = prepare_pair(v, "y_true", y_true, "y_pred", y_pred, defer_finite=True)
    loss = F.huber_loss(y_pred, y_true, reduction=reduction, delta=float(delta))
    return finite_via_result(v, loss, ("y_true", y_true), ("y_pred", y_pred))


def smooth_l1(y_true, y_pred, *, beta=1.0, reduction="mean"):
    """Smooth L1: ``½r²/β`` if ``abs(r) < β`` else ``abs(r) − ½β``, ``r = y − ŷ``, ``β ≥ 0``.

    ``beta = 0`` is the L1 loss, as in torch.

    Parameters
    ----------
    y_true, y_pred : Tensor, same shape.
    beta : float ≥ 0.
    reduction : {"mean", "sum", "none"}; "none" returns ``y_pred``'s shape.

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. Calls ``torch.nn.functional.smooth_l1_loss`` (= ``torch.nn.SmoothL1Loss``);
    it equals ``huber(δ=β) / β``.

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> round(float(lt.smooth_l1(torch.tensor([0.0, 0.0]), torch.tensor([0.5, 3.0]))), 4)
    1.3125
    """
    v = validator("smooth_l1")
    v.reduction(reduction)
    v.positive_param("beta", beta, allow_zero=True)
    y_true, y_pred = prepare_pair(v, "y_true", y_true, "y_pred", y_pred, defer_finite=True)
    loss = F.smooth_l1_loss(y_pred, y_true, reduction=reduction, beta=float(beta))
    return finite_via_result(v, loss, ("y_true", y_true), ("y_pred", y_pred))


def log_cosh(y_true, y_pred, *, reduction="mean"):
    """Log-cosh loss: ``log cosh(ŷ − y)``, computed as ``a + softplus(−2a) − log 2``,
    ``a = abs(ŷ − y)``, which never overflows; gradient ``tanh(ŷ − y)``.

    Parameters
    ----------
    y_true, y_pred : Tensor, same shape.
    reduction : {"mean", "sum", "none"}; "none" returns ``y_pred``'s shape.

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. PyTorch has no built-in; Keras's ``LogCosh`` is the same function.

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> round(float(lt.log_cosh(torch.tensor([0.0]), torch.tensor([1.0]))), 4)
    0.4338
    """
    v = validator("log_cosh")
    v.reduction(reduction)
    y_true, y_pred = prepare_pair(v, "y_true", y_true, "y_pred", y_pred)
    a = (y_pred - y_true).abs()
    return reduce(a + F.softplus(-2.0 * a) - _LOG2, reduction)


def quantile(y_true, y_pred, *, q=0.5, reduction="mean"):
    """Quantile (pinball) loss: ``max(q·r, (q − 1)·r)``, ``r = y − ŷ``, ``0 < q < 1``.

    Computed as ``q·relu(r) + (1 − q)·relu(−r)``, so at the kink ``r = 0`` the gradient
    with respect to ``ŷ`` is 0 (lossbook's kink rule, as in every backend). Equals sklearn's
    ``mean_pinball_loss(alpha=q)``; PyTorch has no built-in.

    Parameters
    ----------
    y_true, y_pred : Tensor, same shape.
    q : float in (0, 1), the quantile estimated.
    reduction : {"mean", "sum", "none"}; "none" returns ``y_pred``'s shape.

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device.

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> round(float(lt.quantile(torch.tensor([1.0, 1.0]), torch.tensor([0.0, 2.0]), q=0.9)), 4)
    0.5
    """
    v = validator("quantile")
    v.reduction(reduction)
    v.open_unit_param("q", q)
    y_true, y_pred = prepare_pair(v, "y_true", y_true, "y_pred", y_pred)
    r = y_true - y_pred
    return reduce(q * F.relu(r) + (1.0 - q) * F.relu(-r), reduction)


def poisson_nll(y_true, y_pred, *, log_input=False, reduction="mean"):
    """Poisson negative log-likelihood (no Stirling term).

    ``ŷ − y·log(ŷ + 1e-8)``; with ``log_input=True`` (``ŷ`` is a log-rate):
    ``exp(ŷ) − y·ŷ``. Needs ``y_true ≥ 0`` and, without ``log_input``, ``y_pred ≥ 0``.

    Parameters
    ----------
    y_true : Tensor, counts ≥ 0.
    y_pred : Tensor, same shape: rate (``log_input=False``) or log-rate.
    log_input : bool.
    reduction : {"mean", "sum", "none"}; "none" returns ``y_pred``'s shape.

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. Same as ``torch.nn.PoissonNLLLoss(full=False, eps=1e-8)`` except for the
    default: torch's ``log_input`` defaults to True, lossbook's to False.

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> round(float(lt.poisson_nll(torch.tensor([2.0]), torch.tensor([1.0]))), 4)
    1.0
    >>> round(float(lt.poisson_nll(torch.tensor([2.0]), torch.tensor([0.0]), log_input=True)), 4)
    1.0
    """
    v = validator("poisson_nll")
    v.reduction(reduction)
    v.bool_param("log_input", log_input)
    y_true, y_pred = prepare_pair(v, "y_true", y_true, "y_pred", y_pred)
    v.nonnegative("y_true", y_true, fix="Counts cannot be negative: check the targets.")
    if log_input:
        loss = torch.exp(y_pred) - y_true * y_pred
    else:
        v.nonnegative(
            "y_pred",
            y_pred,
            fix="A rate cannot be negative: apply exp/softplus first, "
            "or pass log-rates with log_input=True.",
        )
        loss = y_pred - y_true * torch.log(y_pred + 1e-8)
    return reduce(loss, reduction)


def gaussian_nll(y_true, mean, var, *, reduction="mean"):
    """Gaussian negative log-likelihood with predicted variance, no constant term.

    ``½(log v + (y − μ)²/v)`` with ``v = max(var, 1e-6)``; the gradient with respect to
    ``var`` is 0 where it is clamped.

    Parameters
    ----------
    y_true, mean, var : Tensor, all the same shape (no broadcasting); ``var ≥ 0``.
    reduction : {"mean", "sum", "none"}; "none" returns ``mean``'s shape.

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. Same value as ``torch.nn.GaussianNLLLoss(full=False, eps=1e-6)``, whose clamp
    passes the gradient straight through and which allows ``var`` with one axis fewer.

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> t = torch.tensor([1.0])
    >>> round(float(lt.gaussian_nll(t, torch.tensor([0.0]), torch.tensor([1.0]))), 4)
    0.5
    """
    v = validator("gaussian_nll")
    v.reduction(reduction)
    y_true, mean, var = as_tensors(y_true, mean, var)
    target_dtype(v, "y_true", y_true)
    v.floating("mean", mean)
    v.floating("var", var)
    for name, x in (("y_true", y_true), ("mean", mean), ("var", var)):
        v.nonempty(name, x)
    v.same_shape("y_true", y_true, "mean", mean)
    v.same_shape("mean", mean, "var", var)
    dtype = compute_dtype(mean, var)
    y_true, mean, var = (x.to(dtype) for x in (y_true, mean, var))
    for name, x in (("y_true", y_true), ("mean", mean), ("var", var)):
        v.finite(name, x)
    v.nonnegative(
        "var", var, fix="Predict a variance through softplus/exp (it is clamped below at 1e-6)."
    )
    var = torch.clamp(var, min=1e-6)
    return reduce(0.5 * (torch.log(var) + (y_true - mean).square() / var), reduction)
