"""TensorFlow side of the frame: the ops adapter (validation questions, conversion,
compute dtypes, reductions) and the registry the TensorFlow modules register their math with.

Eager mode and graph mode
-------------------------
In eager mode (the default in TF 2) every check runs: structural checks (reduction,
parameters, dtypes, emptiness, shapes) and value checks (finiteness, ranges, label sets),
each value check one small reduction whose result is read back with ``.numpy()``.

Inside a ``tf.function`` -- which is where Keras runs ``model.fit`` -- tensors are
symbolic and have no values at trace time. There lossbook **runs the structural checks
on the static shapes and dtypes and skips the value checks** (``has_values`` is False for
a symbolic tensor; no ``tf.debugging`` asserts are inserted). Reasons: the messages are
built in Python and an assert op can only carry a fixed string; asserts add a host-side
check to every training step and block XLA compilation; and a ``LossInputError`` raised
at trace time would turn into an ``InvalidArgumentError`` at run time anyway. To get the
value checks for data fed to a Keras model, call the loss once eagerly on a batch, or
compile with ``run_eagerly=True`` while debugging. Unknown static dimensions (``None``,
e.g. the batch axis in Keras) are compared as they are: ``(None, 1)`` matches
``(None, 1)``. A ``LossInputError`` raised while tracing reaches the caller unchanged
(autograph would otherwise re-wrap it as a ``StagingError``).

dtypes
------
Predictions must be floating. float16 and bfloat16 are upcast and the loss is computed
and returned in float32 (as autocast does for losses); float32 and float64 are kept.
With several differentiable arguments the widest of their dtypes is used. Targets are
cast to the compute dtype (integer class indices stay integers).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from .._frame import Frame


def is_symbolic(x: Any) -> bool:
    """True for graph tensors (inside ``tf.function`` / Keras ``fit``), which have no values."""
    return isinstance(x, (tf.Tensor, tf.Variable)) and tf.is_symbolic_tensor(x)


class TFOps:
    name = "tensorflow"
    defer_finite = False

    # ---- validation questions ----------------------------------------------------------
    def shape(self, x: Any) -> tuple[int | None, ...]:
        return tuple(tf.TensorShape(x.shape).as_list())

    def dtype_name(self, x: Any) -> str:
        return tf.as_dtype(x.dtype).name

    def is_float(self, x: Any) -> bool:
        return tf.as_dtype(x.dtype).is_floating

    def is_int(self, x: Any) -> bool:
        return tf.as_dtype(x.dtype).is_integer

    def is_real(self, x: Any) -> bool:
        d = tf.as_dtype(x.dtype)
        return d.is_floating or d.is_integer or d.is_bool

    def is_empty(self, x: Any) -> bool:
        return 0 in self.shape(x)

    def has_values(self, x: Any) -> bool:
        return not is_symbolic(x)

    def all_finite(self, x: Any) -> bool:
        if not self.is_float(x) or is_symbolic(x):
            return True
        s = tf.reduce_sum(tf.cast(x, tf.float32) if x.dtype != tf.float64 else x)
        if bool(tf.math.is_finite(s)):  # fast path: one reduction, no boolean temporary
            return True
        return bool(tf.reduce_all(tf.math.is_finite(x)))

    def min_max(self, x: Any) -> tuple[float, float]:
        x = tf.cast(x, tf.float64) if not self.is_float(x) else x
        return float(tf.reduce_min(x)), float(tf.reduce_max(x))

    def all_in(self, x: Any, values: Sequence[float]) -> bool:
        x = tf.cast(x, tf.float64)
        hit = tf.zeros_like(x, dtype=tf.bool)
        for v in values:
            hit = tf.logical_or(hit, tf.equal(x, float(v)))
        return bool(tf.reduce_all(hit))

    def distinct(self, x: Any, k: int) -> list[float]:
        return [float(v) for v in np.unique(np.asarray(x).ravel())[:k]]

    # ---- conversion --------------------------------------------------------------------
    def like(self, values: tuple) -> None:
        return None

    def asarray(self, x: Any, like: Any = None) -> tf.Tensor:
        """Tensor, Variable, array or list -> ``tf.Tensor`` (no copy for tensors)."""
        return tf.convert_to_tensor(x)

    def pred(self, x: tf.Tensor) -> tf.Tensor:
        return x

    def compute_dtype(self, preds: list) -> tf.DType:
        """float64 if any prediction is float64, else float32 (float16/bfloat16 are upcast)."""
        for x in preds:
            if x.dtype == tf.float64:
                return tf.float64
        return tf.float32

    def cast(self, x: tf.Tensor, dtype: tf.DType) -> tf.Tensor:
        return x if x.dtype == dtype else tf.cast(x, dtype)

    def index(self, y: tf.Tensor) -> tf.Tensor:
        return y if y.dtype == tf.int64 else tf.cast(y, tf.int64)

    def row_sums(self, x: tf.Tensor) -> tf.Tensor:
        return tf.reduce_sum(x, axis=-1)

    def weight_total(self, w: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
        return tf.reduce_sum(tf.gather(w, y))

    def valid_labels(self, targets: tf.Tensor, lengths: tf.Tensor) -> tf.Tensor:
        """The labels of padded sequences ``(N, S)`` inside each length, flattened."""
        return tf.boolean_mask(targets, tf.sequence_mask(lengths, tf.shape(targets)[1]))

    def reduce(self, loss: tf.Tensor, reduction: str) -> tf.Tensor:
        if reduction == "none":
            return loss
        if reduction == "sum":
            return tf.reduce_sum(loss)
        return tf.reduce_mean(loss)

    def total(self, x: tf.Tensor) -> tf.Tensor:
        return tf.reduce_sum(x)


OPS = TFOps()


def _literal(value: Any) -> str:
    return f"tf.constant({value!r})"


frame = Frame(
    OPS,
    backend="tensorflow",
    array="tf.Tensor",
    returns=(
        "A tensor in the compute dtype: float64 if a prediction is float64, else float32 "
        '(float16 / bfloat16 input is upcast); 0-d for "mean" and "sum". Inside '
        "``tf.function`` (Keras ``fit``) only the structural checks run (see "
        ":mod:`lossbook.tensorflow._ops`)."
    ),
    literal=_literal,
)
implements = frame.implements


def gather_class(x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
    """``x[..., y]`` row by row: ``x`` of shape ``(..., C)``, ``y`` integer ``(...)``."""
    return tf.gather(x, y, batch_dims=y.shape.rank)


def one_hot_mask(y: tf.Tensor, n_classes: int | tf.Tensor) -> tf.Tensor:
    """Boolean mask ``(..., C)`` that is True at the class index ``y`` of each row."""
    return tf.one_hot(y, n_classes, on_value=True, off_value=False)


def n_classes(x: tf.Tensor) -> int | tf.Tensor:
    """Size of the last axis: static when known, else a scalar tensor."""
    c = x.shape[-1]
    return c if c is not None else tf.shape(x)[-1]
