"""Binary (and multi-label) classification losses in PyTorch (the mathematics only:
:mod:`lossbook._frame` builds the public functions from the catalog). All are
elementwise: an ``(N, C)`` input is multi-label."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.autograd.function import once_differentiable

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
    """``torch.nn.BCELoss`` instead clamps each log at -100, so the two differ only for
    ``p`` within ``eps`` of 0 or 1. For float16 / bfloat16 input ``1 - eps`` is rounded
    to float32."""
    pc = torch.clamp(p, eps, 1.0 - eps)
    return -(y_true * torch.log(pc) + (1.0 - y_true) * torch.log1p(-pc))


@implements("binary_cross_entropy_with_logits")
def binary_cross_entropy_with_logits(y_true, logits, *, pos_weight, reduction):
    """Calls ``torch.nn.functional.binary_cross_entropy_with_logits`` after lossbook's
    checks (torch broadcasts ``pos_weight`` freely; lossbook allows ``()`` or ``(C,)``)."""
    return F.binary_cross_entropy_with_logits(
        logits, y_true, pos_weight=pos_weight, reduction=reduction
    )


@implements("hinge")
def hinge(y_true, scores):
    """Gradient 0 at the kink. PyTorch's ``HingeEmbeddingLoss`` is a different loss."""
    return F.relu(1.0 - y_true * scores)


@implements("squared_hinge")
def squared_hinge(y_true, scores):
    return F.relu(1.0 - y_true * scores).square()


class _Focal(torch.autograd.Function):
    """Elementwise focal loss with a hand-written backward (fewer passes over memory and
    fewer temporaries than autograd through the log-space formula; the benchmark holds it
    to the torchvision formula's speed).

    With ``sp = softplus(z) = −log σ(−z)``, ``sn = softplus(−z) = −log σ(z)``,
    ``B = y·sn + (1 − y)·sp`` (the BCE), ``ℓ = log(1 − p_t) = log(y·σ(−z) + (1 − y)·σ(z))``
    (guarded against underflow, see the code) and ``f = exp(γℓ)``:
    ``d/dz [α_t·f·B] = α_t·f·[(σ(z) − y) + γ·B·(1 − 2y)·exp(−sn − sp − ℓ)]``, where
    ``exp(−sn − sp − ℓ) = σ(z)σ(−z) / (1 − p_t)`` stays in [0, 1] for hard labels and is
    finite for soft ones. ``σ(z) − y`` is formed in the forward pass, where ``σ(±z)`` are
    at hand, as ``(1 − p_t) − 2y·σ(−z)``: exact at hard labels (no ``1 − σ(z)``
    cancellation).
    """

    @staticmethod
    def forward(ctx, z, y, alpha, gamma):
        # In-place ops and out= buffers throughout: on the CPU each pass over a large tensor
        # and each fresh temporary costs more than the arithmetic in it.
        negz = torch.neg(z)
        sp = F.softplus(z)  # −log σ(−z)
        sn = F.softplus(negz)  # −log σ(z), computed directly: sp − z would cancel
        # BCE(y, σ(z)) = y·sn + (1 − y)·sp; lerp returns sn exactly at y = 1 and sp at y = 0,
        # so confident correct predictions keep their tiny loss instead of rounding to 0.
        bce = torch.lerp(sp, sn, y)
        d = w = ell = None  # d = σ(z) − y, w = α_t·f, ell = ℓ + sn (what the backward needs)
        if gamma != 0:
            # 1 − p_t = y·σ(−z) + (1 − y)·σ(z): a sum of two non-negative terms, each
            # accurate; its log is ℓ wherever it does not underflow. By concavity
            # ℓ ≥ ℓ_lin = y·log σ(−z) + (1 − y)·log σ(z) = −(sn + y·z), which is exact for
            # hard labels; the maximum of the two is exact for hard labels at any |z| and
            # for soft ones wherever 1 − p_t is a normal number. (No log of zeros, no -inf
            # arithmetic, no masks: those are the slow paths on the CPU.)
            sig_neg = torch.sigmoid(negz, out=negz)  # σ(−z)
            ell = torch.sigmoid(z).lerp_(sig_neg, y)  # 1 − p_t, exact at hard labels
            d = torch.addcmul(ell, y, sig_neg, value=-2.0)  # σ(z) − y
            ell.log_()
            torch.maximum(ell, torch.addcmul(sn, y, z, out=sig_neg).neg_(), out=ell)
            w = torch.mul(ell, gamma, out=sig_neg).exp_()  # f = (1 − p_t)^γ
            ell.add_(sn)
            if alpha is not None:  # α_t·f = (1 − α)·f + (2α − 1)·y·f
                w = torch.addcmul(torch.mul(w, 1.0 - alpha, out=sn), w, y, value=2.0 * alpha - 1.0)
        elif alpha is not None:
            w = y.mul(2.0 * alpha - 1.0).add_(1.0 - alpha)  # α·y + (1 − α)(1 − y)
        loss = bce.clone() if w is None else bce * w
        ctx.save_for_backward(z, y, sp, bce, ell, w, d)
        ctx.gamma = gamma
        return loss

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        z, y, sp, bce, ell, w, d = ctx.saved_tensors
        if d is None:  # γ = 0: σ(z) − y = (1 − y)·σ(z) − y·σ(−z), exact at hard labels
            d = torch.lerp(torch.sigmoid(z), torch.sigmoid(torch.neg(z)).neg_(), y)
        else:
            r = torch.add(sp, ell).neg_().exp_()  # exp(−sn − sp − ℓ) = σ(z)σ(−z) / (1 − p_t)
            torch.addcmul(r, r, y, value=-2.0, out=r)  # · (1 − 2y)
            # into r, not d: a saved tensor must survive a second backward (retain_graph)
            d = torch.addcmul(d, r, bce, value=ctx.gamma, out=r)
        if w is not None:
            d.mul_(w)
        return d.mul_(grad), None, None, None


@implements("focal")
def focal(y_true, logits, *, alpha, gamma):
    """The gradient with respect to ``logits`` is hand-written (a
    ``torch.autograd.Function``, differentiable once); no gradient flows to ``y_true``.
    torchvision's ``sigmoid_focal_loss`` computes ``(1 - p_t)**γ`` directly (NaN
    gradients for ``γ < 1`` when ``p_t`` rounds to 1) and drops ``α_t`` for ``alpha < 0``
    instead of ``None``."""
    return _Focal.apply(logits, y_true, alpha, float(gamma))
