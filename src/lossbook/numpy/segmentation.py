"""The Dice loss in NumPy, with its hand-derived gradient (the mathematics only:
:mod:`lossbook._frame` builds the public functions from the catalog)."""

from __future__ import annotations

from ._ops import gradient, implements

__all__ = ["dice", "dice_grad"]


def _sums(y, p):
    axes = tuple(range(1, p.ndim))
    return (y * p).sum(axes), y.sum(axes) + p.sum(axes)


@implements("dice")
def dice(y_true, p, *, smooth):
    """Sums run over every axis but the first (the batch)."""
    inter, total = _sums(y_true, p)
    return 1 - (2 * inter + smooth) / (total + smooth)


@gradient("dice")
def dice_grad(y_true, p, *, smooth):
    inter, total = _sums(y_true, p)
    shape = (-1,) + (1,) * (p.ndim - 1)
    den = (total + smooth).reshape(shape)
    num = (2 * inter + smooth).reshape(shape)
    return num / den**2 - 2 * y_true / den
