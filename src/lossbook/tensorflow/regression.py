"""Regression losses in TensorFlow (the mathematics only: :mod:`lossbook._frame` builds
the public functions from the catalog). Keras's built-ins average over the last axis
first; lossbook's ``"none"`` is elementwise (for 1-D input the means agree)."""

from __future__ import annotations

import math

import tensorflow as tf

from ._ops import implements

__all__ = [
    "mse",
    "mae",
    "huber",
    "smooth_l1",
    "log_cosh",
    "quantile",
    "poisson_nll",
    "gaussian_nll",
]


@implements("mse")
def mse(y_true, y_pred):
    return tf.square(y_true - y_pred)


@implements("mae")
def mae(y_true, y_pred):
    return tf.abs(y_true - y_pred)


@implements("huber")
def huber(y_true, y_pred, *, delta):
    a = tf.abs(y_true - y_pred)
    d = tf.constant(delta, a.dtype)
    return tf.where(a <= d, 0.5 * tf.square(a), d * (a - 0.5 * d))


@implements("smooth_l1")
def smooth_l1(y_true, y_pred, *, beta):
    a = tf.abs(y_true - y_pred)
    if beta == 0:
        return a
    b = tf.constant(beta, a.dtype)
    return tf.where(a < b, 0.5 * tf.square(a) / b, a - 0.5 * b)


@implements("log_cosh")
def log_cosh(y_true, y_pred):
    """Computed as ``|d| + softplus(-2|d|) - log 2``: no overflow."""
    a = tf.abs(y_pred - y_true)
    return a + tf.math.softplus(-2.0 * a) - math.log(2.0)


@implements("quantile")
def quantile(y_true, y_pred, *, q):
    r = y_true - y_pred
    return q * tf.nn.relu(r) + (1.0 - q) * tf.nn.relu(-r)


@implements("poisson_nll")
def poisson_nll(y_true, y_pred, *, log_input):
    if log_input:
        return tf.exp(y_pred) - y_true * y_pred
    return y_pred - y_true * tf.math.log(y_pred + 1e-8)


@implements("gaussian_nll")
def gaussian_nll(y_true, mean, var):
    """``var`` is clamped with ``tf.maximum`` (gradient 0 below 1e-6)."""
    v = tf.maximum(var, tf.constant(1e-6, var.dtype))
    return 0.5 * (tf.math.log(v) + tf.square(y_true - mean) / v)
