"""The frame: every backend's public loss functions, built from the catalog.

A backend writes only the mathematics of a loss and registers it against its catalog
entry::

    frame = Frame(NumpyOps(), notes=...)

    @frame.implements("huber")
    def huber(y_true, y_pred, *, delta):
        '''(what is particular to this backend's implementation, if anything)'''
        r = np.abs(y_pred - y_true)
        return np.where(r <= delta, 0.5 * r * r, delta * (r - 0.5 * delta))

The math function receives the positional arrays already checked and cast to the compute
dtype, the keyword parameters already checked (array parameters such as class weights as
arrays of the compute dtype, or None), and returns the unreduced loss (``reduction="none"``).
If it declares a ``reduction`` parameter it reduces itself (e.g. to call a fused
framework kernel); otherwise the frame reduces.

From the entry the frame provides, once, identically in every backend:

- the public signature ``name(<args>, *, <params with defaults>, reduction="mean")``
  (a real function, so :func:`inspect.signature`, ``help()`` and autodoc show it; it is
  generated once at import, so no call pays for binding arguments);
- the parameter rules (:class:`~lossbook.catalog.Rule`), checked with one message each;
- the composite input checks of :class:`~lossbook.catalog.Inputs` (target / prediction
  pairs, class-index targets, probability and one-hot rows, embedding rows), through
  :class:`~lossbook._validate.Validator` and the backend's ops adapter, in the order of
  CONTRIBUTING.md: reduction, parameters, dtypes, non-empty, shapes, finiteness, values;
- the reduction (including the weighted mean of ``cross_entropy`` / ``nll``);
- the docstring: the formula, what the minimiser estimates, the parameters, how the
  frameworks' built-ins differ, the backend's note and a doctested example.

NumPy also registers each gradient with :meth:`Frame.gradient`: the math returns the
gradient of the *sum* of the unreduced loss; the frame divides by the number of terms
(or the total class weight) for ``"mean"``.

The ops adapter of a backend answers the questions of :class:`lossbook._validate.Ops`
and converts: ``like(values)`` (a reference array for device placement), ``asarray(x,
like)``, ``pred(x)`` (NumPy casts integer predictions to float64; the frameworks keep
them and refuse them as non-floating), ``compute_dtype(preds)``, ``cast(x, dtype)``,
``index(y)``, ``row_sums(x)``, ``weight_total(w, y)``, ``reduce(loss, reduction)``,
``total(x)``; and ``defer_finite``: whether finiteness of inputs may be checked through the
result for losses that propagate NaN / inf (one reduction instead of one per input).
Optionally ``proves_within(x, top)``: True when a cheaper pass proves every value of ``x``
finite and in [0, top] (False means only "not proven": the exact check then runs).
"""

from __future__ import annotations

import inspect
import math
import textwrap
import types
from collections.abc import Callable
from typing import Any

from ._errors import LossInputError
from ._validate import REDUCTIONS, Validator, value_checks_enabled
from .catalog import NONE_SHAPES, LossSpec, catalog

_CLASS_TARGETS = ("indices", "indices_or_rows", "onehot")
# the upper end of each range check whose lower end is 0 (see ``proves_within``)
_RANGE_TOP = {"unit": 1.0, "nonneg": math.inf}
_CLASS_LAYOUT = "(..., C) with the classes on the last axis"
_ROWS_FIX = "Probability targets must lie in [0, 1]; pass class indices as an integer array."
_WEIGHT_FIX = {
    "weight": "Class weights multiply the per-class losses: pass values >= 0.",
    "pos_weight": "It scales the positive term; a common choice is n_neg / n_pos.",
}


def _index_fix(entry: LossSpec, pred: str) -> str:
    rows = entry.inputs.target == "indices_or_rows"
    return (
        "Pass one integer class index per sample"
        + (
            f", or one probability row per sample as a floating array with the shape of {pred}."
            if rows
            else "; convert one-hot rows with y.argmax(-1)."
        )
        + " PyTorch puts the class axis on dim 1: move it last (e.g. x.movedim(1, -1))."
    )


class _Plan:
    """Everything about one entry that does not change from call to call."""

    def __init__(self, entry: LossSpec, ops: Any):
        self.entry = entry
        self.ops = ops
        self.v = Validator(ops, entry.name)
        inp = entry.inputs
        self.args = entry.args
        self.preds = tuple(a for a in entry.args if a in entry.differentiable_args)
        self.pred0 = self.preds[0]
        self.i_pred0 = entry.args.index(self.pred0)
        self.target = inp.target
        self.classes = inp.target in _CLASS_TARGETS
        ndim = inp.ndim
        if ndim is None and self.classes:
            ndim = (self.pred0, 1, _CLASS_LAYOUT, False)
        self.ndim = None if ndim is None else (entry.args.index(ndim[0]), *ndim)
        self.rules = tuple(entry.rules.items())
        self.weights = tuple(n for n, r in self.rules if r.kind == "weights")
        self.checks = tuple((entry.args.index(c.arg), c) for c in inp.checks)
        self.defer = bool(inp.propagates and getattr(ops, "defer_finite", False))
        # arguments whose finiteness check can come from their range check's min / max
        self.ranged = {}
        if getattr(ops, "min_max_propagates_nan", False):
            for k, (i, c) in enumerate(self.checks):
                if c.kind in ("unit", "nonneg"):
                    self.ranged.setdefault(i, k)
        self.proves = getattr(ops, "proves_within", None)
        # no value check, and every finiteness check deferred to the result
        self.nothing_to_check = self.defer and not (self.checks or self.classes)
        # The common call, recognised in one adapter call: native arrays of one floating
        # compute dtype (and int64 class indices), non-empty, of fitting shapes, no array
        # parameter. For it the dtype, shape and cast steps of ``prepare`` would all pass
        # and change nothing, so only the value checks run (the same code, the same messages).
        self.fast = None
        fast = getattr(ops, "fast_inputs", None)
        plain = not (self.ndim and self.ndim[4] or inp.last_axis is not None)
        min_ndim = self.ndim[2] if self.ndim else 0
        if fast is not None and plain:
            if inp.target == "same":
                self.fast = (fast, False, min_ndim)
            elif inp.target in ("indices", "indices_or_rows") and len(entry.args) == 2:
                self.fast = (fast, True, min_ndim)

    # ---- the composite input checks ------------------------------------------------------
    def prepare(self, raw: tuple, params: dict) -> tuple[list, dict, bool]:
        """Check and convert the positional arrays and the array parameters; return
        ``(arrays, params, rows)`` with ``rows`` True for probability-row targets."""
        if self.target == "sequence":
            return self.prepare_sequence(raw, params)
        if self.fast is not None:
            fast, indices, min_ndim = self.fast
            if fast(raw, self.i_pred0, indices, min_ndim) and (
                not self.weights or all(params[name] is None for name in self.weights)
            ):
                xs = list(raw)
                if not self.nothing_to_check:
                    # class losses: the fast path guarantees at least one axis
                    n_classes = self.ops.shape(xs[self.i_pred0])[-1] if self.classes else None
                    self._finish(xs, params, {}, False, n_classes)
                return xs, params, False
        ops, v, args = self.ops, self.v, self.args
        like = ops.like(raw)
        xs = [ops.asarray(x, like) for x in raw]
        ws = {}
        for name in self.weights:
            w = params[name]
            if w is not None:
                ws[name] = ops.asarray(w, like)
        # dtypes
        rows = False
        p0 = xs[self.i_pred0] = ops.pred(xs[self.i_pred0])
        for i, (name, x) in enumerate(zip(args, xs, strict=True)):
            if name in self.preds:
                x = xs[i] = ops.pred(x)
                if not ops.is_float(x):
                    v.floating(name, x)
            elif i == 0 and self.target in ("indices", "indices_or_rows"):
                rows = (
                    self.target == "indices_or_rows"
                    and ops.is_float(x)
                    and ops.shape(x) == ops.shape(p0)
                )
                if not (rows or ops.is_int(x)):
                    v.class_indices(name, x, None, rows_ok=self.target == "indices_or_rows")
            elif not ops.is_real(x):
                v.real_dtype(name, x)
        for name, w in ws.items():
            v.weights_dtype(name, w)
        # non-empty
        for name, x in zip(args, xs, strict=True):
            if ops.is_empty(x):
                v.nonempty(name, x)
        # shapes
        if self.ndim is not None:
            i, name, n, what, exact = self.ndim
            (v.ndim_exactly if exact else v.ndim_at_least)(name, xs[i], n, what)
        if self.entry.inputs.last_axis is not None:
            what = self.ndim[3] if self.ndim is not None else "(..., n)"
            for name, x in zip(args, xs, strict=True):
                v.last_axis(name, x, self.entry.inputs.last_axis, what)
        first = args[0]
        if self.target in ("same", "onehot") or rows:
            for name, x in zip(args[1:], xs[1:], strict=True):
                v.same_shape(first, xs[0], name, x)
        else:
            shape = ops.shape(p0)[:-1]
            if self.target == "per_row":
                what = f"{self.pred0}.shape[:-1] (one label per pair)"
                fix = f"Pass one label per row of {self.pred0}."
            else:
                what = (
                    f"{self.pred0}.shape[:-1] (one class index per sample; the class axis is last)"
                )
                fix = _index_fix(self.entry, self.pred0)
            v.shape_equals(first, xs[0], shape, what, fix=fix)
            for name, x in zip(args[1:], xs[1:], strict=True):
                if name != self.pred0:
                    v.same_shape(self.pred0, p0, name, x)
        n_classes = ops.shape(p0)[-1] if ops.shape(p0) else None
        for name, w in ws.items():
            if name == "pos_weight":
                if ops.shape(w) != ():
                    v.shape_equals(
                        name,
                        w,
                        ops.shape(p0)[-1:],
                        f"(C,) with C the size of the last axis of {self.pred0}",
                        fix="Pass a scalar (shape ()) or one weight per label (column) of "
                        f"{self.pred0}.",
                    )
            else:
                v.shape_equals(
                    name,
                    w,
                    (n_classes,),
                    f"(C,) with C = {self.pred0}.shape[-1]",
                    fix="Pass one weight per class.",
                )
        # compute dtype
        dtype = ops.compute_dtype(
            [x for name, x in zip(args, xs, strict=True) if name in self.preds]
        )
        for i, x in enumerate(xs):
            if i == 0 and self.classes and self.target != "onehot" and not rows:
                xs[0] = ops.index(x)
            else:
                xs[i] = ops.cast(x, dtype)
        for name, w in ws.items():
            ws[name] = ops.cast(w, dtype)
        self._finish(xs, params, ws, rows, n_classes)
        if ws:
            params = {**params, **ws}
        return xs, params, rows

    def _finish(self, xs: list, params: dict, ws: dict, rows: bool, n_classes: Any) -> None:
        """The finiteness and value checks of converted arrays (all of them value checks:
        with checks switched off there is nothing to do)."""
        if not value_checks_enabled():
            return
        ops, v, args = self.ops, self.v, self.args
        # finiteness. An argument with a range check gets its minimum and maximum here: where
        # the adapter's min / max propagate NaN, finite extremes prove the array finite and
        # serve the range check below (one pass instead of two, the same messages).
        # With a deferring adapter (``defer_finite``) and a loss that propagates NaN / inf,
        # the other arguments are checked through the result after the math; on any
        # earlier failure they are checked first, so the first error is the same as with
        # every check up front.
        # An adapter with ``proves_within`` may first try to prove the range (and so the
        # finiteness) in a cheaper pass; ``extremes[i] = None`` records the proof, and the
        # exact min / max runs only when it fails (for the message).
        extremes = {}
        deferred = []
        ranged, proves = self.ranged, self.proves
        for i, (name, x) in enumerate(zip(args, xs, strict=True)):
            if i == 0 and self.classes and self.target != "onehot" and not rows:
                continue
            if i in ranged and ops.has_values(x):
                check = self.checks[ranged[i]][1]
                if not (check.unless and params[check.unless]):
                    if proves is not None and proves(x, _RANGE_TOP[check.kind]):
                        extremes[i] = None
                        continue
                    lo, hi = ops.min_max(x)
                    if math.isfinite(lo) and math.isfinite(hi):
                        extremes[i] = (lo, hi)
                        continue
                    self._check_deferred(deferred)
            elif self.defer:
                deferred.append((name, x))
                continue
            v.finite(name, x)
        try:
            self._values(xs, params, ws, rows, extremes, n_classes)
        except LossInputError:
            self._check_deferred(deferred)
            raise

    def prepare_sequence(self, raw: tuple, params: dict) -> tuple[list, dict, bool]:
        """The checks of ``ctc`` (``Inputs.target == "sequence"``): ``targets (N, S)``
        integer labels padded past each target length, ``log_probs (N, T, C)``,
        ``input_lengths (N,)`` and ``target_lengths (N,)`` integers. Same order as
        :meth:`prepare`: dtypes, non-empty, shapes (and ``blank`` < C), finiteness, values."""
        ops, v = self.ops, self.v
        n_tgt, n_lp, n_il, n_tl = self.args
        like = ops.like(raw)
        targets, lp, il, tl = (ops.asarray(x, like) for x in raw)
        lp = ops.pred(lp)
        # dtypes
        v.integer_dtype(n_tgt, targets, "labels")
        if not ops.is_float(lp):
            v.floating(n_lp, lp)
        v.integer_dtype(n_il, il, "lengths")
        v.integer_dtype(n_tl, tl, "lengths")
        # non-empty
        for name, x in zip(self.args, (targets, lp, il, tl), strict=True):
            if ops.is_empty(x):
                v.nonempty(name, x)
        # shapes
        v.ndim_exactly(n_tgt, targets, 2, "(N, S): padded label sequences, one row per sample")
        v.ndim_exactly(n_lp, lp, 3, "(N, T, C): batch first, classes last")
        n, t, c = ops.shape(lp)
        s = ops.shape(targets)[1]
        v.shape_equals(n_tgt, targets, (n, s), f"(N, S) with N = {n_lp}.shape[0]")
        for name, x in ((n_il, il), (n_tl, tl)):
            v.shape_equals(name, x, (n,), f"(N,) with N = {n_lp}.shape[0]")
        if c is not None:
            v.index_below("blank", params["blank"], c, n_lp)
        # casts
        lp = ops.cast(lp, ops.compute_dtype([lp]))
        targets, il, tl = ops.index(targets), ops.index(il), ops.index(tl)
        # finiteness, values
        v.finite(n_lp, lp)
        if t is not None:
            v.in_range(
                n_il,
                il,
                1,
                t,
                f"T = {n_lp}.shape[1]",
                "Each input length counts the valid frames of one sample.",
            )
        if s is not None:
            v.in_range(
                n_tl,
                tl,
                0,
                s,
                f"S = {n_tgt}.shape[1]",
                "Each target length counts the labels of one row of targets.",
            )
        if c is not None and value_checks_enabled() and ops.has_values(targets):
            v.sequence_labels(n_tgt, ops.valid_labels(targets, tl), c, params["blank"])
        return [targets, lp, il, tl], params, False

    def _check_deferred(self, deferred: list) -> None:
        for name, x in deferred:
            self.v.finite(name, x)

    def _values(self, xs, params, ws, rows, extremes, n_classes) -> None:
        v, ops, first = self.v, self.ops, self.args[0]
        for name, w in ws.items():
            v.finite(name, w)
        # values
        if self.classes:
            if self.target == "onehot":
                if value_checks_enabled():
                    v.one_hot_rows(first, xs[0], ops.row_sums(xs[0]))
            elif rows:
                v.in_unit_interval(first, xs[0], fix=_ROWS_FIX)
            else:
                v.class_indices(first, xs[0], n_classes)
        for k, (i, check) in enumerate(self.checks):
            if check.unless and params[check.unless]:
                continue
            x, name = xs[i], check.arg
            if i in extremes and extremes[i] is None and self.ranged[i] == k:
                continue  # proven in range by the adapter's proves_within
            if check.kind == "unit":
                v.in_unit_interval(name, x, fix=check.fix or None, lo_hi=extremes.get(i))
            elif check.kind == "pm1":
                v.pm1_labels(name, x)
            elif check.kind == "binary":
                v.label_set(name, x, (0.0, 1.0), check.fix)
            elif check.kind == "nonneg":
                v.nonnegative(name, x, fix=check.fix, lo_hi=extremes.get(i))
            elif check.kind == "boxes":
                v.boxes(name, x)
            else:  # pragma: no cover - a catalog error
                raise RuntimeError(f"unknown check {check.kind!r}")
        for name, w in ws.items():
            v.nonnegative(name, w, fix=_WEIGHT_FIX.get(name, "Pass values >= 0."))

    def check_params(self, reduction: Any, values: tuple) -> None:
        if reduction not in REDUCTIONS:
            self.v.reduction(reduction)
        for (name, rule), value in zip(self.rules, values, strict=True):
            if rule.kind == "real" and type(value) is float and math.isfinite(value):
                # the common case, inlined: a finite Python float inside the interval
                lo, hi = rule.lo, rule.hi
                if (lo < value if rule.lo_open else lo <= value) and (
                    value < hi if rule.hi_open else value <= hi
                ):
                    continue
            self.v.param(name, value, rule)

    def n_terms(self, xs: list) -> Any:
        """How many values ``reduction="none"`` has: what ``"mean"`` divides by."""
        shape = self.ops.shape(xs[self.i_pred0])
        reduces = self.entry.inputs.reduces
        if reduces == "last":
            shape = shape[:-1]
        elif reduces == "all_but_first":
            shape = shape[:1]
        return math.prod(shape)

    def denominator(self, xs: list, params: dict, rows: bool) -> Any:
        """The total class weight of a weighted mean, or None for a plain mean."""
        name = self.entry.weighted_mean
        w = params[name] if name else None
        if w is None or rows:
            return None
        return self.ops.weight_total(w, xs[0])


def _takes_reduction(fn: Callable) -> bool:
    return "reduction" in inspect.signature(fn).parameters


def _build(name: str, entry: LossSpec, run: Callable, module_globals: dict) -> Callable:
    """A function with the entry's signature whose body is ``run(args, params, reduction)``."""
    args = ", ".join(entry.args)
    params = list(entry.params)
    kw = ", ".join([*params, "reduction"])
    ptuple = "(" + "".join(f"{p}, " for p in params) + ")"
    src = (
        f"def _factory(_run):\n"
        f"    def {name}({args}, *, {kw}):\n"
        f"        return _run(({args},), {ptuple}, reduction)\n"
        f"    return {name}\n"
    )
    ns: dict = {}
    exec(compile(src, f"<lossbook frame: {name}>", "exec"), ns)
    inner = ns["_factory"](run)
    # rebind to the backend module's globals, so that doctest finds the function there
    fn = types.FunctionType(inner.__code__, module_globals, name, None, inner.__closure__)
    fn.__kwdefaults__ = {**entry.params, "reduction": "mean"}
    return fn


class Frame:
    """One backend's registry: ``implements`` for losses, ``gradient`` for NumPy gradients."""

    def __init__(
        self,
        ops: Any,
        *,
        backend: str,
        array: str,
        returns: str,
        literal: Callable,
        out: str = "",
    ):
        self.ops = ops
        self.out = out or array  # the type a loss returns
        self.backend = backend  # "numpy", "torch", "tensorflow"
        self.array = array  # how the docstrings call an array of this backend
        self.returns = returns  # dtype / device note for the Returns section
        self.literal = literal  # (python value) -> source text of a backend array
        self.plans: dict[str, _Plan] = {}
        self.losses: dict[str, Callable] = {}
        self.gradients: dict[str, Callable] = {}

    def _plan(self, name: str) -> _Plan:
        if name not in self.plans:
            self.plans[name] = _Plan(catalog[name], self.ops)
        return self.plans[name]

    def implements(self, name: str) -> Callable[[Callable], Callable]:
        """Register the math of ``name``; returns the public function."""

        def register(math_fn: Callable) -> Callable:
            plan = self._plan(name)
            entry, ops = plan.entry, self.ops
            self_reduces = _takes_reduction(math_fn)
            pnames = tuple(entry.params)
            reduce_, total = ops.reduce, ops.total
            weighted = bool(entry.weighted_mean)
            defer = plan.defer

            def run(raw: tuple, pvals: tuple, reduction: Any) -> Any:
                plan.check_params(reduction, pvals)
                params = dict(zip(pnames, pvals, strict=True))
                xs, params, rows = plan.prepare(raw, params)
                if self_reduces:
                    out = math_fn(*xs, **params, reduction=reduction)
                else:
                    out = math_fn(*xs, **params)
                    if weighted and reduction == "mean":
                        denom = plan.denominator(xs, params, rows)
                        out = reduce_(out, reduction) if denom is None else total(out) / denom
                    else:
                        out = reduce_(out, reduction)
                if defer and value_checks_enabled() and not ops.all_finite(out):
                    for arg, x in zip(entry.args, xs, strict=True):
                        plan.v.finite(arg, x)
                return out

            fn = _build(name, entry, run, math_fn.__globals__)
            fn.__module__ = math_fn.__module__
            fn.__qualname__ = name
            fn.__doc__ = loss_doc(entry, self, math_fn.__doc__)
            self.losses[name] = fn
            return fn

        return register

    def gradient(self, name: str) -> Callable[[Callable], Callable]:
        """Register the hand-derived gradient of ``name`` (of the sum of the unreduced loss;
        a tuple for several differentiable arguments); returns ``<name>_grad``."""

        def register(math_fn: Callable) -> Callable:
            plan = self._plan(name)
            entry = plan.entry
            pnames = tuple(entry.params)
            self_reduces = _takes_reduction(math_fn)

            def run(raw: tuple, pvals: tuple, reduction: Any) -> Any:
                plan.check_params(reduction, pvals)
                params = dict(zip(pnames, pvals, strict=True))
                xs, params, rows = plan.prepare(raw, params)
                if self_reduces:
                    return math_fn(*xs, **params, reduction=reduction)
                g = math_fn(*xs, **params)
                if reduction != "mean":
                    return g
                denom = plan.denominator(xs, params, rows) if entry.weighted_mean else None
                if denom is None:
                    denom = plan.n_terms(xs)
                if isinstance(g, tuple):
                    return tuple(gi / denom for gi in g)
                return g / denom

            fn = _build(f"{name}_grad", entry, run, math_fn.__globals__)
            fn.__module__ = math_fn.__module__
            fn.__qualname__ = f"{name}_grad"
            fn.__doc__ = grad_doc(entry, self, math_fn.__doc__)
            self.gradients[name] = fn
            return fn

        return register


# ---- docstrings ------------------------------------------------------------------------
_REDUCTION_DOC = """reduction : {{"mean", "sum", "none"}}, default "mean"
    ``"none"``: {none}; ``"sum"``: their sum; ``"mean"``: their mean{weighted}."""


def _arg_doc(entry: LossSpec, frame: Frame, arg: str) -> str:
    inp = entry.inputs
    if arg in entry.arg_docs:
        doc = entry.arg_docs[arg]
        return f"{arg} : {frame.array}\n    " + doc[:1].upper() + doc[1:]
    preds = [a for a in entry.args if a in entry.differentiable_args]
    first, pred0 = entry.args[0], preds[0]
    parts = []
    if arg == first and inp.target in ("indices", "indices_or_rows"):
        parts.append(
            f"integer class indices in 0..C-1, of shape ``{pred0}.shape[:-1]``"
            + (
                f"; or probability rows of the shape of ``{pred0}`` (floating)"
                if inp.target == "indices_or_rows"
                else ""
            )
        )
    elif arg == first and inp.target == "onehot":
        parts.append(f"one-hot rows, the shape of ``{pred0}``")
    elif arg == first and inp.target == "per_row":
        parts.append(f"one value per row of ``{pred0}``: shape ``{pred0}.shape[:-1]``")
    elif inp.ndim is not None and arg == inp.ndim[0]:
        parts.append(f"shape {inp.ndim[2]}")
    elif arg == pred0 and inp.target in _CLASS_TARGETS:
        parts.append(f"shape {_CLASS_LAYOUT}")
    elif arg == first:
        parts.append("any shape")
    if arg != first and not (arg == pred0 and inp.target != "same"):
        ref = first if inp.target in ("same", "onehot") else pred0
        if arg != ref:
            parts.append(f"the same shape as ``{ref}`` (no broadcasting)")
    for c in inp.checks:
        if c.arg == arg:
            parts.append(
                {
                    "unit": "values in [0, 1]",
                    "pm1": "labels in {-1, +1}",
                    "binary": "labels in {0, 1}",
                    "nonneg": "values >= 0",
                    "boxes": "rows (x1, y1, x2, y2) with x2 >= x1 and y2 >= y1",
                }[c.kind]
                + (f" (unless ``{c.unless}``)" if c.unless else "")
            )
    role = "prediction" if arg in entry.differentiable_args else "target"
    return f"{arg} : {frame.array}\n    The {role}: " + "; ".join(parts) + "."


def _param_doc(entry: LossSpec, name: str) -> str:
    rule = entry.rules[name]
    default = entry.params[name]
    kind = {"flag": "bool", "weights": "array or None", "index": "int"}.get(rule.kind, "float")
    if rule.kind == "real" and rule.optional:
        kind = "float or None"
    return f"{name} : {kind}, default {default!r}\n    {rule.doc[:1].upper() + rule.doc[1:]}; {rule.describe()}."


def _call_src(entry: LossSpec, frame: Frame, suffix: str = "") -> str:
    ex = entry.example
    mod = {"numpy": "lnp", "torch": "lt", "tensorflow": "ltf"}[frame.backend]
    args = [frame.literal(a) for a in ex.args]
    kws = [
        f"{k}={frame.literal(v) if isinstance(v, list) else repr(v)}" for k, v in ex.kwargs.items()
    ]
    return f"{mod}.{entry.name}{suffix}({', '.join(args + kws)})"


def _imports(frame: Frame) -> str:
    return {
        "numpy": ">>> import numpy as np\n>>> import lossbook.numpy as lnp",
        "torch": ">>> import torch\n>>> import lossbook.torch as lt",
        "tensorflow": ">>> import tensorflow as tf\n>>> import lossbook.tensorflow as ltf",
    }[frame.backend]


def _wrap(text: str) -> str:
    return "\n\n".join(textwrap.fill(p, 88) for p in text.split("\n\n"))


def loss_doc(entry: LossSpec, frame: Frame, note: str | None) -> str:
    weighted = ""
    if entry.weighted_mean:
        weighted = (
            f" (with ``{entry.weighted_mean}`` and integer targets: ``sum(none) / sum(w[y_i])``,"
            " PyTorch's convention)"
        )
    params = [_arg_doc(entry, frame, a) for a in entry.args]
    params += [_param_doc(entry, p) for p in entry.params]
    reduction_doc = _REDUCTION_DOC.format(none=NONE_SHAPES[entry.none_shape], weighted=weighted)
    if entry.mean_doc:
        reduction_doc = reduction_doc.rsplit('``"mean"``', 1)[0] + f'``"mean"``: {entry.mean_doc}.'
    params.append(reduction_doc)
    builtins = []
    if entry.torch_builtin:
        builtins.append(f"PyTorch: ``{entry.torch_builtin}``")
    if entry.keras_builtin:
        builtins.append(f"Keras: ``{entry.keras_builtin}``")
    notes = [
        "Built-ins: " + ("; ".join(builtins) if builtins else "none in PyTorch or Keras") + ".",
        _wrap(entry.builtin_notes),
    ]
    if note:
        notes.append(inspect.cleandoc(note))
    refs = ""
    if entry.references:
        refs = (
            "\nReferences\n----------\n"
            + ", ".join(entry.references)
            + " (keys of the book's bibliography).\n"
        )
    ex = entry.example
    example = f"{_imports(frame)}\n>>> round(float({_call_src(entry, frame)}), 4)\n{ex.value!r}"
    body = "\n".join(params)
    return (
        f"{entry.title} ({entry.chinese}).\n\n"
        f'The unreduced loss (``reduction="none"``) is\n\n'
        f".. math::\n\n    {entry.formula}\n\n"
        f"What the minimiser estimates: {entry.estimates.rstrip('.')}.\n\n"
        f"Parameters\n----------\n{body}\n\n"
        f"Returns\n-------\n{frame.out}\n    {textwrap.fill(frame.returns, 84, subsequent_indent='    ')}\n\n"
        f"Notes\n-----\n" + "\n\n".join(notes) + "\n"
        f"{refs}\n"
        f"Examples\n--------\n{example}\n"
    )


def grad_doc(entry: LossSpec, frame: Frame, note: str | None) -> str:
    wrt = ", ".join(f"``{a}``" for a in entry.differentiable_args)
    several = len(entry.differentiable_args) > 1
    ex = entry.example
    if several:
        shown = (
            f">>> [(np.round(g, 4) + 0.0).tolist() for g in {_call_src(entry, frame, '_grad')}]\n"
        )
        value = repr(list(ex.grad))
    else:
        shown = f">>> (np.round({_call_src(entry, frame, '_grad')}, 4) + 0.0).tolist()\n"
        value = repr(ex.grad)
    text = (
        f"Gradient of :func:`{entry.name}` with respect to {wrt}"
        + (" (a tuple, in argument order)" if several else "")
        + ".\n\nDerived by hand; per term of the unreduced loss\n\n"
        f".. math::\n\n    {entry.gradient}\n\n"
        + (
            f'Same arguments as the loss. For ``reduction="mean"`` it is the gradient of '
            f'{entry.mean_doc}; for ``"none"`` it is the gradient of the sum.\n'
            if entry.mean_doc
            else 'Same arguments as the loss. For ``reduction="mean"`` the gradient is '
            "divided by the number of terms (or by the total class weight, where "
            '``"mean"`` is a weighted mean); for ``"none"`` it is the gradient of the sum.\n'
        )
    )
    if note:
        text += "\nNotes\n-----\n" + inspect.cleandoc(note) + "\n"
    return text + f"\nExamples\n--------\n{_imports(frame)}\n{shown}{value}\n"
