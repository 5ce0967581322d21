"""Preference losses in TensorFlow."""

from __future__ import annotations

import tensorflow as tf

from ._ops import implements

__all__ = ["dpo"]


@implements("dpo")
def dpo(chosen_logps, rejected_logps, ref_chosen_logps, ref_rejected_logps, *, beta):
    """``-tf.math.log_sigmoid(u)``; ``tf.stop_gradient`` on the reference log-probabilities
    (constants: a tape that watches them gets no gradient)."""
    ref_c, ref_r = tf.stop_gradient(ref_chosen_logps), tf.stop_gradient(ref_rejected_logps)
    u = beta * ((chosen_logps - ref_c) - (rejected_logps - ref_r))
    return -tf.math.log_sigmoid(u)
