"""Regression losses in NumPy, each with a hand-derived gradient ``<name>_grad``.

Only the mathematics is here: :mod:`lossbook._frame` builds the public functions from
the catalog entries (signature, checks, reduction, docstring). Every loss returns the
unreduced (elementwise) loss; every gradient returns the gradient of its sum.
"""

from __future__ import annotations

import math

import numpy as np

from ._ops import gradient, implements

__all__ = [
    "mse",
    "mse_grad",
    "mae",
    "mae_grad",
    "huber",
    "huber_grad",
    "smooth_l1",
    "smooth_l1_grad",
    "log_cosh",
    "log_cosh_grad",
    "quantile",
    "quantile_grad",
    "poisson_nll",
    "poisson_nll_grad",
    "gaussian_nll",
    "gaussian_nll_grad",
]

_POISSON_EPS = 1e-8
_VAR_MIN = 1e-6


@implements("mse")
def mse(y_true, y_pred):
    d = y_pred - y_true
    return d * d


@gradient("mse")
def mse_grad(y_true, y_pred):
    return 2 * (y_pred - y_true)


@implements("mae")
def mae(y_true, y_pred):
    """At ``ŷ = y`` the gradient is ``sign(0) = 0``, as PyTorch's ``abs`` gives."""
    return np.abs(y_pred - y_true)


@gradient("mae")
def mae_grad(y_true, y_pred):
    return np.sign(y_pred - y_true)


@implements("huber")
def huber(y_true, y_pred, *, delta):
    d = y_pred - y_true
    a = np.abs(d)
    return np.where(a <= delta, 0.5 * d * d, delta * (a - 0.5 * delta))


@gradient("huber")
def huber_grad(y_true, y_pred, *, delta):
    return np.clip(y_pred - y_true, -delta, delta)


@implements("smooth_l1")
def smooth_l1(y_true, y_pred, *, beta):
    """``beta = 0`` gives exactly the L1 loss (:func:`mae`), as in PyTorch."""
    a = np.abs(y_pred - y_true)
    if beta == 0:
        return a
    return np.where(a < beta, 0.5 * a * a / beta, a - 0.5 * beta)


@gradient("smooth_l1")
def smooth_l1_grad(y_true, y_pred, *, beta):
    d = y_pred - y_true
    return np.sign(d) if beta == 0 else np.clip(d / beta, -1, 1)


@implements("log_cosh")
def log_cosh(y_true, y_pred):
    """``cosh`` overflows for ``|d| > 710`` in float64, so the loss is computed as
    ``|d| + log1p(exp(-2|d|)) - log 2``, finite for any finite ``d``."""
    a = np.abs(y_pred - y_true)
    return a + np.log1p(np.exp(-2 * a)) - math.log(2.0)


@gradient("log_cosh")
def log_cosh_grad(y_true, y_pred):
    return np.tanh(y_pred - y_true)


@implements("quantile")
def quantile(y_true, y_pred, *, q):
    """At ``ŷ = y`` the gradient is taken as 0 (the loss written as
    ``q·relu(r) + (1 - q)·relu(-r)``)."""
    r = y_true - y_pred
    return np.maximum(q * r, (q - 1) * r)


@gradient("quantile")
def quantile_grad(y_true, y_pred, *, q):
    r = y_true - y_pred
    return np.where(r > 0, -q, np.where(r < 0, 1 - q, 0)).astype(r.dtype)


@implements("poisson_nll")
def poisson_nll(y_true, y_pred, *, log_input):
    if log_input:
        return np.exp(y_pred) - y_true * y_pred
    return y_pred - y_true * np.log(y_pred + _POISSON_EPS)


@gradient("poisson_nll")
def poisson_nll_grad(y_true, y_pred, *, log_input):
    if log_input:
        return np.exp(y_pred) - y_true
    return 1 - y_true / (y_pred + _POISSON_EPS)


@implements("gaussian_nll")
def gaussian_nll(y_true, mean, var):
    """The clamp of ``var`` at 1e-6 is an ordinary one: the gradient with respect to
    ``var`` is 0 below it (torch's passes straight through)."""
    v = np.maximum(var, _VAR_MIN)
    return 0.5 * (np.log(v) + (y_true - mean) ** 2 / v)


@gradient("gaussian_nll")
def gaussian_nll_grad(y_true, mean, var):
    v = np.maximum(var, _VAR_MIN)
    r2 = (y_true - mean) ** 2
    d_var = np.where(var >= _VAR_MIN, 0.5 * (1 / v - r2 / (v * v)), 0).astype(v.dtype)
    return (mean - y_true) / v, d_var
