"""Sequence losses in TensorFlow."""

from __future__ import annotations

import tensorflow as tf

from ._ops import implements

__all__ = ["ctc"]


def _lse(*xs):
    """log Σ exp over a few tensors of the same shape; finite inputs only (no -inf), so the
    gradient has no 0 · inf."""
    m = xs[0]
    for x in xs[1:]:
        m = tf.maximum(m, x)
    m = tf.stop_gradient(m)
    return m + tf.math.log(tf.add_n([tf.exp(x - m) for x in xs]))


@implements("ctc")
def ctc(targets, log_probs, input_lengths, target_lengths, *, blank, zero_infinity, reduction):
    """The forward algorithm in log space, written with TensorFlow ops (autodiff gives the
    derivative with respect to ``log_probs`` as free inputs, as ``lossbook.numpy.ctc_grad``),
    one step per frame with ``tf.foldl`` (T may be unknown inside ``tf.function``).
    Unreachable states hold a large negative finite number instead of -inf so that the
    gradient stays finite; a sample with
    no alignment (input length < target length + repeated neighbours) gets inf (0 with
    ``zero_infinity``) and a zero gradient. ``tf.nn.ctc_loss`` is not used: it takes logits
    (it applies a log_softmax), has no float64 kernel and returns about 700 instead of inf
    for an impossible alignment."""
    dtype = log_probs.dtype
    neg = tf.constant(-1e30, dtype)
    n, s_len = tf.shape(log_probs)[0], tf.shape(targets)[1]
    pos = tf.range(s_len, dtype=target_lengths.dtype)[None, :]
    labels = tf.where(pos < target_lengths[:, None], targets, tf.cast(blank, targets.dtype))
    # extended labels: blank, y1, blank, y2, ..., blank (length 2S + 1)
    blanks = tf.fill([n, s_len], tf.cast(blank, targets.dtype))
    ext = tf.reshape(tf.stack([blanks, labels], axis=2), [n, 2 * s_len])
    ext = tf.concat([ext, blanks[:, :1]], axis=1)
    n_states = 2 * s_len + 1
    prev2 = tf.concat([tf.fill([n, 2], tf.cast(-1, ext.dtype)), ext[:, :-2]], axis=1)
    odd = tf.math.floormod(tf.range(n_states), 2) == 1
    skip = odd[None, :] & (ext != prev2) & (tf.range(n_states) >= 2)[None, :]
    em = tf.gather(log_probs, ext, axis=2, batch_dims=1)  # (N, T, 2S+1)
    state = tf.range(n_states)[None, :]
    alpha = tf.where(state < 2, em[:, 0], neg)
    fill1, fill2 = tf.fill([n, 1], neg), tf.fill([n, 2], neg)

    def step(alpha, frame):
        t, e = frame
        a1 = tf.concat([fill1, alpha[:, :-1]], axis=1)
        a2 = tf.where(skip, tf.concat([fill2, alpha[:, :-2]], axis=1), neg)
        new = _lse(alpha, a1, a2) + e
        return tf.where((t < input_lengths)[:, None], new, alpha)

    frames = (
        tf.range(1, tf.shape(log_probs, out_type=input_lengths.dtype)[1]),
        tf.transpose(em, [1, 0, 2])[1:],
    )
    alpha = tf.foldl(step, frames, initializer=alpha)
    last = tf.cast(2 * target_lengths, tf.int32)
    end = tf.gather(alpha, last, batch_dims=1)
    before = tf.gather(alpha, tf.maximum(last - 1, 0), batch_dims=1)
    before = tf.where(last > 0, before, neg)
    loss = -_lse(end, before)
    inside = tf.range(1, s_len, dtype=target_lengths.dtype)[None, :] < target_lengths[:, None]
    repeats = tf.reduce_sum(
        tf.cast((labels[:, 1:] == labels[:, :-1]) & inside, target_lengths.dtype), axis=1
    )
    impossible = input_lengths < target_lengths + repeats
    # a constant where no alignment exists: a zero gradient there
    fill = tf.fill(tf.shape(loss), tf.constant(0.0 if zero_infinity else float("inf"), dtype))
    loss = tf.where(impossible, fill, loss)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return tf.reduce_sum(loss)
    return tf.reduce_mean(loss / tf.cast(tf.maximum(target_lengths, 1), dtype))
