"""PyTorch side of the frame: the ops adapter (validation questions, conversion, compute
dtypes, reductions) and the registry the torch modules register their math with.

Value checks reduce each tensor on its own device and read back one or two scalars
(``.item()``; one device-to-host sync off the CPU); no tensor is ever copied to the CPU.
They read detached tensors (or run under :func:`torch.no_grad`), so they record no graph.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch

from .._frame import Frame

_HALF = (torch.float16, torch.bfloat16)
_FULL = (torch.float32, torch.float64)
_INT_VIEW = {torch.float32: torch.int32, torch.float64: torch.int64}


def _bits(value: float, dtype: torch.dtype) -> int:
    """The bit pattern of ``value`` in ``dtype``, read as a signed integer."""
    return int(torch.tensor(value, dtype=dtype).view(_INT_VIEW[dtype]).item())


# (integer view, bits of the top) for each float dtype and top of ``proves_within``; the
# top inf stands for the largest finite value
_TOP_BITS = {
    (dtype, top): (view, _bits(torch.finfo(dtype).max if math.isinf(top) else top, dtype))
    for dtype, view in _INT_VIEW.items()
    for top in (1.0, math.inf)
}


class TorchOps:
    name = "torch"
    # mse, mae, huber, ... turn any NaN / inf input into a non-finite value: check the
    # result first (one reduction of the usually already reduced loss), the inputs only
    # when it is not finite.
    defer_finite = True
    # torch.aminmax returns NaN when there is a NaN: finite extremes prove an array finite
    min_max_propagates_nan = True

    # ---- the common call ----------------------------------------------------------------
    def fast_inputs(self, raw: tuple, i_pred: int, indices: bool, min_ndim: int) -> bool:
        """True when every checked property of ``raw`` already holds and no conversion is
        due: tensors of one dtype, float32 or float64 (int64 class indices first where
        ``indices``), of the same shape (indices: the predictions' shape without the last
        axis), with at least ``min_ndim`` axes, non-empty."""
        p = raw[i_pred]
        if type(p) is not torch.Tensor or p.dtype not in _FULL or p.dim() < min_ndim:
            return False
        if p.numel() == 0:
            return False
        shape, dtype = p.shape, p.dtype
        if indices:
            y = raw[0]
            return type(y) is torch.Tensor and y.dtype == torch.int64 and y.shape == shape[:-1]
        for x in raw:
            if type(x) is not torch.Tensor or x.dtype != dtype or x.shape != shape:
                return False
        return True

    # ---- validation questions ----------------------------------------------------------
    def shape(self, x: Any) -> tuple[int, ...]:
        return tuple(x.shape)

    def dtype_name(self, x: Any) -> str:
        return str(x.dtype)  # e.g. "torch.int64", as PyTorch prints it

    def is_float(self, x: Any) -> bool:
        return x.is_floating_point()

    def is_int(self, x: Any) -> bool:
        return not (x.is_floating_point() or x.is_complex() or x.dtype == torch.bool)

    def is_real(self, x: Any) -> bool:
        return not x.is_complex()

    def is_empty(self, x: Any) -> bool:
        return x.numel() == 0

    def has_values(self, x: Any) -> bool:
        return True

    def all_finite(self, x: Any) -> bool:
        if not x.is_floating_point():
            return True
        if x.dim() == 0:  # e.g. a reduced loss: one scalar read
            return math.isfinite(x.item())
        with torch.no_grad():
            # fast path: one reduction, no boolean temporary; the exact check only if it fails
            s = x.sum(dtype=torch.float32) if x.dtype in _HALF else x.sum()
            if math.isfinite(s.item()):
                return True
            return bool(torch.isfinite(x).all().item())

    def proves_within(self, x: Any, top: float) -> bool:
        """True when every value of the float32 / float64 tensor ``x`` is a finite number
        in [0, top] (``top`` = inf: any finite number >= 0).

        Non-negative IEEE-754 floats order like their bit patterns read as signed integers,
        and NaN, inf and negative values (sign bit set) fall outside [0, bits(top)], so one
        integer min / max decides it; it is faster than the float min / max, which has to
        propagate NaN (1.3x to 1.9x on 1e6 float32 values, CPUs of 2 and 4 threads).
        False only means "not proven" (also for -0.0, which is in range, and for a lazily
        negated view, which cannot be viewed as integers): the caller then runs the exact
        float check, for its message, so such inputs pay for both passes.
        """
        view_top = _TOP_BITS.get((x.dtype, top))
        if view_top is None or x.is_neg():
            return False
        if x.requires_grad:
            x = x.detach()
        try:
            bits = x.view(view_top[0])
        except RuntimeError:  # a tensor kind that cannot be reinterpreted: not proven
            return False
        lo, hi = torch.aminmax(bits)
        if x.is_cpu:
            lo, hi = lo.item(), hi.item()
        else:
            lo, hi = torch.stack((lo, hi)).tolist()  # one device-to-host sync
        return lo >= 0 and hi <= view_top[1]

    def min_max(self, x: Any) -> tuple[float, float]:
        # detach instead of a no_grad context, and two plain reads on the CPU instead of a
        # stack: a few microseconds per call, which the benchmark sees (bce_with_logits on
        # 1e6 values, in-process A/B: 1.06-1.07 of the built-in instead of 1.10-1.11)
        if x.requires_grad:
            x = x.detach()
        if x.dtype == torch.bool:
            x = x.to(torch.uint8)
        lo, hi = torch.aminmax(x)
        if x.is_cpu:
            return float(lo.item()), float(hi.item())
        lo, hi = torch.stack((lo, hi)).tolist()  # one device-to-host sync of two scalars
        return float(lo), float(hi)

    @torch.no_grad()
    def all_in(self, x: Any, values: Sequence[float]) -> bool:
        mask = x == values[0]
        for v in values[1:]:
            mask |= x == v
        return bool(mask.all().item())

    @torch.no_grad()
    def distinct(self, x: Any, k: int) -> list[float]:
        return [float(v) for v in torch.unique(x.detach())[:k].tolist()]

    # ---- conversion --------------------------------------------------------------------
    def like(self, values: tuple) -> torch.Tensor | None:
        for x in values:
            if isinstance(x, torch.Tensor):
                return x
        return None

    def asarray(self, x: Any, like: torch.Tensor | None = None) -> torch.Tensor:
        """Tensors pass through untouched; anything else (a number, a list, a NumPy array)
        becomes a tensor on ``like``'s device."""
        if isinstance(x, torch.Tensor):
            return x
        return torch.as_tensor(x, device=None if like is None else like.device)

    def pred(self, x: torch.Tensor) -> torch.Tensor:
        return x

    def compute_dtype(self, preds: list) -> torch.dtype:
        """The promoted floating dtype of the predictions, float16 / bfloat16 upcast to
        float32 (as autocast does for losses)."""
        dtype = preds[0].dtype
        for x in preds[1:]:
            dtype = torch.promote_types(dtype, x.dtype)
        if dtype in _HALF or not dtype.is_floating_point:
            return torch.float32
        return dtype

    def cast(self, x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        return x if x.dtype == dtype else x.to(dtype)

    def index(self, y: torch.Tensor) -> torch.Tensor:
        return y if y.dtype == torch.int64 else y.long()

    def row_sums(self, x: torch.Tensor) -> torch.Tensor:
        return x.sum(-1)

    def weight_total(self, w: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return w[y].sum()

    def valid_labels(self, targets: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The labels of padded sequences ``(N, S)`` inside each length, flattened."""
        keep = torch.arange(targets.shape[1], device=targets.device) < lengths[:, None]
        return targets[keep]

    def reduce(self, loss: torch.Tensor, reduction: str) -> torch.Tensor:
        if reduction == "none":
            return loss
        if reduction == "sum":
            return loss.sum()
        return loss.mean()

    def total(self, x: torch.Tensor) -> torch.Tensor:
        return x.sum()


OPS = TorchOps()


def _literal(value: Any) -> str:
    return f"torch.tensor({value!r})"


frame = Frame(
    OPS,
    backend="torch",
    array="Tensor",
    returns=(
        "A tensor on the inputs' device, in the compute dtype: the predictions' floating "
        "dtype, float32 for float16 / bfloat16 input (upcast internally, as autocast does "
        'for losses); 0-d for "mean" and "sum". Differentiable with respect to the '
        "predictions."
    ),
    literal=_literal,
)
implements = frame.implements
