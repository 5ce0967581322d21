"""Regression losses in NumPy, each with a hand-derived gradient ``<name>_grad``.

All of them are elementwise: ``reduction="none"`` returns an array of the prediction's
shape, ``"sum"`` its sum and ``"mean"`` its mean. ``<name>_grad`` takes the same arguments
and returns d(reduced loss)/d(prediction) with the prediction's shape (for ``"none"``: the
gradient of the sum). Arguments come targets first, predictions second (the Keras /
scikit-learn order; PyTorch's functional losses take ``(input, target)``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._validate import Validator
from ._ops import grad_scale, reduce, validator

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


# ---- shared helpers (also used by lossbook.numpy.binary) ---------------------------------
def _start(loss: str, reduction: Any) -> Validator:
    """A validator for one call of ``loss``; checks ``reduction`` first."""
    v = validator(loss)
    v.reduction(reduction)
    return v


def _float_array(v: Validator, name: str, x: Any) -> np.ndarray:
    """Array-like -> ndarray; bool/int become float64, other non-float dtypes are refused."""
    x = np.asarray(x)
    if x.dtype.kind in "biu":
        x = x.astype(np.float64)
    v.floating(name, x)
    return x


def _elementwise_inputs(v: Validator, **named: Any) -> list[np.ndarray]:
    """Dtypes, non-empty, identical shapes, finiteness (CONTRIBUTING's order) for the
    arguments of an elementwise loss, given in signature order (target first).

    Returns the arrays cast to the compute dtype: the float dtype of the predictions
    (every argument after the first).
    """
    arrays = {name: _float_array(v, name, x) for name, x in named.items()}
    for name, a in arrays.items():
        v.nonempty(name, a)
    (first, a0), *rest = arrays.items()
    for name, a in rest:
        v.same_shape(first, a0, name, a)
    for name, a in arrays.items():
        v.finite(name, a)
    dtype = np.result_type(*list(arrays.values())[1:])
    return [a.astype(dtype, copy=False) for a in arrays.values()]


def _residual(loss: str, y_true: Any, y_pred: Any, reduction: Any) -> np.ndarray:
    """Validate a parameter-free (y_true, y_pred) loss and return d = y_pred - y_true."""
    y, y_hat = _elementwise_inputs(_start(loss, reduction), y_true=y_true, y_pred=y_pred)
    return y_hat - y


def _grad(g: np.ndarray, reduction: str) -> np.ndarray:
    return grad_scale(g, g.size, reduction)


# ---- mse ---------------------------------------------------------------------------------
def mse(y_true: Any, y_pred: Any, *, reduction: str = "mean") -> np.ndarray:
    """Mean squared error (squared L2 loss).

    The unreduced loss is ``(y - ŷ)²`` elementwise. Its minimiser over a distribution of
    targets is the conditional mean; it is the negative log-likelihood of a Gaussian with
    fixed variance, up to constants.

    Parameters
    ----------
    y_true : array_like
        Targets ``y``, any shape.
    y_pred : array_like
        Predictions ``ŷ``, the same shape as ``y_true`` (no broadcasting).
    reduction : {"mean", "sum", "none"}
        ``"none"``: the elementwise losses, shape of ``y_pred``; ``"sum"``: their sum;
        ``"mean"``: their mean over every element.

    Returns
    -------
    ndarray
        Computed in the float dtype of ``y_pred`` (float64 for integer input); a 0-d value
        for ``"mean"`` and ``"sum"``.

    Notes
    -----
    Same as ``torch.nn.functional.mse_loss(y_pred, y_true)`` (note torch's ``(input,
    target)`` order) and ``keras.losses.MeanSquaredError``. Keras's per-sample
    ``reduction=None`` output averages over the last axis (shape ``(N,)`` for ``(N, C)``),
    lossbook's ``"none"`` keeps every element; the overall means agree.
    Gradient: :func:`mse_grad`.

    Examples
    --------
    >>> round(float(mse([1.0, 2.0], [1.5, 2.0])), 4)
    0.125
    >>> mse([1.0, 2.0], [1.5, 2.0], reduction="none").tolist()
    [0.25, 0.0]
    """
    d = _residual("mse", y_true, y_pred, reduction)
    return reduce(d * d, reduction)


def mse_grad(y_true: Any, y_pred: Any, *, reduction: str = "mean") -> np.ndarray:
    """Gradient of :func:`mse` with respect to ``y_pred``: ``2(ŷ - y)``, divided by the
    number of elements for ``"mean"`` (for ``"none"``: the gradient of the sum).

    Examples
    --------
    >>> mse_grad([1.0, 2.0], [1.5, 2.0]).tolist()
    [0.5, 0.0]
    """
    return _grad(2 * _residual("mse", y_true, y_pred, reduction), reduction)


# ---- mae ---------------------------------------------------------------------------------
def mae(y_true: Any, y_pred: Any, *, reduction: str = "mean") -> np.ndarray:
    """Mean absolute error (L1 loss).

    The unreduced loss is ``|y - ŷ|`` elementwise. Its minimiser is the conditional
    median, so it is less sensitive to outliers than :func:`mse`; the gradient has
    constant magnitude, which makes the last steps of optimisation noisy.

    Parameters
    ----------
    y_true : array_like
        Targets, any shape.
    y_pred : array_like
        Predictions, the same shape as ``y_true``.
    reduction : {"mean", "sum", "none"}
        ``"none"``: elementwise, shape of ``y_pred``; ``"sum"``; ``"mean"`` over every element.

    Returns
    -------
    ndarray
        In the float dtype of ``y_pred``; 0-d for ``"mean"`` / ``"sum"``.

    Notes
    -----
    Same as ``torch.nn.functional.l1_loss(y_pred, y_true)`` and
    ``keras.losses.MeanAbsoluteError`` (whose per-sample output averages the last axis).
    At ``ŷ = y`` the gradient is ``sign(0) = 0``, as PyTorch's ``abs`` gives.

    Examples
    --------
    >>> round(float(mae([1.0, 2.0, 3.0], [2.0, 2.0, 1.0])), 4)
    1.0
    """
    return reduce(np.abs(_residual("mae", y_true, y_pred, reduction)), reduction)


def mae_grad(y_true: Any, y_pred: Any, *, reduction: str = "mean") -> np.ndarray:
    """Gradient of :func:`mae` with respect to ``y_pred``: ``sign(ŷ - y)`` (0 at ``ŷ = y``),
    divided by the number of elements for ``"mean"``.

    Examples
    --------
    >>> mae_grad([1.0, 2.0, 3.0], [2.0, 2.0, 1.0], reduction="sum").tolist()
    [1.0, 0.0, -1.0]
    """
    return _grad(np.sign(_residual("mae", y_true, y_pred, reduction)), reduction)


# ---- huber -------------------------------------------------------------------------------
def _prepare_huber(y_true: Any, y_pred: Any, delta: float, reduction: Any) -> np.ndarray:
    v = _start("huber", reduction)
    v.positive_param("delta", delta)
    y, y_hat = _elementwise_inputs(v, y_true=y_true, y_pred=y_pred)
    return y_hat - y


def huber(y_true: Any, y_pred: Any, *, delta: float = 1.0, reduction: str = "mean") -> np.ndarray:
    """Huber loss: quadratic near zero, linear in the tails (Huber, 1964).

    With ``r = y - ŷ`` the unreduced loss is ``½ r²`` where ``|r| <= delta`` and
    ``delta·(|r| - ½ delta)`` elsewhere. The two pieces meet with equal value and slope
    at ``|r| = delta``, so the loss is once continuously differentiable; the gradient is
    the residual clipped to ``[-delta, delta]``. Large errors count linearly (robust to
    outliers), small ones quadratically (smooth near the optimum).

    Parameters
    ----------
    y_true : array_like
        Targets, any shape.
    y_pred : array_like
        Predictions, the same shape as ``y_true``.
    delta : float, default 1.0
        Where the loss turns from quadratic to linear; must be > 0.
    reduction : {"mean", "sum", "none"}
        ``"none"``: elementwise, shape of ``y_pred``; ``"sum"``; ``"mean"`` over every element.

    Returns
    -------
    ndarray
        In the float dtype of ``y_pred``; 0-d for ``"mean"`` / ``"sum"``.

    Notes
    -----
    Equal to ``torch.nn.HuberLoss(delta=delta)`` and ``keras.losses.Huber(delta=delta)``
    (Keras averages the last axis for its per-sample output). It is *not* equal to
    ``torch.nn.SmoothL1Loss(beta)``: ``SmoothL1Loss(beta) = HuberLoss(delta=beta) / beta``
    (see :func:`smooth_l1`).

    References
    ----------
    P. J. Huber, "Robust estimation of a location parameter", Ann. Math. Statist. 35 (1964).

    Examples
    --------
    >>> huber([0.0, 0.0], [0.5, 3.0], reduction="none").tolist()
    [0.125, 2.5]
    >>> round(float(huber([0.0, 0.0], [0.5, 3.0], delta=2.0)), 4)
    2.0625
    """
    d = _prepare_huber(y_true, y_pred, delta, reduction)
    a = np.abs(d)
    return reduce(np.where(a <= delta, 0.5 * d * d, delta * (a - 0.5 * delta)), reduction)


def huber_grad(
    y_true: Any, y_pred: Any, *, delta: float = 1.0, reduction: str = "mean"
) -> np.ndarray:
    """Gradient of :func:`huber` with respect to ``y_pred``: ``clip(ŷ - y, -delta, delta)``,
    divided by the number of elements for ``"mean"``.

    Examples
    --------
    >>> huber_grad([0.0, 0.0], [0.5, 3.0], reduction="sum").tolist()
    [0.5, 1.0]
    """
    d = _prepare_huber(y_true, y_pred, delta, reduction)
    return _grad(np.clip(d, -delta, delta), reduction)


# ---- smooth_l1 ---------------------------------------------------------------------------
def _prepare_smooth_l1(y_true: Any, y_pred: Any, beta: float, reduction: Any) -> np.ndarray:
    v = _start("smooth_l1", reduction)
    v.positive_param("beta", beta, allow_zero=True)
    y, y_hat = _elementwise_inputs(v, y_true=y_true, y_pred=y_pred)
    return y_hat - y


def smooth_l1(
    y_true: Any, y_pred: Any, *, beta: float = 1.0, reduction: str = "mean"
) -> np.ndarray:
    """Smooth L1 loss (Girshick, 2015, Fast R-CNN box regression).

    With ``r = y - ŷ`` the unreduced loss is ``½ r² / beta`` where ``|r| < beta`` and
    ``|r| - ½ beta`` elsewhere: an L1 loss whose corner is rounded off over a width of
    ``beta``. ``beta = 0`` gives exactly the L1 loss (:func:`mae`), as in PyTorch.

    Parameters
    ----------
    y_true : array_like
        Targets, any shape.
    y_pred : array_like
        Predictions, the same shape as ``y_true``.
    beta : float, default 1.0
        Width of the quadratic zone; must be >= 0.
    reduction : {"mean", "sum", "none"}
        ``"none"``: elementwise, shape of ``y_pred``; ``"sum"``; ``"mean"`` over every element.

    Returns
    -------
    ndarray
        In the float dtype of ``y_pred``; 0-d for ``"mean"`` / ``"sum"``.

    Notes
    -----
    Equal to ``torch.nn.SmoothL1Loss(beta=beta)``. Relation to Huber:
    ``smooth_l1(beta) = huber(delta=beta) / beta``: the linear tails have slope 1
    whatever ``beta``, while Huber's have slope ``delta``. Keras has no smooth L1 loss;
    ``keras.losses.Huber(delta=beta)`` divided by ``beta`` gives the same value.

    References
    ----------
    R. Girshick, "Fast R-CNN", ICCV 2015.

    Examples
    --------
    >>> smooth_l1([0.0, 0.0], [0.5, 3.0], reduction="none").tolist()
    [0.125, 2.5]
    >>> smooth_l1([0.0, 0.0], [0.5, 3.0], beta=2.0, reduction="none").tolist()
    [0.0625, 2.0]
    """
    d = _prepare_smooth_l1(y_true, y_pred, beta, reduction)
    a = np.abs(d)
    if beta == 0:
        return reduce(a, reduction)
    return reduce(np.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta), reduction)


def smooth_l1_grad(
    y_true: Any, y_pred: Any, *, beta: float = 1.0, reduction: str = "mean"
) -> np.ndarray:
    """Gradient of :func:`smooth_l1` with respect to ``y_pred``: ``(ŷ - y) / beta`` where
    ``|ŷ - y| < beta``, else ``sign(ŷ - y)`` (``beta = 0``: ``sign``, 0 at ``ŷ = y``);
    divided by the number of elements for ``"mean"``.

    Examples
    --------
    >>> smooth_l1_grad([0.0, 0.0], [0.5, 3.0], reduction="sum").tolist()
    [0.5, 1.0]
    """
    d = _prepare_smooth_l1(y_true, y_pred, beta, reduction)
    g = np.sign(d) if beta == 0 else np.clip(d / beta, -1, 1)
    return _grad(g, reduction)


# ---- log_cosh ----------------------------------------------------------------------------
def log_cosh(y_true: Any, y_pred: Any, *, reduction: str = "mean") -> np.ndarray:
    """Log-cosh loss.

    The unreduced loss is ``log cosh(ŷ - y)``: about ``½ d²`` for small errors
    ``d = ŷ - y`` and about ``|d| - log 2`` for large ones, a smooth (infinitely
    differentiable) cousin of :func:`huber` with ``delta = 1``. Its gradient is
    ``tanh(d)``. ``cosh`` overflows for ``|d| > 710`` in float64 (``> 89`` in float32), so it
    is computed as ``|d| + log1p(exp(-2|d|)) - log 2``, finite for any finite ``d``.

    Parameters
    ----------
    y_true : array_like
        Targets, any shape.
    y_pred : array_like
        Predictions, the same shape as ``y_true``.
    reduction : {"mean", "sum", "none"}
        ``"none"``: elementwise, shape of ``y_pred``; ``"sum"``; ``"mean"`` over every element.

    Returns
    -------
    ndarray
        In the float dtype of ``y_pred``; 0-d for ``"mean"`` / ``"sum"``.

    Notes
    -----
    Equal to ``keras.losses.LogCosh`` (which averages the last axis for its per-sample
    output); PyTorch has no built-in. Symmetric in ``y`` and ``ŷ``.

    Examples
    --------
    >>> round(float(log_cosh([0.0], [1.0])), 4)
    0.4338
    >>> round(float(log_cosh([0.0], [1000.0])), 4)
    999.3069
    """
    d = _residual("log_cosh", y_true, y_pred, reduction)
    a = np.abs(d)
    return reduce(a + np.log1p(np.exp(-2 * a)) - math.log(2.0), reduction)


def log_cosh_grad(y_true: Any, y_pred: Any, *, reduction: str = "mean") -> np.ndarray:
    """Gradient of :func:`log_cosh` with respect to ``y_pred``: ``tanh(ŷ - y)``, divided by
    the number of elements for ``"mean"``.

    Examples
    --------
    >>> round(float(log_cosh_grad([0.0], [1.0])[0]), 4)
    0.7616
    """
    return _grad(np.tanh(_residual("log_cosh", y_true, y_pred, reduction)), reduction)


# ---- quantile ----------------------------------------------------------------------------
def _prepare_quantile(y_true: Any, y_pred: Any, q: float, reduction: Any) -> np.ndarray:
    v = _start("quantile", reduction)
    v.open_unit_param("q", q)
    y, y_hat = _elementwise_inputs(v, y_true=y_true, y_pred=y_pred)
    return y - y_hat


def quantile(y_true: Any, y_pred: Any, *, q: float = 0.5, reduction: str = "mean") -> np.ndarray:
    """Quantile (pinball) loss (Koenker & Bassett, 1978).

    With ``r = y - ŷ`` the unreduced loss is ``max(q·r, (q - 1)·r)``: under-prediction
    (``r > 0``) costs ``q`` per unit, over-prediction ``1 - q``. Its minimiser is the
    ``q``-quantile of the target distribution; ``q = 0.5`` is half the absolute error
    (the median).

    Parameters
    ----------
    y_true : array_like
        Targets, any shape.
    y_pred : array_like
        Predictions, the same shape as ``y_true``.
    q : float, default 0.5
        The quantile level, strictly between 0 and 1.
    reduction : {"mean", "sum", "none"}
        ``"none"``: elementwise, shape of ``y_pred``; ``"sum"``; ``"mean"`` over every element.

    Returns
    -------
    ndarray
        In the float dtype of ``y_pred``; 0-d for ``"mean"`` / ``"sum"``.

    Notes
    -----
    The ``"mean"`` reduction equals ``sklearn.metrics.mean_pinball_loss(y_true, y_pred,
    alpha=q)`` on flattened inputs. Neither PyTorch nor Keras ships a pinball loss
    (``tfa.losses.PinballLoss`` lived in the retired TensorFlow Addons). At ``ŷ = y`` the
    gradient is taken as 0 (writing the loss as ``q·relu(r) + (1 - q)·relu(-r)``).

    References
    ----------
    R. Koenker and G. Bassett, "Regression quantiles", Econometrica 46 (1978).

    Examples
    --------
    >>> quantile([1.0, 1.0], [0.0, 2.0], q=0.9, reduction="none").round(4).tolist()
    [0.9, 0.1]
    """
    r = _prepare_quantile(y_true, y_pred, q, reduction)
    return reduce(np.maximum(q * r, (q - 1) * r), reduction)


def quantile_grad(
    y_true: Any, y_pred: Any, *, q: float = 0.5, reduction: str = "mean"
) -> np.ndarray:
    """Gradient of :func:`quantile` with respect to ``y_pred``: ``-q`` where ``ŷ < y``,
    ``1 - q`` where ``ŷ > y``, 0 at ``ŷ = y``; divided by the number of elements for
    ``"mean"``.

    Examples
    --------
    >>> quantile_grad([1.0, 1.0], [0.0, 2.0], q=0.9, reduction="sum").round(4).tolist()
    [-0.9, 0.1]
    """
    r = _prepare_quantile(y_true, y_pred, q, reduction)
    return _grad(np.where(r > 0, -q, np.where(r < 0, 1 - q, 0)).astype(r.dtype), reduction)


# ---- poisson_nll -------------------------------------------------------------------------
def _prepare_poisson_nll(
    y_true: Any, y_pred: Any, log_input: bool, reduction: Any
) -> tuple[np.ndarray, np.ndarray]:
    v = _start("poisson_nll", reduction)
    v.bool_param("log_input", log_input)
    y, y_hat = _elementwise_inputs(v, y_true=y_true, y_pred=y_pred)
    v.nonnegative("y_true", y, fix="Poisson targets are counts (or non-negative rates).")
    if not log_input:
        v.nonnegative(
            "y_pred",
            y_hat,
            fix="y_pred is a rate: pass softplus/exp of the model output, "
            "or pass log-rates with log_input=True.",
        )
    return y, y_hat


def poisson_nll(
    y_true: Any, y_pred: Any, *, log_input: bool = False, reduction: str = "mean"
) -> np.ndarray:
    """Poisson negative log-likelihood (a generalised linear model loss for counts).

    With a predicted rate ``λ = ŷ`` the unreduced loss is ``λ - y·log(λ + 1e-8)``: the
    negative log of the Poisson probability ``λ^y e^{-λ} / y!`` without the ``log y!``
    term, which does not depend on the prediction. With ``log_input=True`` the prediction
    is the log-rate ``ŷ = log λ`` and the loss is ``exp(ŷ) - y·ŷ`` (no eps needed; the
    usual choice for a linear output layer). The minimiser is the conditional mean
    count.

    Parameters
    ----------
    y_true : array_like
        Counts (non-negative; non-integer rates are accepted), any shape.
    y_pred : array_like
        Rates ``λ >= 0`` (or log-rates with ``log_input=True``), the same shape as ``y_true``.
    log_input : bool, default False
        Whether ``y_pred`` holds log-rates.
    reduction : {"mean", "sum", "none"}
        ``"none"``: elementwise, shape of ``y_pred``; ``"sum"``; ``"mean"`` over every element.

    Returns
    -------
    ndarray
        In the float dtype of ``y_pred``; 0-d for ``"mean"`` / ``"sum"``.

    Notes
    -----
    Equal to ``torch.nn.PoissonNLLLoss(log_input=log_input, full=False, eps=1e-8)``, but
    **mind the default**: torch's ``log_input`` defaults to ``True``, lossbook's to
    ``False`` (a rate, like Keras). ``keras.losses.Poisson`` computes
    ``ŷ - y·log(ŷ + 1e-7)`` (eps 1e-7, averaged over the last axis per sample) and has no
    log-input mode. The constant ``log y!`` (torch's ``full=True`` adds Stirling's
    approximation of it) is dropped, so the loss is not zero at ``ŷ = y`` and can be
    negative.

    References
    ----------
    P. McCullagh and J. A. Nelder, *Generalized Linear Models*, 2nd ed., 1989.

    Examples
    --------
    >>> round(float(poisson_nll([2.0], [2.0])), 4)
    0.6137
    >>> round(float(poisson_nll([2.0], [0.0], log_input=True)), 4)
    1.0
    """
    y, y_hat = _prepare_poisson_nll(y_true, y_pred, log_input, reduction)
    if log_input:
        return reduce(np.exp(y_hat) - y * y_hat, reduction)
    return reduce(y_hat - y * np.log(y_hat + _POISSON_EPS), reduction)


def poisson_nll_grad(
    y_true: Any, y_pred: Any, *, log_input: bool = False, reduction: str = "mean"
) -> np.ndarray:
    """Gradient of :func:`poisson_nll` with respect to ``y_pred``: ``1 - y / (ŷ + 1e-8)``,
    or ``exp(ŷ) - y`` with ``log_input=True``; divided by the number of elements for
    ``"mean"``.

    Examples
    --------
    >>> poisson_nll_grad([2.0, 0.0], [4.0, 1.0], reduction="sum").round(4).tolist()
    [0.5, 1.0]
    """
    y, y_hat = _prepare_poisson_nll(y_true, y_pred, log_input, reduction)
    g = np.exp(y_hat) - y if log_input else 1 - y / (y_hat + _POISSON_EPS)
    return _grad(g, reduction)


# ---- gaussian_nll ------------------------------------------------------------------------
def _prepare_gaussian_nll(
    y_true: Any, mean: Any, var: Any, reduction: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    v = _start("gaussian_nll", reduction)
    y, mu, var = _elementwise_inputs(v, y_true=y_true, mean=mean, var=var)
    v.nonnegative(
        "var", var, fix="var is a variance: produce it with softplus or exp of the model output."
    )
    return y, mu, var


# No return annotations on gaussian_nll and its gradient: <name>_grad must have the
# loss's exact signature (annotations included), and the gradient returns a tuple.
def gaussian_nll(y_true: Any, mean: Any, var: Any, *, reduction: str = "mean"):
    """Gaussian negative log-likelihood with a predicted variance (Nix & Weigend, 1994).

    The model predicts a mean ``μ`` and a variance ``v`` per element; the unreduced loss is
    ``½ (log v + (y - μ)² / v)`` with ``v`` clamped below at 1e-6, the negative log-density
    of ``N(μ, v)`` without the constant ``½ log 2π``. Minimising it fits the conditional
    mean and the conditional variance (heteroscedastic regression). It is not bounded
    below by 0 and is negative for small variances.

    Parameters
    ----------
    y_true : array_like
        Targets, any shape.
    mean : array_like
        Predicted means ``μ``, the same shape as ``y_true``.
    var : array_like
        Predicted variances ``v >= 0``, the same shape as ``y_true``. Unlike PyTorch,
        lossbook does not broadcast a shared variance: pass ``np.full_like(mean, v)``.
    reduction : {"mean", "sum", "none"}
        ``"none"``: elementwise, shape of ``mean``; ``"sum"``; ``"mean"`` over every element.

    Returns
    -------
    ndarray
        In the float dtype of ``mean`` and ``var``; 0-d for ``"mean"`` / ``"sum"``.

    Notes
    -----
    Equal in value to ``torch.nn.GaussianNLLLoss(full=False, eps=1e-6)`` called as
    ``loss(mean, y_true, var)``: torch's argument order is ``(input, target, var)``. Torch
    clamps ``var`` under ``no_grad``, so its gradient passes straight through the clamp;
    lossbook's clamp is an ordinary one (gradient 0 with respect to ``var`` where
    ``var < 1e-6``). Keras has no built-in. Predict ``var`` through softplus or exp (or
    predict ``log v``) to keep it positive.

    References
    ----------
    D. A. Nix and A. S. Weigend, "Estimating the mean and variance of the target
    probability distribution", IEEE ICNN 1994.

    Examples
    --------
    >>> round(float(gaussian_nll([1.0], [0.0], [1.0])), 4)
    0.5
    >>> round(float(gaussian_nll([1.0], [0.0], [4.0])), 4)
    0.8181
    """
    y, mu, var = _prepare_gaussian_nll(y_true, mean, var, reduction)
    v = np.maximum(var, _VAR_MIN)
    return reduce(0.5 * (np.log(v) + (y - mu) ** 2 / v), reduction)


def gaussian_nll_grad(y_true: Any, mean: Any, var: Any, *, reduction: str = "mean"):
    """Gradient of :func:`gaussian_nll`: the tuple ``(d/d mean, d/d var)``.

    ``d/dμ = (μ - y) / v`` and ``d/d var = ½ (1/v - (y - μ)² / v²)`` where
    ``var >= 1e-6``, else 0 (the clamp is flat there); both divided by the number of
    elements for ``"mean"``.

    Examples
    --------
    >>> d_mean, d_var = gaussian_nll_grad([1.0], [0.0], [2.0])
    >>> round(float(d_mean[0]), 4), round(float(d_var[0]), 4)
    (-0.5, 0.125)
    """
    y, mu, var = _prepare_gaussian_nll(y_true, mean, var, reduction)
    v = np.maximum(var, _VAR_MIN)
    r2 = (y - mu) ** 2
    d_var = np.where(var >= _VAR_MIN, 0.5 * (1 / v - r2 / (v * v)), 0).astype(v.dtype)
    return _grad((mu - y) / v, reduction), _grad(d_var, reduction)
