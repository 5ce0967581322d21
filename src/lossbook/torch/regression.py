"""Regression losses in PyTorch (the mathematics only: :mod:`lossbook._frame` builds the
public functions from the catalog). Where PyTorch has a fused kernel with the same
definition, the math calls it with the reduction."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ._ops import implements

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


@implements("mse")
def mse(y_true, y_pred, *, reduction):
    """Calls ``torch.nn.functional.mse_loss(y_pred, y_true)`` after lossbook's checks."""
    return F.mse_loss(y_pred, y_true, reduction=reduction)


@implements("mae")
def mae(y_true, y_pred, *, reduction):
    """Calls ``torch.nn.functional.l1_loss(y_pred, y_true)`` after lossbook's checks."""
    return F.l1_loss(y_pred, y_true, reduction=reduction)


@implements("huber")
def huber(y_true, y_pred, *, delta, reduction):
    """Calls ``torch.nn.functional.huber_loss`` after lossbook's checks."""
    return F.huber_loss(y_pred, y_true, reduction=reduction, delta=float(delta))


@implements("smooth_l1")
def smooth_l1(y_true, y_pred, *, beta, reduction):
    """Calls ``torch.nn.functional.smooth_l1_loss`` after lossbook's checks."""
    return F.smooth_l1_loss(y_pred, y_true, reduction=reduction, beta=float(beta))


@implements("log_cosh")
def log_cosh(y_true, y_pred):
    """Computed as ``|d| + softplus(-2|d|) - log 2``: no overflow."""
    a = (y_pred - y_true).abs()
    return a + F.softplus(-2.0 * a) - _LOG2


@implements("quantile")
def quantile(y_true, y_pred, *, q):
    r = y_true - y_pred
    return q * F.relu(r) + (1.0 - q) * F.relu(-r)


@implements("poisson_nll")
def poisson_nll(y_true, y_pred, *, log_input):
    if log_input:
        return torch.exp(y_pred) - y_true * y_pred
    return y_pred - y_true * torch.log(y_pred + 1e-8)


@implements("gaussian_nll")
def gaussian_nll(y_true, mean, var):
    """``var`` is clamped with an ordinary clamp (gradient 0 below 1e-6)."""
    var = torch.clamp(var, min=1e-6)
    return 0.5 * (torch.log(var) + (y_true - mean).square() / var)
