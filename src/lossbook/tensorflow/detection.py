"""Bounding-box losses in TensorFlow."""

from __future__ import annotations

import tensorflow as tf

from ._ops import implements

__all__ = ["giou"]


@implements("giou")
def giou(boxes_true, boxes_pred, *, eps):
    """``tf.where`` for the max / min of the corners: at a tie the prediction's coordinate
    gets the whole gradient, as in every lossbook backend."""
    g1, h1, g2, h2 = tf.unstack(boxes_true, axis=-1)
    x1, y1, x2, y2 = tf.unstack(boxes_pred, axis=-1)
    iw = tf.where(x2 <= g2, x2, g2) - tf.where(x1 >= g1, x1, g1)
    ih = tf.where(y2 <= h2, y2, h2) - tf.where(y1 >= h1, y1, h1)
    inter = tf.nn.relu(iw) * tf.nn.relu(ih)
    union = (x2 - x1) * (y2 - y1) + (g2 - g1) * (h2 - h1) - inter
    cw = tf.where(x2 >= g2, x2, g2) - tf.where(x1 <= g1, x1, g1)
    ch = tf.where(y2 >= h2, y2, h2) - tf.where(y1 <= h1, y1, h1)
    area_c = cw * ch
    return 1 - inter / (union + eps) + (area_c - union) / (area_c + eps)
