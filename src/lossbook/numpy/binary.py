"""Binary (and multi-label) classification losses in NumPy, with hand-derived gradients.

All of them are elementwise: on an ``(N, C)`` input they treat every entry as its own
yes/no problem (multi-label), and ``reduction="none"`` returns the prediction's shape.
``<name>_grad`` returns d(reduced loss)/d(prediction) (for ``"none"``: of the sum).
Sigmoids are never formed and then logged: ``log σ(z) = -softplus(-z)`` is computed with
``np.logaddexp``, so every value and gradient is finite for logits up to ``|1e4|`` in float32.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._ops import reduce
from .regression import _elementwise_inputs, _float_array, _grad, _start

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_grad",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_grad",
    "hinge",
    "hinge_grad",
    "squared_hinge",
    "squared_hinge_grad",
    "focal",
    "focal_grad",
]

_LABEL_FIX = "Targets are probabilities of the positive class: 0/1 labels or soft labels in [0, 1]."


def _softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + exp(x)) without overflow."""
    return np.logaddexp(0, x)


# ---- binary_cross_entropy ----------------------------------------------------------------
def _prepare_bce(
    y_true: Any, p: Any, eps: float, reduction: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate; return the targets, the clipped probabilities and where p was inside."""
    v = _start("binary_cross_entropy", reduction)
    v.interval_param(
        "eps", eps, 0, 0.5, lo_open=True, hi_open=True, fix="The usual value is 1e-7 (Keras's)."
    )
    y, p = _elementwise_inputs(v, y_true=y_true, p=p)
    v.in_unit_interval("y_true", y, fix=_LABEL_FIX)
    v.in_unit_interval("p", p)
    pc = np.clip(p, eps, 1 - eps)
    return y, pc, pc == p


def binary_cross_entropy(
    y_true: Any, p: Any, *, eps: float = 1e-7, reduction: str = "mean"
) -> np.ndarray:
    """Binary cross-entropy (log loss) on probabilities.

    The unreduced loss is ``-[y·log p + (1 - y)·log(1 - p)]`` with ``p`` first clipped to
    ``[eps, 1 - eps]``, so that ``p`` of exactly 0 or 1 gives a finite loss (at most
    ``-log eps``, about 16.1 for the default) and a finite gradient (0 where ``p`` was
    clipped: clipping passes the gradient only inside the interval). It is the negative
    log-likelihood of a Bernoulli; its minimiser is the conditional probability
    ``P(y = 1 | x)``. Soft labels ``y`` in ``[0, 1]`` are accepted.

    Parameters
    ----------
    y_true : array_like
        Labels or soft labels in ``[0, 1]``, any shape.
    p : array_like
        Predicted probabilities in ``[0, 1]``, the same shape as ``y_true``.
    eps : float, default 1e-7
        Clipping margin, ``0 < eps < 0.5``.
    reduction : {"mean", "sum", "none"}
        ``"none"``: elementwise, shape of ``p`` (an ``(N, C)`` input is multi-label);
        ``"sum"``; ``"mean"`` over every element.

    Returns
    -------
    ndarray
        In the float dtype of ``p``; 0-d for ``"mean"`` / ``"sum"``.

    Notes
    -----
    Matches ``keras.losses.BinaryCrossentropy()`` (which clips ``p`` to
    ``[1e-7, 1 - 1e-7]`` the same way, and averages the last axis for its per-sample
    output). ``torch.nn.BCELoss`` does not clip ``p``: it clamps each ``log`` at ``-100``,
    so the two differ only for ``p`` within ``eps`` of 0 or 1. In float32 ``1 - 1e-7``
    rounds to ``1 - 1.19e-7``, so the cap at ``p = 1`` is about 15.9 (as in Keras).
    Computing ``p = sigmoid(z)`` and then this loss loses precision for large ``|z|``:
    prefer :func:`binary_cross_entropy_with_logits`.

    Examples
    --------
    >>> round(float(binary_cross_entropy([1.0, 0.0], [0.9, 0.2])), 4)
    0.1643
    >>> round(float(binary_cross_entropy([1.0], [0.0])), 4)
    16.1181
    """
    y, pc, _ = _prepare_bce(y_true, p, eps, reduction)
    return reduce(-(y * np.log(pc) + (1 - y) * np.log1p(-pc)), reduction)


def binary_cross_entropy_grad(
    y_true: Any, p: Any, *, eps: float = 1e-7, reduction: str = "mean"
) -> np.ndarray:
    """Gradient of :func:`binary_cross_entropy` with respect to ``p``:
    ``(p - y) / (p (1 - p))`` where ``eps <= p <= 1 - eps``, else 0; divided by the
    number of elements for ``"mean"``.

    Examples
    --------
    >>> binary_cross_entropy_grad([1.0, 0.0], [0.5, 0.2], reduction="sum").round(4).tolist()
    [-2.0, 1.25]
    """
    y, pc, inside = _prepare_bce(y_true, p, eps, reduction)
    return _grad(np.where(inside, (pc - y) / (pc * (1 - pc)), 0).astype(pc.dtype), reduction)


# ---- binary_cross_entropy_with_logits ----------------------------------------------------
def _prepare_bce_logits(
    y_true: Any, logits: Any, pos_weight: Any, reduction: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | float]:
    v = _start("binary_cross_entropy_with_logits", reduction)
    y, z = _elementwise_inputs(v, y_true=y_true, logits=logits)
    w: np.ndarray | float = 1.0
    if pos_weight is not None:
        w = _float_array(v, "pos_weight", pos_weight)
        if w.ndim:
            v.shape_equals(
                "pos_weight",
                w,
                z.shape[-1:],
                "(C,) with C the size of the last axis of logits",
                fix="Pass a scalar (shape ()) or one weight per label (column) of logits.",
            )
        v.finite("pos_weight", w)
    v.in_unit_interval("y_true", y, fix=_LABEL_FIX)
    if pos_weight is not None:
        v.nonnegative(
            "pos_weight", w, fix="It scales the positive term; a common choice is n_neg / n_pos."
        )
        w = np.asarray(w).astype(z.dtype)
    return y, z, w


def binary_cross_entropy_with_logits(
    y_true: Any, logits: Any, *, pos_weight: Any = None, reduction: str = "mean"
) -> np.ndarray:
    """Binary cross-entropy on logits, computed stably.

    With ``σ`` the logistic sigmoid, the unreduced loss is
    ``-[w·y·log σ(z) + (1 - y)·log(1 - σ(z))] = w·y·softplus(-z) + (1 - y)·softplus(z)``
    where ``softplus(x) = log(1 + eˣ)`` is evaluated with ``np.logaddexp(0, x)``: no
    sigmoid is formed, nothing overflows, and the loss grows linearly (not to ``inf``)
    for confidently wrong logits. ``w`` is ``pos_weight`` (1 by default): values above 1
    raise recall on the positive class, e.g. ``n_negative / n_positive`` per label.

    Parameters
    ----------
    y_true : array_like
        Labels or soft labels in ``[0, 1]``, any shape.
    logits : array_like
        Raw scores ``z``, the same shape as ``y_true``.
    pos_weight : float or array_like, optional
        Non-negative weight of the positive term: a scalar, or shape ``(C,)`` matching
        the last axis of ``logits`` (one weight per label). This is the one broadcast
        lossbook allows.
    reduction : {"mean", "sum", "none"}
        ``"none"``: elementwise, shape of ``logits``; ``"sum"``; ``"mean"`` over every
        element.

    Returns
    -------
    ndarray
        In the float dtype of ``logits``; 0-d for ``"mean"`` / ``"sum"``.

    Notes
    -----
    Equal to ``torch.nn.BCEWithLogitsLoss(pos_weight=...)`` (called as
    ``(logits, y_true)``). ``keras.losses.BinaryCrossentropy(from_logits=True)`` computes
    the same loss without ``pos_weight`` (its per-sample output averages the last axis).
    Gradient: ``σ(z) - y`` for ``w = 1``.

    Examples
    --------
    >>> round(float(binary_cross_entropy_with_logits([1.0, 0.0], [2.0, -1.0])), 4)
    0.2201
    >>> round(float(binary_cross_entropy_with_logits([1.0], [-1e4])), 1)
    10000.0
    >>> round(float(binary_cross_entropy_with_logits([1.0], [0.0], pos_weight=3.0)), 4)
    2.0794
    """
    y, z, w = _prepare_bce_logits(y_true, logits, pos_weight, reduction)
    return reduce(w * y * _softplus(-z) + (1 - y) * _softplus(z), reduction)


def binary_cross_entropy_with_logits_grad(
    y_true: Any, logits: Any, *, pos_weight: Any = None, reduction: str = "mean"
) -> np.ndarray:
    """Gradient of :func:`binary_cross_entropy_with_logits` with respect to ``logits``:
    ``(1 - y)·σ(z) - w·y·σ(-z)`` (``σ(z) - y`` for ``w = 1``), divided by the number of
    elements for ``"mean"``.

    Examples
    --------
    >>> g = binary_cross_entropy_with_logits_grad([1.0, 0.0], [0.0, 0.0], reduction="sum")
    >>> g.round(4).tolist()
    [-0.5, 0.5]
    """
    y, z, w = _prepare_bce_logits(y_true, logits, pos_weight, reduction)
    sig, sig_neg = np.exp(-_softplus(-z)), np.exp(-_softplus(z))  # σ(z), σ(-z)
    return _grad((1 - y) * sig - w * y * sig_neg, reduction)


# ---- hinge / squared_hinge ---------------------------------------------------------------
def _hinge_slack(
    loss: str, y_true: Any, scores: Any, reduction: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Validate; return the ±1 labels and the slack ``u = 1 - y·s`` (loss where u > 0)."""
    v = _start(loss, reduction)
    y, s = _elementwise_inputs(v, y_true=y_true, scores=scores)
    v.pm1_labels("y_true", y)
    return y, 1 - y * s


def hinge(y_true: Any, scores: Any, *, reduction: str = "mean") -> np.ndarray:
    """Hinge loss, the loss of the soft-margin support vector machine (Cortes & Vapnik, 1995).

    The unreduced loss is ``max(0, 1 - y·s)`` with labels ``y`` in ``{-1, +1}`` and raw
    scores ``s``: zero once a sample is on the right side with margin at least 1, linear
    otherwise. It does not give probabilities; its population minimiser is
    ``sign(P(y = 1 | x) - ½)``.

    Parameters
    ----------
    y_true : array_like
        Labels in ``{-1, +1}``, any shape. 0/1 labels raise :class:`~lossbook.LossInputError`
        (convert them with ``2*y - 1``).
    scores : array_like
        Raw scores (not probabilities), the same shape as ``y_true``.
    reduction : {"mean", "sum", "none"}
        ``"none"``: elementwise, shape of ``scores``; ``"sum"``; ``"mean"`` over every element.

    Returns
    -------
    ndarray
        In the float dtype of ``scores``; 0-d for ``"mean"`` / ``"sum"``.

    Notes
    -----
    ``keras.losses.Hinge`` silently converts 0/1 labels to ±1 (when every label is 0 or
    1) and averages the last axis per sample; lossbook refuses 0/1 labels instead, so a
    mix-up cannot pass unnoticed. PyTorch has no binary hinge loss:
    ``torch.nn.HingeEmbeddingLoss`` is a different loss (on distances),
    ``torch.nn.MultiMarginLoss`` the multiclass one. ``sklearn.metrics.hinge_loss`` equals
    the ``"mean"`` reduction. At the kink (``y·s = 1``) the gradient is 0.

    References
    ----------
    C. Cortes and V. Vapnik, "Support-vector networks", Machine Learning 20 (1995).

    Examples
    --------
    >>> hinge([1.0, -1.0, 1.0], [2.0, 0.5, -1.0], reduction="none").tolist()
    [0.0, 1.5, 2.0]
    """
    _, u = _hinge_slack("hinge", y_true, scores, reduction)
    return reduce(np.maximum(u, 0), reduction)


def hinge_grad(y_true: Any, scores: Any, *, reduction: str = "mean") -> np.ndarray:
    """Gradient of :func:`hinge` with respect to ``scores``: ``-y`` where ``y·s < 1``, else
    0 (also at the kink); divided by the number of elements for ``"mean"``.

    Examples
    --------
    >>> hinge_grad([1.0, -1.0, 1.0], [2.0, 0.5, -1.0], reduction="sum").tolist()
    [0.0, 1.0, -1.0]
    """
    y, u = _hinge_slack("hinge", y_true, scores, reduction)
    return _grad(np.where(u > 0, -y, 0).astype(u.dtype), reduction)


def squared_hinge(y_true: Any, scores: Any, *, reduction: str = "mean") -> np.ndarray:
    """Squared hinge loss (the L2-SVM loss).

    The unreduced loss is ``max(0, 1 - y·s)²`` with labels ``y`` in ``{-1, +1}``:
    differentiable everywhere (gradient ``-2·y·max(0, 1 - y·s)``), and harsher than
    :func:`hinge` on badly misclassified samples.

    Parameters
    ----------
    y_true : array_like
        Labels in ``{-1, +1}``, any shape (convert 0/1 labels with ``2*y - 1``).
    scores : array_like
        Raw scores, the same shape as ``y_true``.
    reduction : {"mean", "sum", "none"}
        ``"none"``: elementwise, shape of ``scores``; ``"sum"``; ``"mean"`` over every element.

    Returns
    -------
    ndarray
        In the float dtype of ``scores``; 0-d for ``"mean"`` / ``"sum"``.

    Notes
    -----
    ``keras.losses.SquaredHinge`` converts 0/1 labels silently, as ``Hinge`` does;
    lossbook raises. PyTorch has no built-in.

    References
    ----------
    C. Cortes and V. Vapnik, "Support-vector networks", Machine Learning 20 (1995).

    Examples
    --------
    >>> squared_hinge([1.0, -1.0, 1.0], [2.0, 0.5, -1.0], reduction="none").tolist()
    [0.0, 2.25, 4.0]
    """
    _, u = _hinge_slack("squared_hinge", y_true, scores, reduction)
    return reduce(np.maximum(u, 0) ** 2, reduction)


def squared_hinge_grad(y_true: Any, scores: Any, *, reduction: str = "mean") -> np.ndarray:
    """Gradient of :func:`squared_hinge` with respect to ``scores``:
    ``-2·y·max(0, 1 - y·s)``, divided by the number of elements for ``"mean"``.

    Examples
    --------
    >>> squared_hinge_grad([1.0, -1.0, 1.0], [0.5, 0.5, -1.0], reduction="sum").tolist()
    [-1.0, 3.0, -4.0]
    """
    y, u = _hinge_slack("squared_hinge", y_true, scores, reduction)
    return _grad(-2 * y * np.maximum(u, 0), reduction)


# ---- focal -------------------------------------------------------------------------------
def _prepare_focal(
    y_true: Any, logits: Any, alpha: float | None, gamma: float, reduction: Any
) -> dict[str, Any]:
    """Validate; return the pieces of the focal loss, all in log space where it matters."""
    v = _start("focal", reduction)
    if alpha is not None:
        v.unit_param("alpha", alpha)
    v.positive_param("gamma", gamma, allow_zero=True)
    y, z = _elementwise_inputs(v, y_true=y_true, logits=logits)
    v.in_unit_interval("y_true", y, fix=_LABEL_FIX)
    log_sig, log_sig_neg = -_softplus(-z), -_softplus(z)  # log σ(z), log σ(-z)
    with np.errstate(divide="ignore"):  # log 0 = -inf for hard labels; logaddexp absorbs it
        # 1 - p_t = y·σ(-z) + (1 - y)·σ(z)
        log_1m_pt = np.logaddexp(np.log(y) + log_sig_neg, np.log1p(-y) + log_sig)
    return {
        "y": y,
        "log_sig": log_sig,
        "log_1m_pt": log_1m_pt,
        "ce": -(y * log_sig + (1 - y) * log_sig_neg),
        "mod": np.exp(gamma * log_1m_pt),  # (1 - p_t)^γ
        "d_log_sig": log_sig + log_sig_neg,  # log σ'(z) = log σ(z)σ(-z)
        "alpha_t": 1.0 if alpha is None else alpha * y + (1 - alpha) * (1 - y),
    }


def focal(
    y_true: Any,
    logits: Any,
    *,
    alpha: float | None = 0.25,
    gamma: float = 2.0,
    reduction: str = "mean",
) -> np.ndarray:
    """Sigmoid focal loss (Lin et al., 2017, RetinaNet).

    With ``p = σ(z)``, ``p_t = p·y + (1 - p)(1 - y)`` (the probability given to the true
    label) and ``α_t = α·y + (1 - α)(1 - y)``, the unreduced loss is
    ``α_t·(1 - p_t)^γ·BCE(y, p)``. The modulating factor ``(1 - p_t)^γ`` shrinks the loss
    of well-classified examples, so the many easy negatives of dense detection do not
    swamp the few hard ones; ``α`` re-weights positives against negatives
    (``alpha=None`` drops ``α_t``). ``gamma=0, alpha=None`` is
    :func:`binary_cross_entropy_with_logits`.

    The BCE term uses log-sigmoids, and the modulating factor is computed in log space,
    ``exp(γ·log(1 - p_t))`` with
    ``log(1 - p_t) = logaddexp(log(1 - y) + log σ(z), log(y) + log σ(-z))``, so values and
    gradients stay finite for ``|z|`` up to 1e4 in float32, including ``gamma < 1``, where
    the naive derivative of ``(1 - p_t)^γ`` divides by zero.

    Parameters
    ----------
    y_true : array_like
        Labels or soft labels in ``[0, 1]``, any shape.
    logits : array_like
        Raw scores ``z``, the same shape as ``y_true``.
    alpha : float or None, default 0.25
        Weight of the positive class in ``[0, 1]`` (negatives get ``1 - alpha``); None
        for no class weighting.
    gamma : float, default 2.0
        Focusing parameter, ``>= 0``.
    reduction : {"mean", "sum", "none"}
        ``"none"``: elementwise, shape of ``logits``; ``"sum"``; ``"mean"`` over every
        element. (RetinaNet divides the sum by the number of positive anchors: use
        ``reduction="sum"`` and divide yourself.)

    Returns
    -------
    ndarray
        In the float dtype of ``logits``; 0-d for ``"mean"`` / ``"sum"``.

    Notes
    -----
    Equal to ``torchvision.ops.sigmoid_focal_loss(logits, y_true, alpha, gamma)``
    (torchvision disables ``α_t`` with ``alpha=-1``, lossbook with ``alpha=None``) and to
    ``keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=alpha,
    gamma=gamma, from_logits=True)`` (Keras 3 on TensorFlow takes the cross-entropy from
    the logits, so values agree even at ``|z| = 1000``; its gradient can be NaN there for
    ``gamma < 1``), and Keras averages the last axis per sample. Keras's ``apply_class_balancing`` defaults to
    False (no ``α_t``); core PyTorch has no focal loss.

    References
    ----------
    T.-Y. Lin, P. Goyal, R. Girshick, K. He and P. Dollár, "Focal loss for dense object
    detection", ICCV 2017.

    Examples
    --------
    >>> round(float(focal([1.0, 0.0], [2.0, -1.0])), 4)
    0.0087
    >>> round(float(focal([1.0], [0.0], alpha=None, gamma=0.0)), 4)
    0.6931
    """
    f = _prepare_focal(y_true, logits, alpha, gamma, reduction)
    return reduce(f["alpha_t"] * f["mod"] * f["ce"], reduction)


def focal_grad(
    y_true: Any,
    logits: Any,
    *,
    alpha: float | None = 0.25,
    gamma: float = 2.0,
    reduction: str = "mean",
) -> np.ndarray:
    """Gradient of :func:`focal` with respect to ``logits``.

    With ``m = (1 - p_t)^γ`` and ``CE = BCE(y, σ(z))``, ``d(1 - p_t)/dz = (1 - 2y)·σ(z)σ(-z)``
    and ``dCE/dz = σ(z) - y``, so

        dℓ/dz = α_t·[m·(σ(z) - y) + γ·(1 - 2y)·σ(z)σ(-z)·(1 - p_t)^(γ-1)·CE]

    where the second product is evaluated as one exponential of a sum of logs (finite
    for ``gamma < 1`` and saturated logits). Divided by the number of elements for
    ``"mean"``.

    Examples
    --------
    >>> round(float(focal_grad([1.0], [0.0], alpha=None, gamma=0.0)[0]), 4)
    -0.5
    """
    f = _prepare_focal(y_true, logits, alpha, gamma, reduction)
    y = f["y"]
    d_mod = gamma * np.exp((gamma - 1) * f["log_1m_pt"] + f["d_log_sig"])  # dm/dz / (1 - 2y)
    g = f["alpha_t"] * (f["mod"] * (np.exp(f["log_sig"]) - y) + (1 - 2 * y) * d_mod * f["ce"])
    return _grad(g, reduction)
