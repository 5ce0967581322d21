"""Segmentation losses in TensorFlow: dice."""

from __future__ import annotations

import tensorflow as tf

from ._ops import cast, compute_dtype, prepare_pair, reduce, validator

__all__ = ["dice"]


def dice(y_true, p, *, smooth=1.0, reduction="mean"):
    """Soft Dice loss, ``1 - (2·Σ y·p + s) / (Σ y + Σ p + s)`` per sample.

    The sums run over every non-batch axis (axis 0 is the batch), so ``"none"`` returns
    one value per sample, shape ``(N,)``. A 1-D input has no non-batch axes: each element
    is its own sample.

    Parameters
    ----------
    y_true : tf.Tensor
        Masks ``(N, ...)`` with values in [0, 1] (soft masks allowed).
    p : tf.Tensor
        Predicted probabilities, same shape, floating, values in [0, 1] (apply a sigmoid
        or softmax first).
    smooth : float
        ``s >= 0``, added to numerator and denominator; it makes an empty mask with an
        empty prediction score a loss of 0. With ``smooth=0`` that case is 0/0 (NaN).
    reduction : {"mean", "sum", "none"}

    Notes
    -----
    ``keras.losses.Dice`` has no smoothing term -- it adds ``epsilon() = 1e-7`` to the
    denominator only -- and with its default ``axis=None`` sums over the *whole batch*
    (one Dice for all samples); pass ``axis=(1, ..., ndim-1)`` to get one value per sample
    as here. No PyTorch built-in.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import dice
    >>> y = tf.constant([[1.0, 1.0, 0.0, 0.0]])
    >>> p = tf.constant([[0.9, 0.6, 0.2, 0.0]])
    >>> round(float(dice(y, p)), 4)
    0.1489
    """
    v = validator("dice")
    v.reduction(reduction)
    v.positive_param("smooth", smooth, allow_zero=True)
    y_true, p = prepare_pair(v, "y_true", y_true, "p", p, layout="(N, ...)")
    v.in_unit_interval("y_true", y_true, fix="Pass 0/1 (or soft) masks.")
    v.in_unit_interval("p", p)
    dtype = compute_dtype(p)
    y, p = cast(y_true, dtype), cast(p, dtype)
    axes = list(range(1, p.shape.rank))
    inter = tf.reduce_sum(y * p, axis=axes)
    total = tf.reduce_sum(y, axis=axes) + tf.reduce_sum(p, axis=axes)
    return reduce(1.0 - (2.0 * inter + smooth) / (total + smooth), reduction)
