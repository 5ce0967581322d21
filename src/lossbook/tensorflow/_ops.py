"""TensorFlow side of the shared machinery: the ops adapter for validation, input
conversion, compute dtypes and reductions.

Eager mode and graph mode
-------------------------
In eager mode (the default in TF 2) every check of :class:`lossbook._validate.Validator`
runs: structural checks (reduction, parameters, dtypes, emptiness, shapes) and value
checks (finiteness, ranges, label sets), each value check one small reduction whose
result is read back with ``.numpy()``.

Inside a ``tf.function`` -- which is where Keras runs ``model.fit`` -- tensors are
symbolic and have no values at trace time. There lossbook **runs the structural checks
on the static shapes and dtypes and skips the value checks** (it does not insert
``tf.debugging`` asserts). Reasons: the messages are built in Python and an assert op
can only carry a fixed string; asserts add a host-side check to every training step and
block XLA compilation; and a ``LossInputError`` raised at trace time would turn into an
``InvalidArgumentError`` at run time anyway. To get the value checks for data fed to a
Keras model, call the loss once eagerly on a batch, or compile with ``run_eagerly=True``
while debugging. Unknown static dimensions (``None``, e.g. the batch axis in Keras) are
compared as they are: ``(None, 1)`` matches ``(None, 1)``.
A ``LossInputError`` raised while tracing reaches the caller unchanged (autograph
would otherwise re-wrap it as a ``StagingError``).

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

from .._errors import LossInputError
from .._validate import Validator


def is_symbolic(x: Any) -> bool:
    """True for graph tensors (inside ``tf.function`` / Keras ``fit``), which have no values."""
    return isinstance(x, (tf.Tensor, tf.Variable)) and tf.is_symbolic_tensor(x)


class TFOps:
    """Answers the Validator's questions about a ``tf.Tensor`` (eager; see module doc)."""

    name = "tensorflow"

    def shape(self, x: Any) -> tuple[int | None, ...]:
        if isinstance(x, (tuple, list, tf.TensorShape)):  # a shape passed as a reference
            return tuple(tf.TensorShape(x).as_list()) if isinstance(x, tf.TensorShape) else tuple(x)
        return tuple(tf.TensorShape(x.shape).as_list())

    def dtype_name(self, x: Any) -> str:
        return tf.as_dtype(x.dtype).name

    def is_float(self, x: Any) -> bool:
        return tf.as_dtype(x.dtype).is_floating

    def is_int(self, x: Any) -> bool:
        return tf.as_dtype(x.dtype).is_integer

    def all_finite(self, x: Any) -> bool:
        if not self.is_float(x):
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


OPS = TFOps()


class TFValidator(Validator):
    """The shared Validator; value checks are skipped for symbolic (graph-mode) tensors."""

    def fail(self, msg: str) -> LossInputError:
        err = super().fail(msg)
        # autograph (tf.function, Keras fit) would turn a ValueError subclass raised at trace
        # time into a StagingError; this attribute makes it re-raise the error unchanged.
        err.ag_pass_through = True
        return err

    # Each value check forwards its arguments unchanged, so that new optional arguments
    # of the shared Validator keep working here.
    def finite(self, name: str, x: Any, *args: Any, **kwargs: Any) -> None:
        if not is_symbolic(x):
            super().finite(name, x, *args, **kwargs)

    def in_unit_interval(self, name: str, x: Any, *args: Any, **kwargs: Any) -> None:
        if not is_symbolic(x):
            super().in_unit_interval(name, x, *args, **kwargs)

    def nonnegative(self, name: str, x: Any, *args: Any, **kwargs: Any) -> None:
        if not is_symbolic(x):
            super().nonnegative(name, x, *args, **kwargs)

    def label_set(self, name: str, x: Any, *args: Any, **kwargs: Any) -> None:
        if not is_symbolic(x):
            super().label_set(name, x, *args, **kwargs)

    def one_hot_rows(self, name: str, x: Any, row_sums: Any, *args: Any, **kwargs: Any) -> None:
        if not (is_symbolic(x) or is_symbolic(row_sums)):
            super().one_hot_rows(name, x, row_sums, *args, **kwargs)

    def class_indices(self, name: str, y: Any, n_classes: int) -> None:
        if is_symbolic(y):
            if not self.ops.is_int(y):  # the dtype part is structural: still raise
                super().class_indices(name, y, n_classes or 0)
            return
        super().class_indices(name, y, n_classes)


def validator(loss: str) -> TFValidator:
    return TFValidator(OPS, loss)


def as_tensor(x: Any) -> tf.Tensor:
    """Tensor, Variable, array or list -> ``tf.Tensor`` (no copy for tensors)."""
    return tf.convert_to_tensor(x)


def compute_dtype(*xs: tf.Tensor) -> tf.DType:
    """float64 if any argument is float64, else float32 (float16/bfloat16 are upcast)."""
    for x in xs:
        if x.dtype == tf.float64:
            return tf.float64
    return tf.float32


def cast(x: tf.Tensor, dtype: tf.DType) -> tf.Tensor:
    return x if x.dtype == dtype else tf.cast(x, dtype)


def prepare_pair(
    v: Validator,
    true_name: str,
    y_true: Any,
    pred_name: str,
    y_pred: Any,
    *,
    layout: str | None = None,
) -> tuple[tf.Tensor, tf.Tensor]:
    """The checks every ``loss(target, prediction)`` makes, in the CONTRIBUTING order
    (dtype of the prediction, non-empty, ``layout`` if given, same shape, finiteness);
    returns both cast to the compute dtype. ``layout`` (e.g. ``"(..., C)"``) asks for at
    least one axis. The caller has already checked ``reduction`` and the parameters."""
    y_true, y_pred = as_tensor(y_true), as_tensor(y_pred)
    v.floating(pred_name, y_pred)
    v.nonempty(true_name, y_true)
    v.nonempty(pred_name, y_pred)
    if layout is not None:
        v.ndim_at_least(pred_name, y_pred, 1, layout)
    v.same_shape(true_name, y_true, pred_name, y_pred)
    v.finite(true_name, y_true)
    v.finite(pred_name, y_pred)
    dtype = compute_dtype(y_pred)
    return cast(y_true, dtype), cast(y_pred, dtype)


def reduce(loss: tf.Tensor, reduction: str) -> tf.Tensor:
    """Apply a (validated) reduction to the unreduced loss."""
    if reduction == "none":
        return loss
    if reduction == "sum":
        return tf.reduce_sum(loss)
    return tf.reduce_mean(loss)


def one_hot_mask(y: tf.Tensor, n_classes: int | tf.Tensor) -> tf.Tensor:
    """Boolean mask ``(..., C)`` that is True at the class index ``y`` of each row."""
    return tf.one_hot(tf.cast(y, tf.int64), n_classes, on_value=True, off_value=False)


def gather_class(x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
    """``x[..., y]`` row by row: ``x`` of shape ``(..., C)``, ``y`` integer ``(...)``."""
    y = tf.cast(y, tf.int64)
    return tf.gather(x, y, batch_dims=y.shape.rank)


def n_classes(x: tf.Tensor) -> int | tf.Tensor:
    """Size of the last axis: static when known, else a scalar tensor."""
    c = x.shape[-1]
    return c if c is not None else tf.shape(x)[-1]
