"""PyTorch side of the shared machinery: the ops adapter for validation, input
conversion, compute dtypes and reductions.

Value checks reduce each tensor on its own device and sync one scalar (``.item()``);
no tensor is ever copied to the CPU. They run under :func:`torch.no_grad`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from .._validate import Validator, value_checks_enabled

_HALF = (torch.float16, torch.bfloat16)


class TorchOps:
    name = "torch"

    def shape(self, x: Any) -> tuple[int, ...]:
        return tuple(x.shape)

    def dtype_name(self, x: Any) -> str:
        return str(x.dtype)  # e.g. "torch.int64", as PyTorch prints it

    def is_float(self, x: Any) -> bool:
        return x.is_floating_point()

    def is_int(self, x: Any) -> bool:
        return not (x.is_floating_point() or x.is_complex() or x.dtype == torch.bool)

    @torch.no_grad()
    def all_finite(self, x: Any) -> bool:
        if not x.is_floating_point():
            return True
        # fast path: one reduction, no boolean temporary; the exact check only if it fails
        s = x.sum(dtype=torch.float32) if x.dtype in _HALF else x.sum()
        if torch.isfinite(s).item():
            return True
        return bool(torch.isfinite(x).all().item())

    @torch.no_grad()
    def min_max(self, x: Any) -> tuple[float, float]:
        if x.dtype == torch.bool:
            x = x.to(torch.uint8)
        lo, hi = torch.aminmax(x)
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


OPS = TorchOps()


def validator(loss: str) -> Validator:
    return Validator(OPS, loss)


def compute_dtype(*xs: torch.Tensor) -> torch.dtype:
    """The dtype a loss computes in: the promoted floating dtype of the predictions,
    with float16 / bfloat16 upcast to float32 (as autocast does for losses)."""
    dtype = xs[0].dtype
    for x in xs[1:]:
        dtype = torch.promote_types(dtype, x.dtype)
    if dtype in _HALF or not dtype.is_floating_point:
        return torch.float32
    return dtype


def to_compute_dtype(x: torch.Tensor, dtype: torch.dtype | None = None) -> torch.Tensor:
    """Cast ``x`` to ``dtype`` (default: float16/bfloat16 -> float32, otherwise keep)."""
    if dtype is None:
        dtype = torch.float32 if x.dtype in _HALF else x.dtype
    return x if x.dtype == dtype else x.to(dtype)


def as_tensor(x: Any, like: torch.Tensor | None = None) -> torch.Tensor:
    """Tensors pass through untouched; anything else (a number, a list, a NumPy array)
    becomes a tensor on ``like``'s device."""
    if isinstance(x, torch.Tensor):
        return x
    return torch.as_tensor(x, device=None if like is None else like.device)


def as_tensors(*xs: Any) -> list[torch.Tensor]:
    """Convert every argument with :func:`as_tensor`, onto the device of the first tensor."""
    like = next((x for x in xs if isinstance(x, torch.Tensor)), None)
    return [as_tensor(x, like) for x in xs]


def target_dtype(v: Validator, name: str, x: torch.Tensor) -> None:
    """Targets may be floating, integer or boolean (cast to the compute dtype); not complex."""
    if x.is_complex():
        v.floating(name, x)


def reduce(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    """Apply a (validated) reduction to the unreduced loss."""
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()


def prepare_pair(
    v: Validator,
    true_name: str,
    y_true: Any,
    pred_name: str,
    y_pred: Any,
    *,
    defer_finite: bool = False,
    layout: str | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The checks every elementwise ``loss(target, prediction)`` makes, in the CONTRIBUTING
    order (dtypes, non-empty, shapes, finiteness); returns both cast to the compute dtype.
    The caller has already checked ``reduction`` and the parameters.

    ``defer_finite=True`` leaves the finiteness checks to :func:`finite_via_result`, for
    losses whose value is non-finite whenever an input is. ``layout`` (e.g. ``"(..., C)"``)
    asks for at least one axis."""
    y_true, y_pred = as_tensors(y_true, y_pred)
    target_dtype(v, true_name, y_true)
    v.floating(pred_name, y_pred)
    v.nonempty(true_name, y_true)
    v.nonempty(pred_name, y_pred)
    if layout is not None:
        v.ndim_at_least(pred_name, y_pred, 1, layout)
    v.same_shape(true_name, y_true, pred_name, y_pred)
    dtype = compute_dtype(y_pred)
    y_true = to_compute_dtype(y_true, dtype)
    y_pred = to_compute_dtype(y_pred, dtype)
    if not defer_finite:
        v.finite(true_name, y_true)
        v.finite(pred_name, y_pred)
    return y_true, y_pred


def finite_via_result(v: Validator, loss: torch.Tensor, *named: tuple[str, Any]) -> torch.Tensor:
    """Finiteness checks of the inputs, done through the result.

    For a loss that turns any NaN / inf input into a NaN / inf value (mse, mae, huber,
    smooth_l1), a finite result proves the inputs finite: one reduction of the (usually
    already reduced) result replaces one pass per input. Only when the result is not
    finite are the inputs checked one by one, raising the usual message (an overflow with
    finite inputs passes and returns inf, as it would with the checks up front).
    """
    if value_checks_enabled() and not OPS.all_finite(loss.detach()):
        for name, x in named:
            v.finite(name, x)
    return loss
