"""Segmentation losses in NumPy: reference implementation and hand-derived gradient."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._ops import as_float, grad_scale, reduce, validator

__all__ = ["dice", "dice_grad"]


def _dice_forward(y_true, p, smooth, reduction):
    v = validator("dice")
    v.reduction(reduction)
    v.positive_param("smooth", smooth, allow_zero=True)
    y = np.asarray(y_true)
    x = as_float(p)
    v.nonempty("y_true", y)
    v.nonempty("p", x)
    v.ndim_at_least("p", x, 1, "(N, ...) with the batch axis first")
    v.same_shape("y_true", y, "p", x)
    v.finite("y_true", y)
    v.finite("p", x)
    v.in_unit_interval("y_true", y, fix="Pass a 0/1 (or soft) mask, not class indices.")
    v.in_unit_interval(
        "p",
        x,
        fix="Apply a sigmoid (binary masks) or a softmax over the class axis to the logits first.",
    )
    y = y.astype(x.dtype)
    axes = tuple(range(1, x.ndim))
    inter = (y * x).sum(axes)
    total = y.sum(axes) + x.sum(axes)
    return y, x, inter, total


def dice(y_true: Any, p: Any, *, smooth: float = 1.0, reduction: str = "mean") -> np.ndarray:
    r"""Soft Dice loss, one value per sample.

    .. math::

        \ell_i = 1 - \frac{2 \sum_k y_{ik} p_{ik} + s}{\sum_k y_{ik} + \sum_k p_{ik} + s}

    where ``k`` runs over every non-batch axis (channels and pixels together).

    Parameters
    ----------
    y_true : array_like, shape ``(N, ...)``
        Target mask, values in [0, 1] (0/1 or soft).
    p : array_like, shape ``(N, ...)``
        Predicted probabilities in [0, 1] (after a sigmoid or softmax), same shape as
        ``y_true``. The first axis is the batch axis; a 1-D input has one element per
        sample.
    smooth : float, default 1.0
        ``s >= 0``, added to numerator and denominator: keeps the loss defined for empty
        masks (an empty target with an empty prediction gives 0) and smooths the gradient.
        With ``s = 0`` an all-zero target and prediction give 0/0 = nan.
    reduction : {"mean", "sum", "none"}
        "none": one value per sample, shape ``(N,)``; "sum" / "mean" over samples.

    Notes
    -----
    The Dice loss of Milletari et al. (2016) uses squares in the denominator
    (``sum p^2 + sum y^2``); this is the common linear form. The sums run over all
    non-batch axes, so classes are pooled: for a per-class (macro) Dice, call it per channel
    and average, or see the generalised Dice loss (Sudre et al. 2017). For a 0/1 target and
    prediction it is ``1 - F1`` (up to ``s``). No PyTorch / Keras core built-in with this
    convention: ``keras.losses.Dice`` (Keras 3) computes
    ``1 - 2 sum(y p) / (sum y + sum p + 1e-7)`` (nothing added to the numerator, so an
    empty target and prediction give loss 1, not 0), by default over the whole batch at
    once (``axis=(1, ...)`` makes it per sample); MONAI's ``DiceLoss`` reduces per sample
    and per channel with ``smooth_nr = smooth_dr = 1e-5``.

    Examples
    --------
    >>> from lossbook.numpy import dice
    >>> y = [[1.0, 1.0, 0.0, 0.0]]
    >>> p = [[0.9, 0.6, 0.2, 0.1]]
    >>> round(float(dice(y, p)), 4)
    0.1667
    >>> round(float(dice(y, y)), 4)
    0.0
    """
    _, _, inter, total = _dice_forward(y_true, p, smooth, reduction)
    return reduce(1 - (2 * inter + smooth) / (total + smooth), reduction)


def dice_grad(y_true: Any, p: Any, *, smooth: float = 1.0, reduction: str = "mean") -> np.ndarray:
    r"""Gradient of :func:`dice` with respect to ``p``.

    Per sample, with :math:`I = \sum y p` and :math:`S = \sum y + \sum p`:

    .. math::

        \frac{\partial \ell}{\partial p_k} = \frac{2I + s}{(S + s)^2} - \frac{2 y_k}{S + s}

    Examples
    --------
    >>> from lossbook.numpy import dice_grad
    >>> [round(float(v), 4) for v in dice_grad([[1.0, 1.0, 0.0, 0.0]], [[0.9, 0.6, 0.2, 0.1]])[0]]
    [-0.2431, -0.2431, 0.1736, 0.1736]
    """
    y, x, inter, total = _dice_forward(y_true, p, smooth, reduction)
    shape = (-1,) + (1,) * (x.ndim - 1)
    den = (total + smooth).reshape(shape)
    num = (2 * inter + smooth).reshape(shape)
    grad = num / den**2 - 2 * y / den
    return grad_scale(grad, x.shape[0], reduction)
