"""Binary (and multi-label) classification losses in PyTorch: binary_cross_entropy,
binary_cross_entropy_with_logits, hinge, squared_hinge, focal.

All are elementwise: an ``(N, C)`` input is multi-label and ``reduction="none"`` returns
``(N, C)``. Targets first, predictions second; float16 / bfloat16 input is computed in
float32 (result float32); results live on the input's device. Soft labels in [0, 1] are
accepted where the contract says so.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.autograd.function import once_differentiable

from ._ops import as_tensor, prepare_pair, reduce, validator

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "hinge",
    "squared_hinge",
    "focal",
]


def binary_cross_entropy(y_true, p, *, eps=1e-7, reduction="mean"):
    """Binary cross-entropy on probabilities.

    ``−[y·log p + (1 − y)·log(1 − p)]`` with ``p`` clipped to ``[eps, 1 − eps]`` (Keras-like;
    the gradient is 0 where ``p`` is clipped). ``torch.nn.BCELoss`` instead clamps each log
    at −100, so the two differ only for ``p`` within ``eps`` of 0 or 1.

    Parameters
    ----------
    y_true : Tensor, labels or soft labels in [0, 1].
    p : Tensor, same shape, probabilities in [0, 1].
    eps : float in [0, 0.5).
    reduction : {"mean", "sum", "none"}; "none" returns ``p``'s shape.

    float16/bfloat16 are upcast to float32 (result float32; ``1 − eps`` is then rounded to
    float32); the result is on the input's device.

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> round(float(lt.binary_cross_entropy(torch.tensor([1.0, 0.0]), torch.tensor([0.8, 0.4]))), 4)
    0.367
    """
    v = validator("binary_cross_entropy")
    v.reduction(reduction)
    v.interval_param("eps", eps, 0.0, 0.5, hi_open=True)
    y_true, p = prepare_pair(v, "y_true", y_true, "p", p)
    v.in_unit_interval("y_true", y_true, fix="Soft labels must lie in [0, 1] too.")
    v.in_unit_interval("p", p)
    pc = torch.clamp(p, eps, 1.0 - eps)
    loss = -(y_true * torch.log(pc) + (1.0 - y_true) * torch.log1p(-pc))
    return reduce(loss, reduction)


def binary_cross_entropy_with_logits(y_true, logits, *, pos_weight=None, reduction="mean"):
    """Binary cross-entropy on logits, computed stably.

    ``−[w·y·log σ(z) + (1 − y)·log(1 − σ(z))]`` with ``w = pos_weight`` (1 when None),
    through log-sigmoids, finite for any finite logit.

    Parameters
    ----------
    y_true : Tensor, labels or soft labels in [0, 1].
    logits : Tensor, same shape.
    pos_weight : None, a number ≥ 0, or a tensor of shape ``()`` or ``(C,)`` (the last
        axis of ``logits``; the one documented broadcast), values ≥ 0.
    reduction : {"mean", "sum", "none"}; "none" returns ``logits``' shape.

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. After lossbook's checks this calls
    ``torch.nn.functional.binary_cross_entropy_with_logits`` (same definition; torch takes
    ``(input, target)`` and broadcasts ``pos_weight`` freely).

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> y, z = torch.tensor([1.0, 0.0]), torch.tensor([2.0, -1.0])
    >>> round(float(lt.binary_cross_entropy_with_logits(y, z)), 4)
    0.2201
    >>> round(float(lt.binary_cross_entropy_with_logits(y, z, pos_weight=2.0)), 4)
    0.2836
    """
    v = validator("binary_cross_entropy_with_logits")
    v.reduction(reduction)
    scalar_weight = pos_weight is not None and not hasattr(pos_weight, "shape")
    if scalar_weight:
        v.positive_param("pos_weight", pos_weight, allow_zero=True)
    elif pos_weight is not None:
        pos_weight = as_tensor(pos_weight, logits if isinstance(logits, torch.Tensor) else None)
        v.floating("pos_weight", pos_weight)
    y_true, logits = prepare_pair(v, "y_true", y_true, "logits", logits)
    if pos_weight is not None and not scalar_weight:
        if pos_weight.dim() != 0:
            v.shape_equals(
                "pos_weight",
                pos_weight,
                logits.shape[-1:],
                "(C,) (the last axis of logits) or ()",
                fix="Pass one weight per column (class) of the last axis, or a scalar.",
            )
        pos_weight = pos_weight.to(logits.dtype)
        v.finite("pos_weight", pos_weight)
        v.nonnegative("pos_weight", pos_weight, fix="Weights of positives must be >= 0.")
    v.in_unit_interval("y_true", y_true, fix="Soft labels must lie in [0, 1] too.")
    if scalar_weight:
        pos_weight = torch.tensor(float(pos_weight), dtype=logits.dtype, device=logits.device)
    return F.binary_cross_entropy_with_logits(
        logits, y_true, pos_weight=pos_weight, reduction=reduction
    )


def _pm1(v, y_true, scores):
    y_true, scores = prepare_pair(v, "y_true", y_true, "scores", scores)
    v.pm1_labels("y_true", y_true)
    return y_true, scores


def hinge(y_true, scores, *, reduction="mean"):
    """Hinge loss: ``max(0, 1 − y·s)`` with labels ``y ∈ {−1, +1}``.

    Parameters
    ----------
    y_true : Tensor of −1 / +1 labels (convert 0/1 labels with ``2*y - 1``).
    scores : Tensor, same shape, raw scores.
    reduction : {"mean", "sum", "none"}; "none" returns ``scores``' shape.

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. Gradient 0 at the kink. PyTorch has no binary hinge built-in (its
    ``HingeEmbeddingLoss`` is a different loss); Keras ``Hinge`` maps 0/1 labels silently.

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> round(float(lt.hinge(torch.tensor([1.0, -1.0]), torch.tensor([0.5, 0.5]))), 4)
    1.0
    """
    v = validator("hinge")
    v.reduction(reduction)
    y_true, scores = _pm1(v, y_true, scores)
    return reduce(F.relu(1.0 - y_true * scores), reduction)


def squared_hinge(y_true, scores, *, reduction="mean"):
    """Squared hinge loss: ``max(0, 1 − y·s)²`` with labels ``y ∈ {−1, +1}``.

    Parameters
    ----------
    y_true : Tensor of −1 / +1 labels (convert 0/1 labels with ``2*y - 1``).
    scores : Tensor, same shape.
    reduction : {"mean", "sum", "none"}; "none" returns ``scores``' shape.

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. No PyTorch built-in; Keras ``SquaredHinge`` maps 0/1 labels silently.

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> round(float(lt.squared_hinge(torch.tensor([1.0, -1.0]), torch.tensor([0.5, 0.5]))), 4)
    1.25
    """
    v = validator("squared_hinge")
    v.reduction(reduction)
    y_true, scores = _pm1(v, y_true, scores)
    return reduce(F.relu(1.0 - y_true * scores).square(), reduction)


class _Focal(torch.autograd.Function):
    """Elementwise focal loss with a hand-written backward (fewer passes and temporaries
    than autograd through the log-space formula; the benchmark holds it to the torchvision
    formula's speed).

    With ``sp = softplus(z) = −log σ(−z)``, ``sn = sp − z = softplus(−z) = −log σ(z)``,
    ``B = sp − y·z`` (the BCE), ``ℓ = log(1 − p_t) = log(y·e^(−sp) + (1 − y)·e^(−sn))``
    (guarded against underflow, see the code) and ``f = exp(γℓ)``:
    ``d/dz [α_t·f·B] = α_t·f·[(σ(z) − y) + γ·B·(1 − 2y)·exp(−sn − sp − ℓ)]``, where
    ``exp(−sn − sp − ℓ) = σ(z)σ(−z) / (1 − p_t)`` stays in [0, 1] for hard labels and is
    finite for soft ones.
    """

    @staticmethod
    def forward(ctx, z, y, alpha, gamma):
        # In-place ops and out= buffers throughout: on the CPU a fresh large tensor costs
        # more than the arithmetic, so temporaries are kept to a minimum.
        sp = F.softplus(z)  # −log σ(−z)
        sn = F.softplus(torch.neg(z))  # −log σ(z), computed directly: sp − z would cancel
        # BCE(y, σ(z)) = y·sn + (1 − y)·sp; lerp returns sn exactly at y = 1 and sp at y = 0,
        # so confident correct predictions keep their tiny loss instead of rounding to 0.
        bce = torch.lerp(sp, sn, y)
        w = ell = None  # w = α_t·f, ell = ℓ + sn (what the backward needs)
        if gamma != 0:
            # 1 − p_t = y·σ(−z) + (1 − y)·σ(z): a sum of two non-negative terms, each
            # accurate as exp(−sp), exp(−sn); its log is ℓ wherever it does not underflow.
            # By concavity ℓ ≥ ℓ_lin = y·log σ(−z) + (1 − y)·log σ(z) = −(sn + y·z), which
            # is exact for hard labels; the maximum of the two is exact for hard labels at
            # any |z| and for soft ones wherever 1 − p_t is a normal number. (No log of
            # zeros, no -inf arithmetic, no masks: those are the slow paths on the CPU.)
            other = torch.neg(sp).exp_()  # σ(−z)
            ell = torch.neg(sn).exp_()  # σ(z)
            ell.lerp_(other, y).log_()  # log(y·σ(−z) + (1 − y)·σ(z)), exact at hard labels
            torch.maximum(ell, torch.addcmul(sn, y, z, out=other).neg_(), out=ell)
            w = torch.mul(ell, gamma, out=other).exp_()  # f = (1 − p_t)^γ
            ell.add_(sn)
            if alpha is not None:
                w.mul_(torch.mul(y, 2.0 * alpha - 1.0, out=sn).add_(1.0 - alpha))
        elif alpha is not None:
            w = y.mul(2.0 * alpha - 1.0).add_(1.0 - alpha)  # α·y + (1 − α)(1 − y)
        loss = bce.clone() if w is None else bce * w
        ctx.save_for_backward(z, y, sp, bce, ell, w)
        ctx.gamma = gamma
        return loss

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        z, y, sp, bce, ell, w = ctx.saved_tensors
        # σ(z) − y = (1 − y)·σ(z) − y·σ(−z), exact at hard labels (no 1 − σ(z) cancellation)
        d = torch.lerp(torch.sigmoid(z), torch.sigmoid(torch.neg(z)).neg_(), y)
        if ell is not None:
            r = torch.add(sp, ell).neg_().exp_()  # exp(−sn − sp − ℓ) = σ(z)σ(−z) / (1 − p_t)
            torch.addcmul(r, r, y, value=-2.0, out=r)  # · (1 − 2y)
            d.add_(r.mul_(bce).mul_(ctx.gamma))
        if w is not None:
            d.mul_(w)
        return d.mul_(grad), None, None, None


def focal(y_true, logits, *, alpha=0.25, gamma=2.0, reduction="mean"):
    """Sigmoid focal loss (Lin et al. 2017).

    ``α_t·(1 − p_t)^γ·BCE(y, σ(z))`` with ``p = σ(z)``, ``p_t = p·y + (1 − p)(1 − y)``,
    ``α_t = α·y + (1 − α)(1 − y)``; ``alpha=None`` drops ``α_t``. The modulating factor
    is ``exp(γ·log(1 − p_t))`` with ``log(1 − p_t)`` computed from softplus terms without
    underflow (exact for soft labels too), so value and gradient stay finite for |logits|
    up to 1e4 in float32, also for ``γ < 1``.

    Parameters
    ----------
    y_true : Tensor, labels or soft labels in [0, 1].
    logits : Tensor, same shape.
    alpha : float in [0, 1] or None.
    gamma : float ≥ 0.
    reduction : {"mean", "sum", "none"}; "none" returns ``logits``' shape.

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. Same values as torchvision's ``sigmoid_focal_loss``, which computes
    ``(1 − p_t)**γ`` directly (NaN gradients for ``γ < 1`` when ``p_t`` rounds to 1) and
    drops ``α_t`` for ``alpha < 0`` instead of ``None``. The gradient with respect to
    ``logits`` is hand-written (a ``torch.autograd.Function``, differentiable once); no
    gradient flows to ``y_true``.

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> y, z = torch.tensor([1.0, 0.0]), torch.tensor([2.0, -1.0])
    >>> round(float(lt.focal(y, z)), 4)
    0.0087
    >>> round(float(lt.focal(y, z, alpha=None, gamma=0.0)), 4)
    0.2201
    """
    v = validator("focal")
    v.reduction(reduction)
    if alpha is not None:
        v.unit_param("alpha", alpha)
    v.positive_param("gamma", gamma, allow_zero=True)
    y, z = prepare_pair(v, "y_true", y_true, "logits", logits)
    v.in_unit_interval("y_true", y, fix="Soft labels must lie in [0, 1] too.")
    loss = _Focal.apply(z, y, alpha, float(gamma))
    return reduce(loss, reduction)
