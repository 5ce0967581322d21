"""Ranking and metric-learning losses in TensorFlow, embeddings on the last axis (the
mathematics only: :mod:`lossbook._frame` builds the public functions from the catalog)."""

from __future__ import annotations

import tensorflow as tf

from ._ops import implements

__all__ = ["bpr", "margin_ranking", "contrastive", "triplet", "cosine_embedding", "info_nce"]


def _norm(x):
    return tf.sqrt(tf.maximum(tf.reduce_sum(tf.square(x), axis=-1), tf.constant(1e-12, x.dtype)))


@implements("margin_ranking")
def margin_ranking(y, s1, s2, *, margin):
    return tf.nn.relu(-y * (s1 - s2) + margin)


@implements("contrastive")
def contrastive(y_similar, distance, *, margin):
    y, d = y_similar, distance
    return y * tf.square(d) + (1.0 - y) * tf.square(tf.nn.relu(margin - d))


@implements("triplet")
def triplet(anchor, positive, negative, *, margin):
    return tf.nn.relu(_norm(anchor - positive) - _norm(anchor - negative) + margin)


@implements("cosine_embedding")
def cosine_embedding(y, x1, x2, *, margin):
    dot = tf.reduce_sum(x1 * x2, axis=-1)
    n1 = tf.reduce_sum(tf.square(x1), axis=-1) + 1e-12
    n2 = tf.reduce_sum(tf.square(x2), axis=-1) + 1e-12
    cos = dot / tf.sqrt(n1 * n2)
    return tf.where(y > 0, 1.0 - cos, tf.nn.relu(cos - margin))


def _unit_rows(x):
    sq = tf.reduce_sum(tf.square(x), axis=-1, keepdims=True)
    return x / tf.sqrt(tf.maximum(sq, tf.constant(1e-24, x.dtype)))


@implements("info_nce")
def info_nce(queries, keys, *, temperature):
    logits = tf.matmul(_unit_rows(queries), _unit_rows(keys), transpose_b=True) / temperature
    return -tf.linalg.diag_part(tf.nn.log_softmax(logits, axis=-1))


@implements("bpr")
def bpr(pos_scores, neg_scores):
    return tf.math.softplus(neg_scores - pos_scores)
