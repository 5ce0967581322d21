"""Multiclass losses in TensorFlow, class axis last (the mathematics only:
:mod:`lossbook._frame` builds the public functions from the catalog)."""

from __future__ import annotations

import tensorflow as tf

from ._ops import gather_class, implements, n_classes, one_hot_mask

__all__ = [
    "cross_entropy",
    "nll",
    "categorical_hinge",
    "multi_margin",
    "softmax_focal",
    "kl_divergence",
    "distillation_kl",
]


@implements("cross_entropy")
def cross_entropy(y_true, logits, *, label_smoothing, weight):
    """Computed with ``tf.nn.log_softmax``. Keras's ``CategoricalCrossentropy`` takes
    one-hot rows, ``SparseCategoricalCrossentropy`` indices (no label smoothing there)."""
    logp = tf.nn.log_softmax(logits, axis=-1)
    eps = label_smoothing
    c = tf.cast(n_classes(logits), logits.dtype)
    wlogp = logp if weight is None else logp * weight
    if y_true.shape.rank != logits.shape.rank:  # class indices
        loss = -gather_class(wlogp, y_true)
        if eps:
            loss = (1.0 - eps) * loss - eps / c * tf.reduce_sum(wlogp, axis=-1)
        return loss
    t = y_true if not eps else (1.0 - eps) * y_true + eps / c
    return -tf.reduce_sum(t * wlogp, axis=-1)


@implements("nll")
def nll(y_true, log_probs, *, weight):
    loss = -gather_class(log_probs, y_true)
    return loss if weight is None else tf.gather(weight, y_true) * loss


@implements("categorical_hinge")
def categorical_hinge(y_true, scores):
    """Keras's ``CategoricalHinge`` uses ``max(0, 1 + max_j (1 - y_j)·s_j - s_y)``, which
    differs when every wrong-class score is negative."""
    is_true = y_true > 0.5
    pos = tf.reduce_sum(tf.where(is_true, scores, tf.zeros_like(scores)), axis=-1)
    lowest = tf.fill(tf.shape(scores), tf.constant(scores.dtype.min, scores.dtype))
    neg = tf.reduce_max(tf.where(is_true, lowest, scores), axis=-1)
    return tf.nn.relu(1.0 + neg - pos)


@implements("multi_margin")
def multi_margin(y_true, scores, *, margin):
    c = n_classes(scores)
    s_y = gather_class(scores, y_true)
    terms = tf.nn.relu(margin - s_y[..., None] + scores)
    terms = tf.where(one_hot_mask(y_true, c), tf.zeros_like(terms), terms)
    return tf.reduce_sum(terms, axis=-1) / tf.cast(c, scores.dtype)


@implements("softmax_focal")
def softmax_focal(y_true, logits, *, gamma):
    """``log(1 - p_y)`` is a log-sum-exp over the other classes."""
    z = logits
    lse = tf.reduce_logsumexp(z, axis=-1)
    logp_y = gather_class(z, y_true) - lse
    loss = -logp_y
    if gamma != 0:
        minus_inf = tf.fill(tf.shape(z), tf.constant(-float("inf"), z.dtype))
        others = tf.where(one_hot_mask(y_true, n_classes(z)), minus_inf, z)
        log_1m_p = tf.reduce_logsumexp(others, axis=-1) - lse
        loss = tf.exp(gamma * log_1m_p) * loss
    return loss


@implements("kl_divergence")
def kl_divergence(p_true, q_pred):
    """Keras's ``KLDivergence`` clips both arguments to [1e-7, 1]; lossbook clips ``q``
    below only and uses ``0·log 0 = 0``."""
    q = tf.maximum(q_pred, tf.constant(1e-7, q_pred.dtype))
    pos = p_true > 0
    p_safe = tf.where(pos, p_true, tf.ones_like(p_true))
    terms = tf.where(pos, p_true * (tf.math.log(p_safe) - tf.math.log(q)), tf.zeros_like(p_true))
    return tf.reduce_sum(terms, axis=-1)


@implements("distillation_kl")
def distillation_kl(teacher_logits, student_logits, *, temperature):
    """``tf.nn.log_softmax`` of both logits at temperature T; ``p·(log p - log q)`` summed
    over the classes, times T² (no clip, unlike Keras ``KLDivergence``)."""
    t = temperature
    log_p = tf.nn.log_softmax(teacher_logits / t, axis=-1)
    log_q = tf.nn.log_softmax(student_logits / t, axis=-1)
    return tf.reduce_sum(tf.exp(log_p) * (log_p - log_q), axis=-1) * (t * t)
