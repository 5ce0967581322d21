"""Binary (and multi-label) classification losses in NumPy, with hand-derived gradients.

All are elementwise: an ``(N, C)`` input is multi-label. Sigmoids are never formed and
then logged: ``log σ(z) = -softplus(-z)`` is computed with ``np.logaddexp``, so values and
gradients are finite for logits up to ``|1e4|`` in float32. Only the mathematics is here;
:mod:`lossbook._frame` builds the public functions from the catalog.
"""

from __future__ import annotations

import numpy as np

from ._ops import gradient, implements

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


def _softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + exp(x)) without overflow."""
    return np.logaddexp(0, x)


@implements("binary_cross_entropy")
def binary_cross_entropy(y_true, p, *, eps):
    """``p`` is clipped to ``[eps, 1 - eps]``: ``p`` of exactly 0 or 1 gives a finite loss
    (at most ``-log eps``) and the gradient is 0 where ``p`` was clipped. In float32
    ``1 - 1e-7`` rounds to ``1 - 1.19e-7``, so the cap at ``p = 1`` is about 15.9."""
    pc = np.clip(p, eps, 1 - eps)
    with np.errstate(divide="ignore"):  # eps = 0 is allowed: log 0 = -inf, as asked
        return -(y_true * np.log(pc) + (1 - y_true) * np.log1p(-pc))


@gradient("binary_cross_entropy")
def binary_cross_entropy_grad(y_true, p, *, eps):
    pc = np.clip(p, eps, 1 - eps)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = (pc - y_true) / (pc * (1 - pc))
    return np.where(pc == p, g, 0).astype(pc.dtype)


@implements("binary_cross_entropy_with_logits")
def binary_cross_entropy_with_logits(y_true, logits, *, pos_weight):
    """Computed as ``w·y·softplus(-z) + (1 - y)·softplus(z)`` with ``np.logaddexp``: no
    sigmoid is formed and the loss grows linearly for confidently wrong logits."""
    w = 1.0 if pos_weight is None else pos_weight
    return w * y_true * _softplus(-logits) + (1 - y_true) * _softplus(logits)


@gradient("binary_cross_entropy_with_logits")
def binary_cross_entropy_with_logits_grad(y_true, logits, *, pos_weight):
    w = 1.0 if pos_weight is None else pos_weight
    sig, sig_neg = np.exp(-_softplus(-logits)), np.exp(-_softplus(logits))  # σ(z), σ(-z)
    return (1 - y_true) * sig - w * y_true * sig_neg


@implements("hinge")
def hinge(y_true, scores):
    """At the kink (``y·s = 1``) the gradient is 0."""
    return np.maximum(1 - y_true * scores, 0)


@gradient("hinge")
def hinge_grad(y_true, scores):
    return np.where(1 - y_true * scores > 0, -y_true, 0).astype(scores.dtype)


@implements("squared_hinge")
def squared_hinge(y_true, scores):
    return np.maximum(1 - y_true * scores, 0) ** 2


@gradient("squared_hinge")
def squared_hinge_grad(y_true, scores):
    return -2 * y_true * np.maximum(1 - y_true * scores, 0)


def _focal_parts(y, z, alpha, gamma):
    log_sig, log_sig_neg = -_softplus(-z), -_softplus(z)  # log σ(z), log σ(-z)
    with np.errstate(divide="ignore"):  # log 0 = -inf for hard labels; logaddexp absorbs it
        # 1 - p_t = y·σ(-z) + (1 - y)·σ(z)
        log_1m_pt = np.logaddexp(np.log(y) + log_sig_neg, np.log1p(-y) + log_sig)
    ce = -(y * log_sig + (1 - y) * log_sig_neg)
    mod = np.exp(gamma * log_1m_pt)  # (1 - p_t)^γ
    alpha_t = 1.0 if alpha is None else alpha * y + (1 - alpha) * (1 - y)
    return log_sig, log_sig_neg, log_1m_pt, ce, mod, alpha_t


@implements("focal")
def focal(y_true, logits, *, alpha, gamma):
    """The modulating factor is ``exp(γ·log(1 - p_t))`` with
    ``log(1 - p_t) = logaddexp(log(1 - y) + log σ(z), log(y) + log σ(-z))``, so values and
    gradients stay finite for ``|z|`` up to 1e4 in float32, including ``gamma < 1``, where
    the naive derivative of ``(1 - p_t)^γ`` divides by zero."""
    *_, ce, mod, alpha_t = _focal_parts(y_true, logits, alpha, gamma)
    return alpha_t * mod * ce


@gradient("focal")
def focal_grad(y_true, logits, *, alpha, gamma):
    """With ``m = (1 - p_t)^γ``, ``d(1 - p_t)/dz = (1 - 2y)·σ(z)σ(-z)`` and
    ``dCE/dz = σ(z) - y``: ``dℓ/dz = α_t·[m·(σ(z) - y) + γ·(1 - 2y)·σ(z)σ(-z)·(1 - p_t)^(γ-1)·CE]``,
    the second product evaluated as one exponential of a sum of logs."""
    y = y_true
    log_sig, log_sig_neg, log_1m_pt, ce, mod, alpha_t = _focal_parts(y, logits, alpha, gamma)
    d_mod = gamma * np.exp((gamma - 1) * log_1m_pt + log_sig + log_sig_neg)
    return alpha_t * (mod * (np.exp(log_sig) - y) + (1 - 2 * y) * d_mod * ce)
