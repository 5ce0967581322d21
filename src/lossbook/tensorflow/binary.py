"""Binary (and multi-label) classification losses in TensorFlow (the mathematics only:
:mod:`lossbook._frame` builds the public functions from the catalog)."""

from __future__ import annotations

import tensorflow as tf

from ._ops import implements

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "hinge",
    "squared_hinge",
    "focal",
]


@implements("binary_cross_entropy")
def binary_cross_entropy(y_true, p, *, eps):
    """Clips like ``keras.losses.BinaryCrossentropy`` (which averages the last axis)."""
    pc = tf.clip_by_value(p, eps, 1.0 - eps)
    return -(y_true * tf.math.log(pc) + (1.0 - y_true) * tf.math.log(1.0 - pc))


@implements("binary_cross_entropy_with_logits")
def binary_cross_entropy_with_logits(y_true, logits, *, pos_weight):
    """Computed with softplus terms, finite for any finite logit."""
    pos = y_true * tf.math.softplus(-logits)
    if pos_weight is not None:
        pos = pos_weight * pos
    return pos + (1.0 - y_true) * tf.math.softplus(logits)


@implements("hinge")
def hinge(y_true, scores):
    """Keras ``Hinge`` converts 0/1 labels silently; lossbook raises."""
    return tf.nn.relu(1.0 - y_true * scores)


@implements("squared_hinge")
def squared_hinge(y_true, scores):
    return tf.square(tf.nn.relu(1.0 - y_true * scores))


@implements("focal")
def focal(y_true, logits, *, alpha, gamma):
    """``log(1 - p_t)`` is a log-sum-exp of log-sigmoids, so the gradient stays finite for
    ``γ < 1`` and saturated logits."""
    y, z = y_true, logits
    loss = y * tf.math.softplus(-z) + (1.0 - y) * tf.math.softplus(z)
    if gamma != 0:
        log_1m_pt = tf.reduce_logsumexp(
            tf.stack(
                [
                    tf.math.log(y) + tf.math.log_sigmoid(-z),
                    tf.math.log(1.0 - y) + tf.math.log_sigmoid(z),
                ]
            ),
            axis=0,
        )
        loss = tf.exp(gamma * log_1m_pt) * loss
    if alpha is not None:
        loss = (alpha * y + (1.0 - alpha) * (1.0 - y)) * loss
    return loss
