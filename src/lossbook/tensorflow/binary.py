"""Binary (and multi-label) classification losses in TensorFlow: binary_cross_entropy,
binary_cross_entropy_with_logits, hinge, squared_hinge, focal.

All are elementwise: on an ``(N, C)`` input they are multi-label and
``reduction="none"`` returns ``(N, C)``. Keras's built-ins average over the last axis
first (one value per sample) and reduce with ``"sum_over_batch_size"``.
"""

from __future__ import annotations

import tensorflow as tf

from ._ops import as_tensor, cast, compute_dtype, prepare_pair, reduce, validator

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "hinge",
    "squared_hinge",
    "focal",
]


def binary_cross_entropy(y_true, p, *, eps=1e-7, reduction="mean"):
    """Binary cross-entropy on probabilities, ``-[y log p + (1 - y) log(1 - p)]``.

    ``p`` is clipped to ``[eps, 1 - eps]`` first (the gradient is 0 outside that interval),
    so ``p`` of exactly 0 or 1 gives a finite loss (at most ``-log(eps) ≈ 16.1``).

    Parameters
    ----------
    y_true : tf.Tensor
        Targets in [0, 1] (soft labels allowed), same shape as ``p``.
    p : tf.Tensor
        Probabilities in [0, 1], floating. For logits use
        :func:`binary_cross_entropy_with_logits`, which is exact and stable.
    eps : float
        Clipping margin, ``0 < eps < 0.5``.
    reduction : {"mean", "sum", "none"}
        ``"none"`` is elementwise (multi-label on ``(N, C)``).

    Notes
    -----
    Same clipping as ``keras.losses.BinaryCrossentropy(from_logits=False)`` (Keras's
    ``epsilon() = 1e-7``), which however averages over the last axis first.
    ``torch.nn.BCELoss`` does not clip: it clamps each log at -100.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import binary_cross_entropy
    >>> loss = binary_cross_entropy(tf.constant([1.0, 0.0]), tf.constant([0.9, 0.2]))
    >>> round(float(loss), 4)
    0.1643
    """
    v = validator("binary_cross_entropy")
    v.reduction(reduction)
    v.interval_param(
        "eps", eps, 0, 0.5, lo_open=True, hi_open=True, fix="The usual value is 1e-7 (Keras's)."
    )
    y_true, p = prepare_pair(v, "y_true", y_true, "p", p)
    v.in_unit_interval("y_true", y_true, fix="Targets are probabilities or 0/1 labels.")
    v.in_unit_interval("p", p)
    dtype = compute_dtype(p)
    y, p = cast(y_true, dtype), cast(p, dtype)
    p = tf.clip_by_value(p, eps, 1.0 - eps)
    return reduce(-(y * tf.math.log(p) + (1.0 - y) * tf.math.log(1.0 - p)), reduction)


def binary_cross_entropy_with_logits(y_true, logits, *, pos_weight=None, reduction="mean"):
    """Binary cross-entropy on logits, ``-[w·y·log σ(z) + (1 - y)·log(1 - σ(z))]``.

    Computed as ``w·y·softplus(-z) + (1 - y)·softplus(z)``: exact and finite (value and
    gradient) for any finite logit.

    Parameters
    ----------
    y_true : tf.Tensor
        Targets in [0, 1] (soft labels allowed), same shape as ``logits``.
    logits : tf.Tensor
        Raw scores, floating.
    pos_weight : float or tf.Tensor, optional
        Weight ``w`` of the positive term: a scalar or one value per column (shape ``(C,)``,
        the last axis) -- the one documented broadcast. ``None`` means 1. Must be ``>= 0``.
    reduction : {"mean", "sum", "none"}

    Notes
    -----
    Equals ``torch.nn.BCEWithLogitsLoss(pos_weight=...)``.
    ``keras.losses.BinaryCrossentropy(from_logits=True)`` has the same elementwise value
    but no ``pos_weight`` and averages over the last axis first.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import binary_cross_entropy_with_logits as bce
    >>> round(float(bce(tf.constant([1.0, 0.0]), tf.constant([2.0, -1.0]))), 4)
    0.2201
    >>> round(float(bce(tf.constant([1.0]), tf.constant([-1e4]))), 1)
    10000.0
    """
    v = validator("binary_cross_entropy_with_logits")
    v.reduction(reduction)
    y_true, logits = as_tensor(y_true), as_tensor(logits)
    w = None if pos_weight is None else as_tensor(pos_weight)
    v.floating("logits", logits)
    v.nonempty("y_true", y_true)
    v.nonempty("logits", logits)
    v.same_shape("y_true", y_true, "logits", logits)
    if w is not None and w.shape.rank != 0 and logits.shape[-1] is not None:
        v.shape_equals(
            "pos_weight",
            w,
            logits.shape[-1:],
            "() or (C,) with C the size of the last axis of logits",
        )
    v.finite("y_true", y_true)
    v.finite("logits", logits)
    v.in_unit_interval("y_true", y_true, fix="Targets are probabilities or 0/1 labels.")
    if w is not None:
        v.finite("pos_weight", w)
        v.nonnegative("pos_weight", w, fix="pos_weight is a ratio such as n_negative / n_positive.")
    dtype = compute_dtype(logits)
    y, z = cast(y_true, dtype), cast(logits, dtype)
    pos = y * tf.math.softplus(-z)
    if w is not None:
        pos = cast(w, dtype) * pos
    return reduce(pos + (1.0 - y) * tf.math.softplus(z), reduction)


def _hinge_margin(name, y_true, scores, reduction):
    v = validator(name)
    v.reduction(reduction)
    y_true, scores = prepare_pair(v, "y_true", y_true, "scores", scores)
    v.pm1_labels("y_true", y_true)
    dtype = compute_dtype(scores)
    return tf.nn.relu(1.0 - cast(y_true, dtype) * cast(scores, dtype))


def hinge(y_true, scores, *, reduction="mean"):
    """Hinge loss, ``max(0, 1 - y·s)`` with ``y ∈ {-1, +1}``.

    Parameters
    ----------
    y_true : tf.Tensor
        Labels in {-1, +1} (0/1 labels raise: convert them with ``2*y - 1``).
    scores : tf.Tensor
        Raw scores, floating, same shape.
    reduction : {"mean", "sum", "none"}

    Notes
    -----
    ``keras.losses.Hinge`` silently converts 0/1 labels to -1/+1 (and averages over the
    last axis); lossbook raises instead, so that a wrong label encoding cannot go
    unnoticed. The gradient at the kink ``y·s = 1`` is 0.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import hinge
    >>> round(float(hinge(tf.constant([1.0, -1.0]), tf.constant([0.5, -2.0]))), 4)
    0.25
    """
    return reduce(_hinge_margin("hinge", y_true, scores, reduction), reduction)


def squared_hinge(y_true, scores, *, reduction="mean"):
    """Squared hinge loss, ``max(0, 1 - y·s)²`` with ``y ∈ {-1, +1}``.

    Parameters
    ----------
    y_true : tf.Tensor
        Labels in {-1, +1} (0/1 labels raise: convert them with ``2*y - 1``).
    scores : tf.Tensor
        Raw scores, floating, same shape.
    reduction : {"mean", "sum", "none"}

    Notes
    -----
    ``keras.losses.SquaredHinge`` silently converts 0/1 labels (lossbook raises) and
    averages over the last axis first.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import squared_hinge
    >>> round(float(squared_hinge(tf.constant([1.0, -1.0]), tf.constant([0.5, -2.0]))), 4)
    0.125
    """
    return reduce(tf.square(_hinge_margin("squared_hinge", y_true, scores, reduction)), reduction)


def focal(y_true, logits, *, alpha=0.25, gamma=2.0, reduction="mean"):
    """Sigmoid focal loss (Lin et al. 2017), ``α_t·(1 - p_t)^γ·BCE(y, σ(z))``.

    ``p_t = p·y + (1 - p)(1 - y)``, ``α_t = α·y + (1 - α)(1 - y)``; ``alpha=None`` drops
    ``α_t``. The BCE comes from softplus and the modulating factor is computed in log
    space, ``exp(γ·log(1 - p_t))`` with
    ``log(1 - p_t) = logaddexp(log y + log σ(-z), log(1 - y) + log σ(z))``, so value and
    gradient stay finite for ``|z|`` up to 1e4 in float32, also for ``γ < 1``.

    Parameters
    ----------
    y_true : tf.Tensor
        Targets in [0, 1] (soft labels allowed), same shape as ``logits``.
    logits : tf.Tensor
        Raw scores, floating.
    alpha : float or None
        Weight of the positive class in [0, 1]; ``None`` for no class weighting.
    gamma : float
        Focusing parameter ``>= 0``; ``gamma=0`` with ``alpha=None`` is the BCE.
    reduction : {"mean", "sum", "none"}

    Notes
    -----
    Equals ``torchvision.ops.sigmoid_focal_loss``.
    ``keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, from_logits=True)``
    has the same definition and the same values (it computes the BCE from the logits), but
    takes ``(1 - p_t)^γ`` as a power of the sigmoid output: for ``γ < 1`` its gradient is
    NaN at confidently correct logits (e.g. ``z = 1e4``, ``y = 1``, ``γ = 0.5``), where
    lossbook's log-space factor gives 0. Keras also averages
    over the last axis; without ``apply_class_balancing`` it is ``alpha=None``.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import focal
    >>> round(float(focal(tf.constant([1.0, 0.0]), tf.constant([0.0, 0.0]))), 4)
    0.0866
    >>> round(float(focal(tf.constant([1.0]), tf.constant([-1e4]), gamma=0.5)), 1)
    2500.0
    """
    v = validator("focal")
    v.reduction(reduction)
    if alpha is not None:
        v.unit_param("alpha", alpha)
    v.positive_param("gamma", gamma, allow_zero=True)
    y_true, logits = prepare_pair(v, "y_true", y_true, "logits", logits)
    v.in_unit_interval("y_true", y_true, fix="Targets are probabilities or 0/1 labels.")
    dtype = compute_dtype(logits)
    y, z = cast(y_true, dtype), cast(logits, dtype)
    bce = y * tf.math.softplus(-z) + (1.0 - y) * tf.math.softplus(z)
    loss = bce
    if gamma != 0:
        # log(1 - p_t); log(0) = -inf for hard labels drops that term exactly.
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
    return reduce(loss, reduction)
