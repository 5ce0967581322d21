"""The Dice loss in TensorFlow (the mathematics only: :mod:`lossbook._frame` builds the
public function from the catalog)."""

from __future__ import annotations

import tensorflow as tf

from ._ops import implements

__all__ = ["dice"]


@implements("dice")
def dice(y_true, p, *, smooth):
    axes = list(range(1, p.shape.rank))
    inter = tf.reduce_sum(y_true * p, axis=axes)
    total = tf.reduce_sum(y_true, axis=axes) + tf.reduce_sum(p, axis=axes)
    return 1.0 - (2.0 * inter + smooth) / (total + smooth)
