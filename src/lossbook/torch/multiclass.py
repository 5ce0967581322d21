"""Multiclass losses in PyTorch, class axis last (the mathematics only:
:mod:`lossbook._frame` builds the public functions from the catalog). Where PyTorch has
a kernel with the same definition, the math flattens to ``(M, C)`` and calls it (or, for
``cross_entropy`` with class indices, PyTorch's formulas with a leaner backward pass)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ._ops import implements

__all__ = [
    "cross_entropy",
    "nll",
    "categorical_hinge",
    "multi_margin",
    "softmax_focal",
    "kl_divergence",
    "distillation_kl",
]


def _unflatten(loss, reduction, shape):
    return loss.reshape(shape) if reduction == "none" else loss


class _CrossEntropy(torch.autograd.Function):
    """Softmax cross-entropy of ``(M, C)`` logits against class indices, with label
    smoothing ``ε``: ``ℓ = −(1 − ε)·log p_y − (ε/C)·Σ_c log p_c``, gradient
    ``p − (1 − ε)·onehot(y) − ε/C``. The forward pass is PyTorch's (``log_softmax``, then a
    gather); the backward pass forms the gradient from the saved log-probabilities in
    place (``exp``, one scatter, one scale), where PyTorch's fills an ``(M, C)`` tensor of
    zeros for ``nll_loss`` and then runs the log-softmax backward over it."""

    @staticmethod
    def forward(ctx, z, y, eps, reduction):
        out = torch.log_softmax(z, -1)
        loss = out.gather(-1, y.unsqueeze(-1)).squeeze(-1).neg_()
        if eps:
            loss.mul_(1.0 - eps).sub_(out.sum(-1), alpha=eps / z.shape[-1])
        ctx.save_for_backward(z, y, out)
        ctx.eps, ctx.reduction = eps, reduction
        if reduction == "none":
            return loss
        return loss.sum() if reduction == "sum" else loss.mean()

    @staticmethod
    def backward(ctx, grad):
        z, y, out = ctx.saved_tensors
        eps, n_classes = ctx.eps, z.shape[-1]
        if ctx.reduction == "mean":
            grad = grad / y.numel()
        elif ctx.reduction == "none":
            grad = grad.unsqueeze(-1)
        if torch.is_grad_enabled():  # create_graph=True: a differentiable backward
            target = F.one_hot(y, n_classes).to(z.dtype).mul(1.0 - eps).add(eps / n_classes)
            return (torch.softmax(z, -1) - target) * grad, None, None, None
        d = out.exp()
        if eps:
            d.sub_(eps / n_classes)
        idx = y.unsqueeze(-1)  # one target per row: a plain scatter (deterministic on CUDA)
        d.scatter_(-1, idx, d.gather(-1, idx).add_(eps - 1.0))
        return d.mul_(grad), None, None, None


@implements("cross_entropy")
def cross_entropy(y_true, logits, *, label_smoothing, weight, reduction):
    """Class indices without class weights: the formulas of
    ``torch.nn.functional.cross_entropy`` in a ``torch.autograd.Function`` with a leaner
    backward pass; probability rows or class weights: the built-in itself. Either way on
    the logits flattened to ``(M, C)`` (torch wants the class axis at dim 1 and
    ``(input, target)``; it also has ``ignore_index``, which lossbook does not support)."""
    n_classes = logits.shape[-1]
    rows = y_true.dim() == logits.dim()
    flat = logits if logits.dim() == 2 else logits.reshape(-1, n_classes)
    if rows:
        y = y_true if y_true.dim() == 2 else y_true.reshape(-1, n_classes)
    else:
        y = y_true if y_true.dim() == 1 else y_true.reshape(-1)
    if weight is None and not rows:
        loss = _CrossEntropy.apply(flat, y, float(label_smoothing), reduction)
    else:
        loss = F.cross_entropy(
            flat, y, weight=weight, reduction=reduction, label_smoothing=float(label_smoothing)
        )
    return loss if logits.dim() == 2 else _unflatten(loss, reduction, logits.shape[:-1])


@implements("nll")
def nll(y_true, log_probs, *, weight, reduction):
    """Calls ``torch.nn.functional.nll_loss`` on ``(M, C)``."""
    n_classes = log_probs.shape[-1]
    loss = F.nll_loss(
        log_probs.reshape(-1, n_classes), y_true.reshape(-1), weight=weight, reduction=reduction
    )
    return _unflatten(loss, reduction, log_probs.shape[:-1])


@implements("categorical_hinge")
def categorical_hinge(y_true, scores):
    s_true = (y_true * scores).sum(-1)
    s_other = scores.masked_fill(y_true != 0, float("-inf")).amax(-1)
    return F.relu(1.0 + s_other - s_true)


@implements("multi_margin")
def multi_margin(y_true, scores, *, margin):
    """Written out (not ``F.multi_margin_loss``) so that a NaN score propagates to the
    loss when value checks are off (torch's kernel silently skips it)."""
    idx = y_true.unsqueeze(-1)
    terms = F.relu(scores - scores.gather(-1, idx) + margin).scatter(-1, idx, 0.0)
    return terms.sum(-1) / scores.shape[-1]


@implements("softmax_focal")
def softmax_focal(y_true, logits, *, gamma):
    """``log(1 - p_y)`` is a log-sum-exp of the other classes' log-probabilities."""
    lsm = F.log_softmax(logits, dim=-1)
    idx = y_true.unsqueeze(-1)
    logp = lsm.gather(-1, idx).squeeze(-1)
    if gamma == 0 or logits.shape[-1] == 1:
        return -logp
    log_1mp = torch.logsumexp(lsm.scatter(-1, idx, float("-inf")), dim=-1)
    return -torch.exp(gamma * log_1mp) * logp


@implements("kl_divergence")
def kl_divergence(p_true, q_pred):
    """``torch.nn.functional.kl_div`` takes *log* q first and its "mean" divides by every
    element (lossbook's "mean" is its ``"batchmean"`` for 2-D input)."""
    return (torch.xlogy(p_true, p_true) - p_true * torch.log(torch.clamp(q_pred, min=1e-7))).sum(-1)


@implements("distillation_kl")
def distillation_kl(teacher_logits, student_logits, *, temperature):
    """``F.kl_div(log q, log p, log_target=True)`` summed over the classes, times T²
    (log-softmaxes of both logits at temperature T; no clip)."""
    t = temperature
    log_p = F.log_softmax(teacher_logits / t, dim=-1)
    log_q = F.log_softmax(student_logits / t, dim=-1)
    return F.kl_div(log_q, log_p, reduction="none", log_target=True).sum(-1) * (t * t)
