"""Regression losses in TensorFlow: mse, mae, huber, smooth_l1, log_cosh, quantile,
poisson_nll, gaussian_nll.

All are elementwise: ``reduction="none"`` returns the prediction's shape. Keras's
built-ins instead average over the last axis first and reduce with
``"sum_over_batch_size"``; for a 1-D input the two means agree.
"""

from __future__ import annotations

import math

import tensorflow as tf

from ._ops import as_tensor, cast, compute_dtype, prepare_pair, reduce, validator

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


def _pair(name, y_true, y_pred, reduction, params=()):
    """Shared validation of an elementwise (y_true, y_pred) loss; returns cast tensors."""
    v = validator(name)
    v.reduction(reduction)
    for check in params:
        check(v)
    y_true, y_pred = prepare_pair(v, "y_true", y_true, "y_pred", y_pred)
    return v, y_true, y_pred


def mse(y_true, y_pred, *, reduction="mean"):
    """Mean squared error, ``(y - ŷ)²``.

    Parameters
    ----------
    y_true, y_pred : tf.Tensor
        Targets and predictions of the same shape (no broadcasting). ``y_pred`` must be
        floating; ``y_true`` is cast to the compute dtype (float32 for float16/bfloat16
        inputs, otherwise ``y_pred``'s dtype).
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns the elementwise loss with ``y_pred``'s shape.

    Notes
    -----
    Gradient ``2(ŷ - y)``. ``keras.losses.MeanSquaredError`` averages over the last axis
    and then over the batch (``"sum_over_batch_size"``), which equals lossbook's ``"mean"``;
    its ``"sum"`` sums the per-sample *means*, lossbook's sums every element.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import mse
    >>> round(float(mse(tf.constant([1.0, 2.0]), tf.constant([1.5, 2.0]))), 4)
    0.125
    """
    _, y, p = _pair("mse", y_true, y_pred, reduction)
    return reduce(tf.square(y - p), reduction)


def mae(y_true, y_pred, *, reduction="mean"):
    """Mean absolute error, ``abs(y - ŷ)``.

    Parameters
    ----------
    y_true, y_pred : tf.Tensor
        Same shape; ``y_pred`` floating (float16/bfloat16 computed in float32).
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns the elementwise loss.

    Notes
    -----
    Gradient ``sign(ŷ - y)`` with ``sign(0) = 0``. ``keras.losses.MeanAbsoluteError``
    averages over the last axis first (same ``"mean"``, different ``"sum"``).

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import mae
    >>> round(float(mae(tf.constant([1.0, 2.0]), tf.constant([1.5, 4.0]))), 4)
    1.25
    """
    _, y, p = _pair("mae", y_true, y_pred, reduction)
    return reduce(tf.abs(y - p), reduction)


def huber(y_true, y_pred, *, delta=1.0, reduction="mean"):
    """Huber loss: ``½r²`` if ``abs(r) <= δ`` else ``δ(abs(r) - ½δ)``, ``r = y - ŷ``.

    Parameters
    ----------
    y_true, y_pred : tf.Tensor
        Same shape; ``y_pred`` floating.
    delta : float
        Where the quadratic turns linear; must be ``> 0``.
    reduction : {"mean", "sum", "none"}

    Notes
    -----
    Equals ``torch.nn.HuberLoss(delta=δ)`` and ``keras.losses.Huber(delta=δ)`` (Keras
    averages over the last axis first). ``smooth_l1`` is ``huber / δ``.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import huber
    >>> round(float(huber(tf.constant([0.0, 0.0]), tf.constant([0.5, 3.0]))), 4)
    1.3125
    """
    _, y, p = _pair(
        "huber", y_true, y_pred, reduction, (lambda v: v.positive_param("delta", delta),)
    )
    a = tf.abs(y - p)
    d = tf.constant(delta, a.dtype)
    return reduce(tf.where(a <= d, 0.5 * tf.square(a), d * (a - 0.5 * d)), reduction)


def smooth_l1(y_true, y_pred, *, beta=1.0, reduction="mean"):
    """Smooth L1: ``½r²/β`` if ``abs(r) < β`` else ``abs(r) - ½β``, ``r = y - ŷ``.

    Parameters
    ----------
    y_true, y_pred : tf.Tensor
        Same shape; ``y_pred`` floating.
    beta : float
        ``>= 0``; ``beta=0`` is the plain L1 loss (as in torch).
    reduction : {"mean", "sum", "none"}

    Notes
    -----
    Equals ``torch.nn.SmoothL1Loss(beta=β)``; Keras has no built-in (its ``Huber`` is
    ``β · smooth_l1``).

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import smooth_l1
    >>> round(float(smooth_l1(tf.constant([0.0, 0.0]), tf.constant([0.5, 3.0]))), 4)
    1.3125
    """
    _, y, p = _pair(
        "smooth_l1",
        y_true,
        y_pred,
        reduction,
        (lambda v: v.positive_param("beta", beta, allow_zero=True),),
    )
    a = tf.abs(y - p)
    if beta == 0:
        return reduce(a, reduction)
    b = tf.constant(beta, a.dtype)
    return reduce(tf.where(a < b, 0.5 * tf.square(a) / b, a - 0.5 * b), reduction)


def log_cosh(y_true, y_pred, *, reduction="mean"):
    """Log-cosh loss, ``log cosh(ŷ - y)``, computed as ``|x| + softplus(-2|x|) - log 2``.

    The rewrite never overflows (``cosh`` itself overflows float32 beyond ``|x| ≈ 89``).

    Parameters
    ----------
    y_true, y_pred : tf.Tensor
        Same shape; ``y_pred`` floating.
    reduction : {"mean", "sum", "none"}

    Notes
    -----
    Gradient ``tanh(ŷ - y)``. Same values as ``keras.losses.LogCosh`` (which averages over
    the last axis first); no PyTorch built-in.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import log_cosh
    >>> round(float(log_cosh(tf.constant([0.0]), tf.constant([1000.0]))), 4)
    999.3068
    """
    _, y, p = _pair("log_cosh", y_true, y_pred, reduction)
    a = tf.abs(p - y)
    return reduce(a + tf.math.softplus(-2.0 * a) - math.log(2.0), reduction)


def quantile(y_true, y_pred, *, q=0.5, reduction="mean"):
    """Quantile (pinball) loss, ``max(q·r, (q - 1)·r)``, ``r = y - ŷ``.

    Computed as ``q·relu(r) + (1 - q)·relu(-r)``, so the gradient at ``r = 0`` is 0.

    Parameters
    ----------
    y_true, y_pred : tf.Tensor
        Same shape; ``y_pred`` floating.
    q : float
        The quantile, strictly between 0 and 1.
    reduction : {"mean", "sum", "none"}

    Notes
    -----
    The ``"mean"`` equals ``sklearn.metrics.mean_pinball_loss(alpha=q)``. No PyTorch or
    Keras built-in.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import quantile
    >>> round(float(quantile(tf.constant([1.0, 1.0]), tf.constant([0.0, 2.0]), q=0.9)), 4)
    0.5
    """
    _, y, p = _pair("quantile", y_true, y_pred, reduction, (lambda v: v.open_unit_param("q", q),))
    r = y - p
    return reduce(q * tf.nn.relu(r) + (1.0 - q) * tf.nn.relu(-r), reduction)


def poisson_nll(y_true, y_pred, *, log_input=False, reduction="mean"):
    """Poisson negative log-likelihood without the ``log(y!)`` term.

    ``ŷ - y·log(ŷ + 1e-8)``, or with ``log_input=True`` (``ŷ`` is the log-rate)
    ``exp(ŷ) - y·ŷ``.

    Parameters
    ----------
    y_true : tf.Tensor
        Counts, ``>= 0`` (need not be integers).
    y_pred : tf.Tensor
        Rates ``>= 0`` (or log-rates with ``log_input=True``), same shape, floating.
    log_input : bool
    reduction : {"mean", "sum", "none"}

    Notes
    -----
    Equals ``torch.nn.PoissonNLLLoss(log_input=..., full=False, eps=1e-8)``.
    ``keras.losses.Poisson`` is ``ŷ - y·log(ŷ + 1e-7)`` (Keras's ``epsilon()``),
    averaged over the last axis.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import poisson_nll
    >>> round(float(poisson_nll(tf.constant([2.0]), tf.constant([2.0]))), 4)
    0.6137
    """
    v, y, p = _pair(
        "poisson_nll", y_true, y_pred, reduction, (lambda v: v.bool_param("log_input", log_input),)
    )
    v.nonnegative("y_true", y, fix="Poisson targets are counts; check the data.")
    if log_input:
        return reduce(tf.exp(p) - y * p, reduction)
    v.nonnegative(
        "y_pred",
        p,
        fix="Pass a rate (e.g. softplus or exp of the output), or use log_input=True.",
    )
    return reduce(p - y * tf.math.log(p + 1e-8), reduction)


def gaussian_nll(y_true, mean, var, *, reduction="mean"):
    """Gaussian negative log-likelihood, ``½(log v + (y - μ)²/v)``, no constant term.

    ``v = max(var, 1e-6)``: the gradient with respect to ``var`` is 0 where it is clamped.

    Parameters
    ----------
    y_true, mean, var : tf.Tensor
        The same shape (no broadcasting of ``var``); ``mean`` and ``var`` floating,
        ``var >= 0``.
    reduction : {"mean", "sum", "none"}

    Notes
    -----
    Equals ``torch.nn.GaussianNLLLoss(full=False, eps=1e-6)`` except that torch passes
    the gradient straight through its clamp and broadcasts a ``var`` with one fewer axis.
    No Keras built-in.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import gaussian_nll
    >>> y, mu, var = tf.constant([1.0]), tf.constant([0.0]), tf.constant([1.0])
    >>> round(float(gaussian_nll(y, mu, var)), 4)
    0.5
    """
    v = validator("gaussian_nll")
    v.reduction(reduction)
    y_true, mean, var = as_tensor(y_true), as_tensor(mean), as_tensor(var)
    v.floating("mean", mean)
    v.floating("var", var)
    for name, x in (("y_true", y_true), ("mean", mean), ("var", var)):
        v.nonempty(name, x)
    v.same_shape("y_true", y_true, "mean", mean)
    v.same_shape("mean", mean, "var", var)
    for name, x in (("y_true", y_true), ("mean", mean), ("var", var)):
        v.finite(name, x)
    v.nonnegative("var", var, fix="Predict a variance with softplus(x) or exp(log_var).")
    dtype = compute_dtype(mean, var)
    y, mu, s2 = cast(y_true, dtype), cast(mean, dtype), cast(var, dtype)
    s2 = tf.maximum(s2, tf.constant(1e-6, dtype))
    return reduce(0.5 * (tf.math.log(s2) + tf.square(y - mu) / s2), reduction)
