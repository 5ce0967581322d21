"""NumPy side of the frame: the ops adapter (validation questions, conversion, dtypes,
reductions) and the registry the NumPy modules register their math with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._frame import Frame


class NumpyOps:
    name = "numpy"
    defer_finite = False
    # ndarray.min / max return NaN when there is a NaN: finite extremes prove it finite
    min_max_propagates_nan = True

    # ---- validation questions ----------------------------------------------------------
    def shape(self, x: Any) -> tuple[int, ...]:
        return tuple(np.shape(x))

    def dtype_name(self, x: Any) -> str:
        return str(np.asarray(x).dtype)

    def is_float(self, x: Any) -> bool:
        return np.issubdtype(np.asarray(x).dtype, np.floating)

    def is_int(self, x: Any) -> bool:
        return np.issubdtype(np.asarray(x).dtype, np.integer)

    def is_real(self, x: Any) -> bool:
        return np.asarray(x).dtype.kind in "biuf"

    def is_empty(self, x: Any) -> bool:
        return np.size(x) == 0

    def has_values(self, x: Any) -> bool:
        return True

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

    # ---- conversion --------------------------------------------------------------------
    def like(self, values: tuple) -> None:
        return None

    def asarray(self, x: Any, like: Any = None) -> np.ndarray:
        return np.asarray(x)

    def pred(self, x: np.ndarray) -> np.ndarray:
        """Predictions: booleans and integers become float64 (array-likes of ints are fine)."""
        return x.astype(np.float64) if x.dtype.kind in "biu" else x

    def compute_dtype(self, preds: list) -> np.dtype:
        return np.result_type(*preds)

    def cast(self, x: np.ndarray, dtype: Any) -> np.ndarray:
        return x.astype(dtype, copy=False)

    def index(self, y: np.ndarray) -> np.ndarray:
        return y.astype(np.intp, copy=False)

    def row_sums(self, x: np.ndarray) -> np.ndarray:
        return x.sum(-1)

    def weight_total(self, w: np.ndarray, y: np.ndarray) -> np.ndarray:
        return w[y].sum()

    def valid_labels(self, targets: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The labels of padded sequences ``(N, S)`` inside each length, flattened."""
        return targets[np.arange(targets.shape[1]) < lengths[:, None]]

    def reduce(self, loss: np.ndarray, reduction: str) -> np.ndarray:
        if reduction == "none":
            return loss
        if reduction == "sum":
            return loss.sum()
        return loss.mean()

    def total(self, x: np.ndarray) -> np.ndarray:
        return x.sum()


OPS = NumpyOps()


def _literal(value: Any) -> str:
    return repr(value)


frame = Frame(
    OPS,
    backend="numpy",
    array="array_like",
    returns=(
        "An ndarray in the float dtype of the predictions (float64 for integer input); "
        '0-d for "mean" and "sum".'
    ),
    literal=_literal,
    out="ndarray",
)
implements = frame.implements
gradient = frame.gradient
