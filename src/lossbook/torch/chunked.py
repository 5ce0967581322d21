"""Cross-entropy of a linear output layer, computed in chunks of rows.

A language model's last layer maps ``N`` hidden states of width ``H`` to ``V`` logits,
``logits = hidden @ weight.T (+ bias)``, and the loss is the softmax cross-entropy of those
logits. Written naively, the ``(N, V)`` logits matrix is materialised in the forward pass
and two or three more matrices of the same size appear in the backward pass (the saved
log-softmax, its gradient, the gradient of the logits). At ``N = 8192`` tokens and a
``V = 256k`` vocabulary one float32 copy is already 8 GiB.

:func:`chunked_cross_entropy` fuses the matrix product with the loss in a custom
:class:`torch.autograd.Function`. The forward pass walks over chunks of ``chunk_size`` rows:
it computes the chunk's logits, their log-sum-exp, the target logit and the
label-smoothing term, and keeps only the per-row log-sum-exp. The backward pass
recomputes each chunk's logits, turns them into ``softmax - target distribution`` in place,
and accumulates ``grad_hidden[chunk] = d @ weight`` and ``grad_weight += d.T @ hidden[chunk]``.
No tensor of ``N * V`` elements ever exists; the extra memory is ``O(chunk_size * V)`` plus
the gradients themselves. The price is one more matrix product (the logits are computed
twice), about a third more arithmetic than the naive version.

This is the idea of Liger Kernel's fused linear cross-entropy (Hsu et al., 2024) and,
taken further into a single GPU kernel that never writes the logits to global memory, of
Cut Cross-Entropy (Wijmans et al., 2025), in plain PyTorch.
"""

from __future__ import annotations

import numbers

import torch

from .._validate import Validator, value_checks_enabled
from ._ops import OPS

__all__ = ["chunked_cross_entropy"]

_NAME = "chunked_cross_entropy"


def _chunk_logits(h, weight, bias):
    """Logits of one chunk of rows, ``h @ weight.T (+ bias)``."""
    if bias is None:
        return h @ weight.T
    return torch.addmm(bias, h, weight.T)


class _ChunkedCrossEntropy(torch.autograd.Function):
    """Autograd function behind :func:`chunked_cross_entropy` (inputs already validated,
    in one floating dtype, ``y`` int64 with ignored rows replaced by class 0)."""

    @staticmethod
    def forward(ctx, hidden, weight, bias, y, keep, chunk_size, smoothing, reduction):
        n_rows, n_classes = hidden.shape[0], weight.shape[0]
        lse = hidden.new_empty(n_rows)
        loss = hidden.new_empty(n_rows)
        for start in range(0, n_rows, chunk_size):
            stop = min(start + chunk_size, n_rows)
            z = _chunk_logits(hidden[start:stop], weight, bias)
            lse_c = torch.logsumexp(z, dim=-1)
            z_true = z.gather(1, y[start:stop].unsqueeze(1)).squeeze(1)
            loss_c = lse_c - z_true  # -log p_y
            if smoothing > 0:
                # -(1/V) Σ_c log p_c = lse - mean_c z_c
                loss_c = (1.0 - smoothing) * loss_c + smoothing * (lse_c - z.mean(dim=-1))
            lse[start:stop] = lse_c
            loss[start:stop] = loss_c
            del z
        loss = loss * keep  # ignored rows contribute exactly 0 (keep is 0/1)
        count = keep.sum()
        ctx.save_for_backward(hidden, weight, bias, y, keep, lse, count)
        ctx.chunk_size, ctx.smoothing, ctx.reduction = chunk_size, smoothing, reduction
        ctx.n_classes = n_classes
        if reduction == "none":
            return loss
        total = loss.sum()
        return total if reduction == "sum" else total / count

    @staticmethod
    def backward(ctx, grad_out):
        hidden, weight, bias, y, keep, lse, count = ctx.saved_tensors
        need_h, need_w, need_b = ctx.needs_input_grad[:3]
        eps, n_classes = ctx.smoothing, ctx.n_classes
        # per-row factor d(reduced loss)/d(loss_i), zero for ignored rows
        if ctx.reduction == "none":
            row_scale = grad_out * keep
        elif ctx.reduction == "sum":
            row_scale = grad_out * keep
        else:
            row_scale = (grad_out / count) * keep
        grad_h = torch.empty_like(hidden) if need_h else None
        grad_w = torch.zeros_like(weight) if need_w else None
        grad_b = torch.zeros_like(bias) if need_b else None
        for start in range(0, hidden.shape[0], ctx.chunk_size):
            stop = min(start + ctx.chunk_size, hidden.shape[0])
            h = hidden[start:stop]
            d = _chunk_logits(h, weight, bias)
            # softmax from the saved log-sum-exp, in place: d = exp(z - lse)
            d.sub_(lse[start:stop].unsqueeze(1)).exp_()
            # minus the target distribution t = (1 - eps) onehot(y) + eps / V
            rows = torch.arange(stop - start, device=d.device)
            d[rows, y[start:stop]] -= 1.0 - eps
            if eps > 0:
                d.sub_(eps / n_classes)
            d.mul_(row_scale[start:stop].unsqueeze(1))
            if need_h:
                torch.mm(d, weight, out=grad_h[start:stop])
            if need_w:
                grad_w.addmm_(d.T, h)
            if need_b:
                grad_b += d.sum(dim=0)
            del d
        return grad_h, grad_w, grad_b, None, None, None, None, None


def chunked_cross_entropy(
    hidden,
    weight,
    y_true,
    *,
    chunk_size=1024,
    ignore_index=None,
    label_smoothing=0.0,
    bias=None,
    reduction="mean",
):
    """Softmax cross-entropy of ``hidden @ weight.T (+ bias)`` without the logits matrix.

    The value and the gradients (with respect to ``hidden``, ``weight`` and ``bias``) are
    those of ``lossbook.torch.cross_entropy(y_true, hidden @ weight.T + bias,
    label_smoothing=...)`` (and of ``torch.nn.functional.cross_entropy(logits, y_true,
    ignore_index=..., label_smoothing=...)``), to floating-point rounding, but the ``(N, V)``
    logits are never materialised: the forward pass computes them ``chunk_size`` rows at a
    time and keeps only each row's log-sum-exp; the backward pass recomputes each chunk.
    Extra memory: one or two ``(chunk_size, V)`` blocks, plus the gradients themselves.

    Parameters
    ----------
    hidden : floating Tensor ``(N, H)``, the last hidden states (flatten batch and
        sequence axes first: ``hidden.reshape(-1, H)``).
    weight : floating Tensor ``(V, H)``, the output layer's weight (``nn.Linear(H, V).weight``,
        or the tied embedding matrix).
    y_true : int64 Tensor ``(N,)`` of class indices in ``0..V-1`` (or ``ignore_index``).
    chunk_size : int > 0, rows per chunk. Memory grows and the number of kernel launches
        shrinks with it; it need not divide ``N``.
    ignore_index : None or int. Rows whose target equals it contribute 0 to the loss and
        get a zero gradient; ``"mean"`` divides by the number of the other rows (PyTorch's
        convention; if every row is ignored the mean is 0/0 = nan, as in PyTorch).
        PyTorch's default is -100; here the default ``None`` ignores nothing.
    label_smoothing : float ε in [0, 1]; the target is ``(1 − ε)·onehot(y) + ε/V``.
    bias : None or floating Tensor ``(V,)``.
    reduction : {"mean", "sum", "none"}; "none" gives ``(N,)`` (0 for ignored rows).

    Returns
    -------
    Tensor: a scalar, or ``(N,)`` for ``reduction="none"``, on the inputs' device.

    Notes
    -----
    dtypes: float16 / bfloat16 inputs are upcast to float32 and the loss is computed and
    returned in float32 (the log-sum-exp over a large vocabulary loses accuracy in 16 bits;
    see the chapter "Losses at scale"). The upcast makes float32 copies of ``hidden`` and
    ``weight`` (``(N + V)·H`` elements), which is still far less than ``N·V``. float64 stays
    float64. Gradients come back in the inputs' dtypes.

    Device: everything runs on the inputs' device; the value checks reduce on the device
    and sync one scalar each. No tensor is copied to the CPU.

    Differences: ``torch.nn.functional.cross_entropy`` takes ``(logits, target)`` and
    needs the logits; Liger Kernel's ``LigerFusedLinearCrossEntropyLoss`` computes the
    gradients already in the forward pass (no recomputation, but the gradients are
    materialised before ``backward``); Cut Cross-Entropy does the whole reduction inside one
    GPU kernel. Class weights are not supported.

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> g = torch.Generator().manual_seed(0)
    >>> h, w = torch.randn(6, 4, generator=g), torch.randn(10, 4, generator=g)
    >>> y = torch.tensor([1, 2, 3, 4, 5, 6])
    >>> a = lt.chunked_cross_entropy(h, w, y, chunk_size=4)
    >>> b = lt.cross_entropy(y, h @ w.T)
    >>> round(float(a), 4) == round(float(b), 4)
    True
    >>> y_pad = torch.tensor([1, 2, -100, 4, -100, 6])
    >>> c = lt.chunked_cross_entropy(h, w, y_pad, ignore_index=-100)
    >>> d = torch.nn.functional.cross_entropy(h @ w.T, y_pad)  # torch ignores -100
    >>> abs(float(c) - float(d)) < 1e-6
    True
    """
    v = Validator(OPS, _NAME)
    v.reduction(reduction)
    v.unit_param("label_smoothing", label_smoothing)
    if not (isinstance(chunk_size, numbers.Integral) and not isinstance(chunk_size, bool)):
        raise v.fail(
            f"expects an integer chunk_size > 0; got {chunk_size!r}. "
            "Pass a whole number of rows, e.g. chunk_size=1024."
        )
    v.positive_param("chunk_size", int(chunk_size))
    if ignore_index is not None and not (
        isinstance(ignore_index, numbers.Integral) and not isinstance(ignore_index, bool)
    ):
        raise v.fail(
            f"expects ignore_index to be None or an integer; got {ignore_index!r}. "
            "Pass the padding label, e.g. ignore_index=-100."
        )
    like = OPS.like((hidden, weight, y_true, bias))
    tensors = [OPS.asarray(x, like) for x in (hidden, weight, y_true)]
    tensors += [] if bias is None else [OPS.asarray(bias, like)]
    hidden, weight, y_true = tensors[:3]
    bias = tensors[3] if bias is not None else None
    # dtypes
    v.floating("hidden", hidden)
    v.floating("weight", weight)
    if bias is not None:
        v.floating("bias", bias)
    if not v.ops.is_int(y_true):
        v.class_indices("y_true", y_true, 0)  # raises the dtype message
    # non-empty, then shapes
    v.ndim_exactly("hidden", hidden, 2, "(N, H): flatten batch and sequence axes first")
    v.ndim_exactly("weight", weight, 2, "(V, H), as nn.Linear(H, V).weight")
    v.nonempty("hidden", hidden)
    v.nonempty("weight", weight)
    n_rows, width = hidden.shape
    n_classes = weight.shape[0]
    v.shape_equals(
        "weight",
        weight,
        (n_classes, width),
        "(V, H) with H = hidden.shape[1]",
        fix="Pass the output layer's weight as (vocabulary, hidden), not transposed.",
    )
    v.shape_equals(
        "y_true",
        y_true,
        (n_rows,),
        "(N,) = one class index per row of hidden",
        fix="Flatten the targets the same way as hidden, e.g. y_true.reshape(-1).",
    )
    if bias is not None:
        v.shape_equals("bias", bias, (n_classes,), "(V,)", fix="Pass one bias per class.")
    # compute dtype: float16/bfloat16 -> float32; the casts are differentiable
    dtype = OPS.compute_dtype([hidden, weight, *(() if bias is None else (bias,))])
    hidden = hidden if hidden.dtype == dtype else hidden.to(dtype)
    weight = weight if weight.dtype == dtype else weight.to(dtype)
    if bias is not None and bias.dtype != dtype:
        bias = bias.to(dtype)
    # finiteness
    v.finite("hidden", hidden)
    v.finite("weight", weight)
    if bias is not None:
        v.finite("bias", bias)
    # value ranges
    y = y_true if y_true.dtype == torch.int64 else y_true.long()
    if ignore_index is None:
        keep_mask = None
        v.class_indices("y_true", y, n_classes)
    else:
        keep_mask = y != ignore_index
        if value_checks_enabled():
            kept = y[keep_mask]
            if kept.numel():
                lo, hi = v.ops.min_max(kept)
                if lo < 0 or hi >= n_classes:
                    raise v.fail(
                        f"expects class indices in y_true between 0 and {n_classes - 1} "
                        f"(weight has {n_classes} rows) or equal to ignore_index="
                        f"{ignore_index}; got other values in [{lo:g}, {hi:g}]. Re-map the "
                        "labels to 0..V-1, or pass the padding label as ignore_index."
                    )
        y = y.masked_fill(~keep_mask, 0)  # any valid index; those rows are multiplied by 0
    keep = (
        torch.ones(n_rows, dtype=dtype, device=hidden.device)
        if keep_mask is None
        else keep_mask.to(dtype)
    )
    return _ChunkedCrossEntropy.apply(
        hidden,
        weight,
        bias,
        y,
        keep,
        int(chunk_size),
        float(label_smoothing),
        reduction,
    )
