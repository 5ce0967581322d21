"""Multiclass losses in TensorFlow: cross_entropy, nll, categorical_hinge, multi_margin,
softmax_focal, kl_divergence.

The class axis is the **last** axis: predictions ``(..., C)``; integer class indices
``(...)``; one-hot / probability targets ``(..., C)``. ``reduction="none"`` returns one
value per sample, shape ``(...)``.
"""

from __future__ import annotations

import tensorflow as tf

from ._ops import (
    as_tensor,
    cast,
    compute_dtype,
    gather_class,
    n_classes,
    one_hot_mask,
    prepare_pair,
    reduce,
    validator,
)

__all__ = [
    "cross_entropy",
    "nll",
    "categorical_hinge",
    "multi_margin",
    "softmax_focal",
    "kl_divergence",
]


def _weight(v, weight, pred):
    """Validate ``weight`` (shape ``(C,)``) structurally; returns a tensor or None."""
    if weight is None:
        return None
    w = as_tensor(weight)
    c = pred.shape[-1]
    if c is not None:
        v.shape_equals("weight", w, (c,), "(C,) with C the size of the last axis")
    return w


def _weight_values(v, w):
    if w is not None:
        v.finite("weight", w)
        v.nonnegative("weight", w, fix="Class weights are >= 0 (e.g. inverse class frequencies).")


def _weighted_mean(loss, w_y, reduction):
    if reduction == "mean" and w_y is not None:
        return tf.reduce_sum(loss) / tf.reduce_sum(w_y)
    return reduce(loss, reduction)


def cross_entropy(y_true, logits, *, label_smoothing=0.0, weight=None, reduction="mean"):
    """Softmax cross-entropy, ``-Σ_c t_c·w_c·log softmax(z)_c``.

    ``t = (1 - ε)·onehot(y) + ε/C`` for integer targets, ``t = (1 - ε)·y + ε/C`` for
    probability rows. ``log softmax`` is computed with ``tf.nn.log_softmax`` (log-sum-exp),
    finite for logits up to 1e4 in float32.

    Parameters
    ----------
    y_true : tf.Tensor
        Either integer class indices of shape ``(...)`` (any integer dtype), or probability
        rows of the same shape as ``logits`` (floating, values in [0, 1]). A floating tensor
        of the index shape is an error: cast it with ``tf.cast(y, tf.int64)``.
    logits : tf.Tensor
        Raw scores ``(..., C)``, class axis last, floating.
    label_smoothing : float
        ``ε`` in [0, 1].
    weight : tf.Tensor, optional
        Class weights of shape ``(C,)``, ``>= 0``.
    reduction : {"mean", "sum", "none"}
        ``"none"``: one value per sample, ``(...)``. ``"mean"`` with ``weight`` and integer
        targets is the weighted average ``Σ l_i / Σ w[y_i]`` (PyTorch's convention);
        otherwise the plain mean.

    Notes
    -----
    Equals ``torch.nn.functional.cross_entropy`` (same smoothing, same weighted mean).
    ``keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=ε)`` smooths
    the same way (``y·(1 - ε) + ε/C``) but takes one-hot rows only, and with
    ``from_logits=False`` renormalises probability rows of ``y_pred`` to sum 1 (and clips);
    ``SparseCategoricalCrossentropy`` takes indices but has no label smoothing. Neither has
    class weights (Keras uses ``sample_weight`` / ``class_weight`` in ``fit``).
    Keras 3's ``model.compile(loss=...)`` casts ``y_true`` to float32 before calling the
    loss, so sparse labels arrive as floats; lossbook refuses float indices (they could be
    silently truncated): pass ``loss=lambda y, z: cross_entropy(tf.cast(y, tf.int64), z)``.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import cross_entropy
    >>> z = tf.constant([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    >>> round(float(cross_entropy(tf.constant([0, 1]), z)), 4)
    0.3606
    >>> round(float(cross_entropy(tf.constant([0]), tf.constant([[-1e4, 1e4, 0.0]]))), 1)
    20000.0
    """
    v = validator("cross_entropy")
    v.reduction(reduction)
    v.unit_param("label_smoothing", label_smoothing)
    y_true, logits = as_tensor(y_true), as_tensor(logits)
    v.floating("logits", logits)
    indices = not v.ops.is_float(y_true) or v.ops.shape(y_true) != v.ops.shape(logits)
    if indices and not v.ops.is_int(y_true):
        v.class_indices("y_true", y_true, 0)  # raises the dtype message
    w = _weight(v, weight, logits)
    v.nonempty("y_true", y_true)
    v.nonempty("logits", logits)
    v.ndim_at_least("logits", logits, 1, "(..., C)")
    if indices:
        v.same_shape("y_true", y_true, "logits.shape[:-1]", logits.shape[:-1])
    v.finite("logits", logits)
    if not indices:
        v.finite("y_true", y_true)
    _weight_values(v, w)
    if indices:
        v.class_indices("y_true", y_true, n_classes(logits))
    else:
        v.in_unit_interval("y_true", y_true, fix="Pass probability rows, or integer class indices.")
    dtype = compute_dtype(logits)
    z = cast(logits, dtype)
    logp = tf.nn.log_softmax(z, axis=-1)
    eps = label_smoothing
    c = tf.cast(n_classes(z), dtype)
    wlogp = logp if w is None else logp * cast(w, dtype)
    if indices:
        loss = -gather_class(wlogp, y_true)
        if eps:
            loss = (1.0 - eps) * loss - (eps / c) * tf.reduce_sum(wlogp, axis=-1)
        w_y = None
        if w is not None:
            w_y = tf.gather(cast(w, dtype), tf.cast(y_true, tf.int64))
        return _weighted_mean(loss, w_y, reduction)
    t = cast(y_true, dtype)
    if eps:
        t = (1.0 - eps) * t + eps / c
    return reduce(-tf.reduce_sum(t * wlogp, axis=-1), reduction)


def nll(y_true, log_probs, *, weight=None, reduction="mean"):
    """Negative log-likelihood of log-probabilities, ``-w_y·log_probs[y]``.

    Parameters
    ----------
    y_true : tf.Tensor
        Integer class indices ``(...)``.
    log_probs : tf.Tensor
        Log-probabilities ``(..., C)`` (e.g. ``tf.nn.log_softmax``), class axis last,
        floating and finite.
    weight : tf.Tensor, optional
        Class weights ``(C,)``, ``>= 0``.
    reduction : {"mean", "sum", "none"}
        ``"mean"`` with ``weight`` is ``Σ l_i / Σ w[y_i]`` (PyTorch's convention).

    Notes
    -----
    Equals ``torch.nn.NLLLoss`` (without ``ignore_index``). No Keras built-in;
    ``cross_entropy(y, z) == nll(y, log_softmax(z))``.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import nll
    >>> logp = tf.math.log(tf.constant([[0.5, 0.5], [0.1, 0.9]]))
    >>> round(float(nll(tf.constant([0, 1]), logp)), 4)
    0.3993
    """
    v = validator("nll")
    v.reduction(reduction)
    y_true, logp = as_tensor(y_true), as_tensor(log_probs)
    v.floating("log_probs", logp)
    if not v.ops.is_int(y_true):
        v.class_indices("y_true", y_true, 0)
    w = _weight(v, weight, logp)
    v.nonempty("y_true", y_true)
    v.nonempty("log_probs", logp)
    v.ndim_at_least("log_probs", logp, 1, "(..., C)")
    v.same_shape("y_true", y_true, "log_probs.shape[:-1]", logp.shape[:-1])
    v.finite("log_probs", logp)
    _weight_values(v, w)
    v.class_indices("y_true", y_true, n_classes(logp))
    dtype = compute_dtype(logp)
    logp = cast(logp, dtype)
    loss = -gather_class(logp, y_true)
    w_y = None
    if w is not None:
        w_y = tf.gather(cast(w, dtype), tf.cast(y_true, tf.int64))
        loss = w_y * loss
    return _weighted_mean(loss, w_y, reduction)


def categorical_hinge(y_true, scores, *, reduction="mean"):
    """Crammer–Singer multiclass hinge, ``max(0, 1 + max_{j≠y} s_j - s_y)``.

    Parameters
    ----------
    y_true : tf.Tensor
        One-hot rows ``(..., C)`` (values in {0, 1}, exactly one 1 per row), any numeric dtype.
    scores : tf.Tensor
        Raw scores ``(..., C)``, floating.
    reduction : {"mean", "sum", "none"}
        ``"none"``: one value per sample.

    Notes
    -----
    ``keras.losses.CategoricalHinge`` uses ``neg = max_j (1 - y_j)·s_j``: the true class
    contributes a 0 to that max, so when every wrong-class score is negative Keras uses
    ``neg = 0`` instead of the largest wrong-class score, and its loss is larger than
    Crammer–Singer's. They agree whenever some wrong-class score is ``>= 0``.
    PyTorch's ``MultiMarginLoss`` is a different (sum-over-classes) multiclass hinge
    (see :func:`multi_margin`).

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import categorical_hinge
    >>> y = tf.constant([[0.0, 1.0, 0.0]])
    >>> round(float(categorical_hinge(y, tf.constant([[0.5, 1.0, -2.0]]))), 4)
    0.5
    >>> round(float(categorical_hinge(y, tf.constant([[-3.0, 1.0, -2.0]]))), 4)
    0.0
    """
    v = validator("categorical_hinge")
    v.reduction(reduction)
    y, s = prepare_pair(v, "y_true", y_true, "scores", scores, layout="(..., C)")
    v.one_hot_rows("y_true", y, tf.reduce_sum(y, axis=-1))
    is_true = y > 0.5
    pos = tf.reduce_sum(tf.where(is_true, s, tf.zeros_like(s)), axis=-1)
    neg = tf.reduce_max(
        tf.where(is_true, tf.fill(tf.shape(s), tf.constant(s.dtype.min, s.dtype)), s), axis=-1
    )
    return reduce(tf.nn.relu(1.0 + neg - pos), reduction)


def multi_margin(y_true, scores, *, margin=1.0, reduction="mean"):
    """Multiclass margin loss, ``Σ_{j≠y} max(0, margin - s_y + s_j) / C``.

    Parameters
    ----------
    y_true : tf.Tensor
        Integer class indices ``(...)``.
    scores : tf.Tensor
        Raw scores ``(..., C)``, floating.
    margin : float
        Finite.
    reduction : {"mean", "sum", "none"}

    Notes
    -----
    Equals ``torch.nn.MultiMarginLoss(p=1, margin=...)`` (which also divides by ``C``).
    No Keras built-in; compare ``categorical_hinge`` (max instead of sum over wrong classes).

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import multi_margin
    >>> round(float(multi_margin(tf.constant([1]), tf.constant([[0.5, 1.0, -2.0]]))), 4)
    0.1667
    """
    v = validator("multi_margin")
    v.reduction(reduction)
    v.finite_param("margin", margin)
    y_true, scores = as_tensor(y_true), as_tensor(scores)
    v.floating("scores", scores)
    if not v.ops.is_int(y_true):
        v.class_indices("y_true", y_true, 0)
    v.nonempty("y_true", y_true)
    v.nonempty("scores", scores)
    v.ndim_at_least("scores", scores, 1, "(..., C)")
    v.same_shape("y_true", y_true, "scores.shape[:-1]", scores.shape[:-1])
    v.finite("scores", scores)
    v.class_indices("y_true", y_true, n_classes(scores))
    dtype = compute_dtype(scores)
    s = cast(scores, dtype)
    c = n_classes(s)
    s_y = gather_class(s, y_true)
    terms = tf.nn.relu(margin - s_y[..., None] + s)
    terms = tf.where(one_hot_mask(y_true, c), tf.zeros_like(terms), terms)
    return reduce(tf.reduce_sum(terms, axis=-1) / tf.cast(c, dtype), reduction)


def softmax_focal(y_true, logits, *, gamma=2.0, reduction="mean"):
    """Softmax (multiclass) focal loss, ``-(1 - p_y)^γ·log p_y``, ``p = softmax(z)``.

    ``log p_y`` comes from ``tf.nn.log_softmax`` and ``log(1 - p_y)`` from a log-sum-exp
    over the other classes minus the log-sum-exp over all classes, so value and gradient
    stay finite for logits up to 1e4 in float32, also for ``γ < 1``.

    Parameters
    ----------
    y_true : tf.Tensor
        Integer class indices ``(...)``.
    logits : tf.Tensor
        Raw scores ``(..., C)``, floating.
    gamma : float
        Focusing parameter ``>= 0``; ``gamma=0`` is the cross-entropy.
    reduction : {"mean", "sum", "none"}

    Notes
    -----
    No class weighting (``α``). ``keras.losses.CategoricalFocalCrossentropy`` takes one-hot
    rows, multiplies by ``alpha=0.25`` by default and clips probabilities; no PyTorch
    built-in.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import softmax_focal
    >>> z = tf.constant([[2.0, 0.0, -1.0]])
    >>> round(float(softmax_focal(tf.constant([0]), z)), 4)
    0.0041
    """
    v = validator("softmax_focal")
    v.reduction(reduction)
    v.positive_param("gamma", gamma, allow_zero=True)
    y_true, logits = as_tensor(y_true), as_tensor(logits)
    v.floating("logits", logits)
    if not v.ops.is_int(y_true):
        v.class_indices("y_true", y_true, 0)
    v.nonempty("y_true", y_true)
    v.nonempty("logits", logits)
    v.ndim_at_least("logits", logits, 1, "(..., C)")
    v.same_shape("y_true", y_true, "logits.shape[:-1]", logits.shape[:-1])
    v.finite("logits", logits)
    v.class_indices("y_true", y_true, n_classes(logits))
    dtype = compute_dtype(logits)
    z = cast(logits, dtype)
    lse = tf.reduce_logsumexp(z, axis=-1)
    logp_y = gather_class(z, y_true) - lse
    loss = -logp_y
    if gamma != 0:
        others = tf.where(
            one_hot_mask(y_true, n_classes(z)),
            tf.fill(tf.shape(z), tf.constant(-float("inf"), z.dtype)),
            z,
        )
        log_1m_p = tf.reduce_logsumexp(others, axis=-1) - lse
        loss = tf.exp(gamma * log_1m_p) * loss
    return reduce(loss, reduction)


def kl_divergence(p_true, q_pred, *, reduction="mean"):
    """Kullback–Leibler divergence ``KL(p ‖ q) = Σ_c p_c·log(p_c / q_c)``.

    ``0·log 0 = 0`` (classes with ``p_c = 0`` contribute nothing) and ``q`` is clipped
    below at 1e-7 (gradient 0 where clipped).

    Parameters
    ----------
    p_true : tf.Tensor
        Target distributions ``(..., C)``, values in [0, 1].
    q_pred : tf.Tensor
        Predicted distributions, same shape, floating, values in [0, 1]
        (e.g. ``tf.nn.softmax`` of the logits).
    reduction : {"mean", "sum", "none"}
        ``"none"``: one value per row. ``"mean"`` averages over rows (PyTorch's
        ``reduction="batchmean"`` for 2-D inputs, not its element-wise ``"mean"``).

    Notes
    -----
    PyTorch's ``KLDivLoss`` takes ``log q`` as input, targets second. Keras's
    ``KLDivergence`` clips *both* arguments to ``[1e-7, 1]``, so a ``p_c = 0`` contributes
    ``1e-7·log(1e-7 / q_c)`` instead of 0.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import kl_divergence
    >>> p, q = tf.constant([[0.5, 0.5, 0.0]]), tf.constant([[0.25, 0.5, 0.25]])
    >>> round(float(kl_divergence(p, q)), 4)
    0.3466
    """
    v = validator("kl_divergence")
    v.reduction(reduction)
    p_true, q_pred = prepare_pair(v, "p_true", p_true, "q_pred", q_pred, layout="(..., C)")
    v.in_unit_interval("p_true", p_true, fix="Pass a probability distribution per row.")
    v.in_unit_interval("q_pred", q_pred, fix="Apply tf.nn.softmax to the logits first.")
    dtype = compute_dtype(q_pred)
    p, q = cast(p_true, dtype), cast(q_pred, dtype)
    q = tf.maximum(q, tf.constant(1e-7, dtype))
    pos = p > 0
    p_safe = tf.where(pos, p, tf.ones_like(p))
    terms = tf.where(pos, p * (tf.math.log(p_safe) - tf.math.log(q)), tf.zeros_like(p))
    return reduce(tf.reduce_sum(terms, axis=-1), reduction)
