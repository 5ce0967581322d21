"""Input validation shared by the NumPy, PyTorch and TensorFlow backends.

Every message is written here, once. A backend supplies an *ops adapter* that
answers a handful of questions about its arrays (shape, dtype kind, finiteness,
min/max, membership in a label set). The checks in :class:`Validator` turn the
answers into :class:`~lossbook.LossInputError` with a message that names the
argument, the expectation, what was got, and the fix.

Value checks (finiteness, ranges, label sets) need one reduction per argument;
on a GPU that is one small device-to-host sync of a boolean or a scalar, never a
copy of the tensor. They can be switched off for speed with
:func:`set_validation` or the :func:`validation` context manager; structural
checks (reduction, shapes, dtypes, emptiness) always run.
"""

from __future__ import annotations

import contextlib
import math
import numbers
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from ._errors import LossInputError

REDUCTIONS = ("mean", "sum", "none")

_VALUE_CHECKS = True


def set_validation(enabled: bool) -> bool:
    """Turn value checks on or off globally; return the previous setting."""
    global _VALUE_CHECKS
    previous, _VALUE_CHECKS = _VALUE_CHECKS, bool(enabled)
    return previous


@contextlib.contextmanager
def validation(enabled: bool) -> Iterator[None]:
    """Context manager: ``with lossbook.validation(False): ...`` skips value checks."""
    previous = set_validation(enabled)
    try:
        yield
    finally:
        set_validation(previous)


def value_checks_enabled() -> bool:
    return _VALUE_CHECKS


class Ops(Protocol):
    """What a backend must answer about one of its arrays (the validation part of the
    ops adapter; :mod:`lossbook._frame` lists the rest)."""

    def shape(self, x: Any) -> tuple[int | None, ...]: ...
    def dtype_name(self, x: Any) -> str: ...
    def is_float(self, x: Any) -> bool: ...
    def is_int(self, x: Any) -> bool: ...
    def is_real(self, x: Any) -> bool: ...
    def is_empty(self, x: Any) -> bool: ...
    def has_values(self, x: Any) -> bool: ...
    def all_finite(self, x: Any) -> bool: ...
    def min_max(self, x: Any) -> tuple[float, float]: ...
    def all_in(self, x: Any, values: Sequence[float]) -> bool: ...
    def distinct(self, x: Any, k: int) -> list[float]: ...


def _is_real(v: Any) -> bool:
    """A real number parameter: Python or NumPy ints and floats, not bools."""
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _fmt(v: float) -> str:
    if isinstance(v, float) and math.isfinite(v) and v == int(v):
        return str(int(v))
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def _fmt_set(values: Sequence[float], more: bool = False) -> str:
    body = ", ".join(_fmt(float(v)) for v in values)
    return "{" + body + (", ..." if more else "") + "}"


class Validator:
    """Checks for one call of one loss; ``loss`` is the public name used in messages."""

    def __init__(self, ops: Ops, loss: str):
        self.ops = ops
        self.loss = loss

    def fail(self, msg: str) -> LossInputError:
        err = LossInputError(f"{self.loss} {msg}")
        # autograph (tf.function, Keras fit) would turn a ValueError subclass raised at trace
        # time into a StagingError; this attribute makes it re-raise the error unchanged.
        err.ag_pass_through = True
        return err

    def _check_values(self, x: Any) -> bool:
        """Value checks run when switched on and when the array has values (not a
        symbolic TensorFlow tensor being traced)."""
        return _VALUE_CHECKS and self.ops.has_values(x)

    # ---- structural checks (always on) -------------------------------------------------
    def reduction(self, reduction: Any) -> None:
        if reduction not in REDUCTIONS:
            raise self.fail(
                f"expects reduction in {{'mean', 'sum', 'none'}}; got {reduction!r}. "
                "Pass reduction='mean' (the default), 'sum' or 'none'."
            )

    def nonempty(self, name: str, x: Any) -> None:
        shape = self.ops.shape(x)
        if any(d == 0 for d in shape):
            raise self.fail(
                f"expects a non-empty {name}; got shape {shape}. "
                "A loss over no samples is undefined: check the batch before calling the loss."
            )

    def floating(self, name: str, x: Any) -> None:
        if not self.ops.is_float(x):
            raise self.fail(
                f"expects a floating-point {name}; got dtype {self.ops.dtype_name(x)}. "
                f"Convert it first, e.g. {name}.float() in PyTorch or "
                f"tf.cast({name}, tf.float32) / np.asarray({name}, dtype=float)."
            )

    def same_shape(self, name_a: str, a: Any, name_b: str, b: Any) -> None:
        sa, sb = self.ops.shape(a), self.ops.shape(b)
        if sa != sb:
            hint = ""
            if len(sa) == len(sb) + 1 and sa[-1] == 1 and sa[:-1] == sb:
                hint = f" Squeeze the trailing axis of {name_a} (e.g. {name_a}[..., 0])."
            elif len(sb) == len(sa) + 1 and sb[-1] == 1 and sb[:-1] == sa:
                hint = f" Squeeze the trailing axis of {name_b} (e.g. {name_b}[..., 0])."
            else:
                hint = " Reshape one of them; lossbook never broadcasts silently."
            raise self.fail(
                f"expects {name_a} and {name_b} to have the same shape; "
                f"got {name_a} {sa} and {name_b} {sb}.{hint}"
            )

    def ndim_at_least(self, name: str, x: Any, n: int, what: str) -> None:
        shape = self.ops.shape(x)
        if len(shape) < n:
            raise self.fail(
                f"expects {name} of shape {what}; got shape {shape}. "
                "Reshape it to that layout (lossbook never adds or drops axes silently)."
            )

    def ndim_exactly(self, name: str, x: Any, n: int, what: str) -> None:
        shape = self.ops.shape(x)
        if len(shape) != n:
            raise self.fail(
                f"expects {name} of shape {what}; got shape {shape}. "
                "Reshape it to that layout (lossbook never adds or drops axes silently)."
            )

    def positive_param(self, name: str, value: float, *, allow_zero: bool = False) -> None:
        ok = value >= 0 if allow_zero else value > 0
        if not (_is_real(value) and math.isfinite(value) and ok):
            bound = ">= 0" if allow_zero else "> 0"
            raise self.fail(f"expects {name} {bound}; got {value!r}. Pass a finite number {bound}.")

    def unit_param(self, name: str, value: float) -> None:
        if not (_is_real(value) and 0 <= value <= 1):
            raise self.fail(f"expects {name} in [0, 1]; got {value!r}.")

    # ---- value checks (one reduction each; can be switched off) ------------------------
    # Range checks compare with < and >, which are False for NaN: they rely on `finite`
    # running first, as CONTRIBUTING.md's order of checks requires.
    def finite(self, name: str, x: Any) -> None:
        if self._check_values(x) and not self.ops.all_finite(x):
            raise self.fail(
                f"expects finite values in {name}; got NaN or inf. "
                "Find where they first appear (e.g. torch.autograd.set_detect_anomaly(True)); "
                "a loss cannot repair them."
            )

    def in_unit_interval(
        self, name: str, x: Any, *, fix: str | None = None, lo_hi: tuple | None = None
    ) -> None:
        """``lo_hi``: the minimum and maximum if the caller has them already."""
        if not self._check_values(x):
            return
        lo, hi = lo_hi or self.ops.min_max(x)
        if lo < 0 or hi > 1:
            fix = fix or (
                f"If {name} holds logits (raw scores), use the *_with_logits / from-logits loss, "
                "or apply a sigmoid/softmax first."
            )
            raise self.fail(
                f"expects {name} to be probabilities in [0, 1]; got values in "
                f"[{_fmt(lo)}, {_fmt(hi)}]. {fix}"
            )

    def nonnegative(self, name: str, x: Any, *, fix: str, lo_hi: tuple | None = None) -> None:
        if not self._check_values(x):
            return
        lo, _ = lo_hi or self.ops.min_max(x)
        if lo < 0:
            raise self.fail(f"expects {name} >= 0; got a minimum of {_fmt(lo)}. {fix}")

    def label_set(
        self, name: str, x: Any, allowed: Sequence[float], fix: str, shown: str | None = None
    ) -> None:
        if self._check_values(x) and not self.ops.all_in(x, allowed):
            got = self.ops.distinct(x, 6)
            raise self.fail(
                f"expects {name} in {shown or _fmt_set(allowed)}; got values "
                f"{_fmt_set(got[:5], more=len(got) > 5)}. {fix}"
            )

    def pm1_labels(self, name: str, x: Any) -> None:
        self.label_set(name, x, (-1.0, 1.0), "Convert 0/1 labels with 2*y - 1.", "{-1, +1}")

    def class_indices(
        self, name: str, y: Any, n_classes: int | None, *, rows_ok: bool = False
    ) -> None:
        """Integer dtype (structural), then the range 0..C-1 (a value check).
        ``rows_ok``: the loss also takes probability rows (say so in the message)."""
        if not self.ops.is_int(y):
            rows = (
                "; or pass one probability row per sample with the same shape as the predictions"
                if rows_ok
                else ""
            )
            raise self.fail(
                f"expects integer class indices in {name}; got dtype {self.ops.dtype_name(y)}. "
                f"Cast with {name}.long() (PyTorch), tf.cast({name}, tf.int64) or "
                f"np.asarray({name}).astype(int){rows}."
            )
        if n_classes is None or not self._check_values(y):
            return
        lo, hi = self.ops.min_max(y)
        if lo < 0 or hi >= n_classes:
            raise self.fail(
                f"expects class indices in {name} between 0 and {n_classes - 1} "
                f"(the last axis has {n_classes} classes); got values in [{_fmt(lo)}, {_fmt(hi)}]. "
                "Re-map the labels to 0..C-1 (negative indices and ignore_index values are "
                "not supported: drop or mask those samples first)."
            )

    # ---- added for the class-axis losses -----------------------------------------------
    def shape_equals(
        self, name: str, x: Any, expected: Sequence[int], what: str, fix: str = ""
    ) -> None:
        """Structural: ``x`` must have exactly ``expected`` shape (``what`` says why)."""
        shape = self.ops.shape(x)
        expected = tuple(None if d is None else int(d) for d in expected)
        if shape != expected:
            tail = f" {fix}" if fix else " Reshape it; lossbook never broadcasts silently."
            if shape == (*expected, 1):
                tail = f" Squeeze the trailing axis of {name} (e.g. {name}[..., 0])." + tail
            raise self.fail(
                f"expects {name} of shape {what} = {expected}; got shape {shape}.{tail}"
            )

    def one_hot_rows(self, name: str, x: Any, row_sums: Any, fix: str = "") -> None:
        """Value check: ``x`` holds 0/1 values with exactly one 1 along the last axis.

        The backend passes ``row_sums`` (``x`` summed over its last axis) so that the
        adapter needs no new operation.
        """
        if not (self._check_values(x) and self.ops.has_values(row_sums)):
            return
        fix = fix or (
            f"Build {name} with np.eye(C)[y], torch.nn.functional.one_hot(y, C) or "
            "tf.one_hot(y, C) from integer class indices y."
        )
        self.label_set(name, x, (0.0, 1.0), fix)
        if not self.ops.all_in(row_sums, (1.0,)):
            lo, hi = self.ops.min_max(row_sums)
            raise self.fail(
                f"expects {name} to be one-hot along the last axis (exactly one 1 per row); "
                f"got rows with between {_fmt(lo)} and {_fmt(hi)} ones. {fix}"
            )

    # ---- added for the regression / binary losses --------------------------------------
    def bool_param(self, name: str, value: Any) -> None:
        """Structural: a flag must be a real boolean (a string such as "False" is truthy)."""
        if not (isinstance(value, bool) or type(value).__name__ in ("bool_", "bool")):
            raise self.fail(f"expects {name} to be True or False; got {value!r}.")

    # ---- added for the frame (lossbook._frame) -----------------------------------------
    def real_dtype(self, name: str, x: Any) -> None:
        """Structural: a target may be boolean, integer or floating (it is cast to the
        compute dtype), never complex, text or objects."""
        if not self.ops.is_real(x):
            self.floating(name, x)

    def weights_dtype(self, name: str, x: Any) -> None:
        """Structural: an array of weights is integer or floating (not boolean)."""
        if not (self.ops.is_float(x) or self.ops.is_int(x)):
            self.floating(name, x)

    def param(self, name: str, value: Any, rule: Any) -> None:
        """Structural: a keyword parameter against its catalog :class:`~lossbook.catalog.Rule`."""
        if value is None and rule.optional:
            return
        if rule.kind == "flag":
            self.bool_param(name, value)
            return
        if rule.kind == "index":
            integer = isinstance(value, numbers.Integral) and not isinstance(value, bool)
            if integer and value >= rule.lo:
                return
            raise self.fail(
                f"expects {name} to be an integer >= {_fmt(float(rule.lo))}; got {value!r}."
                + (f" {rule.fix}" if rule.fix else "")
            )
        if rule.kind == "weights":
            if isinstance(value, (bool, str, bytes)) or type(value).__name__ == "bool_":
                raise self.fail(
                    f"expects {name} to be None"
                    + (", a number" if rule.scalar else "")
                    + f" or an array of weights; got {value!r}."
                )
            if not rule.scalar or not _is_real(value):
                return  # an array: checked with the other arrays
            if math.isfinite(value) and value >= 0:
                return
            raise self.fail(f"expects {name} >= 0; got {value!r}. Pass a finite number >= 0.")
        lo, hi = rule.lo, rule.hi
        ok = _is_real(value) and math.isfinite(value)
        ok = ok and (lo < value if rule.lo_open else lo <= value)
        ok = ok and (value < hi if rule.hi_open else value <= hi)
        if ok:
            return
        bounds = rule.bounds()
        none = " or None" if rule.optional else ""
        if bounds == "a finite number":
            msg = f"expects a finite number{none} for {name}; got {value!r}."
        elif math.isinf(lo) or math.isinf(hi):
            msg = f"expects {name} {bounds}{none}; got {value!r}. Pass a finite number {bounds}."
        else:
            msg = f"expects {name} {bounds}{none}; got {value!r}."
        raise self.fail(msg + (f" {rule.fix}" if rule.fix else ""))

    # ---- added for giou, ctc and dpo (version 3) ---------------------------------------
    def integer_dtype(self, name: str, x: Any, what: str) -> None:
        """Structural: ``x`` holds integers (``what`` says which: labels, lengths)."""
        if not self.ops.is_int(x):
            raise self.fail(
                f"expects integer {what} in {name}; got dtype {self.ops.dtype_name(x)}. "
                f"Cast with {name}.long() (PyTorch), tf.cast({name}, tf.int64) or "
                f"np.asarray({name}).astype(int)."
            )

    def last_axis(self, name: str, x: Any, n: int, what: str) -> None:
        """Structural: the last axis of ``x`` has size ``n``."""
        shape = self.ops.shape(x)
        if not shape or (shape[-1] is not None and shape[-1] != n):
            raise self.fail(
                f"expects {name} of shape {what}, a last axis of size {n}; got shape {shape}. "
                "Boxes are rows (x1, y1, x2, y2): convert (cx, cy, w, h) or (x, y, w, h) first."
            )

    def boxes(self, name: str, x: Any) -> None:
        """Value check: rows (x1, y1, x2, y2) with x2 >= x1 and y2 >= y1."""
        if not self._check_values(x):
            return
        lo, _ = self.ops.min_max(x[..., 2:] - x[..., :2])
        if lo < 0:
            raise self.fail(
                f"expects {name} as (x1, y1, x2, y2) with x2 >= x1 and y2 >= y1; got a box "
                f"with a width or height of {_fmt(lo)}. Check the corner order (torchvision's "
                "box_convert turns (cx, cy, w, h) into (x1, y1, x2, y2))."
            )

    def index_below(self, name: str, value: int, n: int, what: str) -> None:
        """Structural: a class-index parameter must be below the number of classes."""
        if value >= n:
            raise self.fail(
                f"expects {name} between 0 and {n - 1} ({what} has {n} classes); got {value!r}."
            )

    def in_range(self, name: str, x: Any, lo: int, hi: int, what: str, fix: str) -> None:
        """Value check: integers ``x`` in ``[lo, hi]``."""
        if not self._check_values(x) or self.ops.is_empty(x):
            return
        got_lo, got_hi = self.ops.min_max(x)
        if got_lo < lo or got_hi > hi:
            raise self.fail(
                f"expects {name} between {lo} and {hi} ({what}); got values in "
                f"[{_fmt(got_lo)}, {_fmt(got_hi)}]. {fix}"
            )

    def sequence_labels(self, name: str, labels: Any, n_classes: int, blank: int) -> None:
        """Value check: the labels inside the target lengths are classes 0..C-1, not blank."""
        if not self._check_values(labels) or self.ops.is_empty(labels):
            return
        lo, hi = self.ops.min_max(labels)
        if lo < 0 or hi >= n_classes:
            raise self.fail(
                f"expects labels in {name} between 0 and {n_classes - 1} (log_probs has "
                f"{n_classes} classes) within each target length; got values in "
                f"[{_fmt(lo)}, {_fmt(hi)}]. Re-map the labels to 0..C-1; the padding past "
                "a target length is ignored."
            )
        _, hit = self.ops.min_max(labels == blank)
        if hit:
            raise self.fail(
                f"expects no label in {name} equal to blank = {blank} within each target "
                "length; got one. The blank class is reserved for the alignment: shift the "
                "labels or pass the blank's index with blank=."
            )
