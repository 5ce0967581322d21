"""NumPy side of the shared machinery: the ops adapter for validation, input
conversion, and reductions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._validate import Validator


class NumpyOps:
    name = "numpy"

    def shape(self, x: Any) -> tuple[int, ...]:
        return tuple(np.shape(x))

    def dtype_name(self, x: Any) -> str:
        return str(np.asarray(x).dtype)

    def is_float(self, x: Any) -> bool:
        return np.issubdtype(np.asarray(x).dtype, np.floating)

    def is_int(self, x: Any) -> bool:
        return np.issubdtype(np.asarray(x).dtype, np.integer)

    def all_finite(self, x: Any) -> bool:
        x = np.asarray(x)
        if not np.issubdtype(x.dtype, np.floating):
            return True
        with np.errstate(over="ignore", invalid="ignore"):
            if np.isfinite(x.sum()):  # fast path: one pass, no boolean temporary
                return True
        return bool(np.isfinite(x).all())

    def min_max(self, x: Any) -> tuple[float, float]:
        x = np.asarray(x)
        return float(x.min()), float(x.max())

    def all_in(self, x: Any, values: Sequence[float]) -> bool:
        return bool(np.isin(np.asarray(x), np.asarray(values)).all())

    def distinct(self, x: Any, k: int) -> list[float]:
        return [float(v) for v in np.unique(np.asarray(x))[:k]]


OPS = NumpyOps()


def validator(loss: str) -> Validator:
    return Validator(OPS, loss)


def as_float(x: Any) -> np.ndarray:
    """Array-like -> floating ndarray (float64 unless it already is a float dtype)."""
    x = np.asarray(x)
    if np.issubdtype(x.dtype, np.floating):
        return x
    return x.astype(np.float64)


def as_array(x: Any) -> np.ndarray:
    return np.asarray(x)


def reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    """Apply a (validated) reduction to the unreduced loss."""
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()


def grad_scale(grad: np.ndarray, n_terms: int, reduction: str) -> np.ndarray:
    """Scale the gradient of the *sum* of the unreduced loss for the reduction.

    ``n_terms`` is the number of entries of the unreduced loss (what ``mean`` divides by).
    """
    if reduction == "mean":
        return grad / n_terms
    return grad
