"""The catalog: one entry per loss, the single source of truth for the book and the tests.

``lossbook.catalog`` is a :class:`Catalog`: iterate it for the entries in book order,
index it by name, or call :meth:`Catalog.names`. The LaTeX formula and gradient of an
entry are the ones the book shows; the docstring of the implementation says the same in
words. The book's tables, the glossary, the API page and the test suite's
parametrisation all read from here.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

TASKS = (
    "regression",
    "binary classification",
    "multiclass classification",
    "distribution matching",
    "ranking",
    "metric learning",
    "segmentation",
    "object detection",
    "sequence recognition",
    "preference optimisation",
)

# How the unreduced loss (reduction="none") is shaped.
NONE_SHAPES = {
    "elementwise": "same shape as the prediction",
    "per_sample": "one value per sample (the class axis, the last one, is reduced)",
    "per_pair": "one value per pair / triplet / query",
    "per_sequence": "one value per sample (sequence)",
}


@dataclass(frozen=True)
class Rule:
    """What one keyword parameter accepts. Declared once in the catalog entry; every
    backend checks it through the same code (:mod:`lossbook._frame`), with the same message.

    ``kind``: ``"real"`` (a real number, never a bool, finite, inside the interval
    ``lo``..``hi``), ``"index"`` (a Python or NumPy integer, never a bool, >= ``lo``; e.g.
    the blank class of ctc), ``"flag"`` (True or False) or ``"weights"`` (an array of per-class
    weights: shape ``(C,)``, or a real number too when ``scalar`` is set; finite, >= 0).
    ``optional``: None is accepted as well. ``doc`` says what the parameter does, ``fix``
    is appended to the error message.
    """

    kind: str = "real"
    doc: str = ""
    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False
    hi_open: bool = False
    optional: bool = False
    scalar: bool = False
    fix: str = ""

    def bounds(self) -> str:
        """The accepted values in words: ``> 0``, ``in [0, 0.5)``, ``strictly between 0 and 1``."""
        lo_inf, hi_inf = math.isinf(self.lo), math.isinf(self.hi)
        if lo_inf and hi_inf:
            return "a finite number"
        if hi_inf:
            return f"{'>' if self.lo_open else '>='} {_num(self.lo)}"
        if lo_inf:
            return f"{'<' if self.hi_open else '<='} {_num(self.hi)}"
        if self.lo_open and self.hi_open:
            return f"strictly between {_num(self.lo)} and {_num(self.hi)}"
        return (
            f"in {'(' if self.lo_open else '['}{_num(self.lo)}, {_num(self.hi)}"
            f"{')' if self.hi_open else ']'}"
        )

    def describe(self) -> str:
        """One line for a docstring."""
        if self.kind == "flag":
            return "True or False"
        if self.kind == "index":
            return f"an integer >= {_num(self.lo)}"
        if self.kind == "weights":
            what = "a number or an array of shape (C,)" if self.scalar else "an array of shape (C,)"
            return what + ", finite and >= 0" + (", or None" if self.optional else "")
        return f"{self.bounds()}" + (", or None" if self.optional else "")


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def real(
    doc: str,
    lo: float = -math.inf,
    hi: float = math.inf,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
    optional: bool = False,
    fix: str = "",
) -> Rule:
    """A real-number parameter in an interval (open or closed at each end)."""
    return Rule("real", doc, lo, hi, lo_open, hi_open, optional, fix=fix)


def index(doc: str, lo: int = 0, *, fix: str = "") -> Rule:
    """An integer parameter >= ``lo`` (a class index such as ctc's ``blank``)."""
    return Rule("index", doc, lo, fix=fix)


def flag(doc: str) -> Rule:
    return Rule("flag", doc)


def weights(doc: str, *, scalar: bool = False) -> Rule:
    """Optional per-class weights: an array ``(C,)`` (or a number, with ``scalar``)."""
    return Rule("weights", doc, optional=True, scalar=scalar)


@dataclass(frozen=True)
class Check:
    """A value check on one positional argument (skipped inside ``validation(False)``).

    ``kind``: ``"unit"`` (values in [0, 1]), ``"pm1"`` (labels in {-1, +1}), ``"binary"``
    (labels in {0, 1}), ``"nonneg"`` (values >= 0), ``"boxes"`` (rows (x1, y1, x2, y2) with
    x2 >= x1 and y2 >= y1). ``fix`` is the advice of the message;
    ``unless`` names a flag parameter that turns the check off when True.
    """

    arg: str
    kind: str
    fix: str = ""
    unless: str = ""


@dataclass(frozen=True)
class Inputs:
    """How the positional arguments of a loss fit together: the composite checks that
    :mod:`lossbook._frame` runs, identically in every backend.

    ``target``: how the first argument relates to the predictions (the
    ``differentiable_args``): ``"same"`` (the same shape), ``"per_row"`` (their shape
    without the last axis), ``"indices"`` (integer class indices of that shape),
    ``"indices_or_rows"`` (indices, or floating probability rows of the predictions'
    shape), ``"onehot"`` (one-hot rows of the predictions' shape).
    ``"sequence"`` (ctc: padded integer label sequences ``(N, S)``, predictions
    ``(N, T, C)`` and two integer length arrays ``(N,)``; see ``_Plan.prepare_sequence``).
    ``ndim``: ``(argument, n, layout in words, exact)``: a required number of axes.
    ``last_axis``: a required size of the last axis of every argument (4 for boxes).
    ``reduces``: which axes ``reduction="none"`` has summed away: ``""`` (none,
    elementwise), ``"last"`` (the class / embedding axis) or ``"all_but_first"``.
    ``propagates``: any NaN / inf input gives a non-finite loss, whatever the other inputs
    (a backend may then check the finiteness of the arguments without a range check through
    the result: one reduction instead of one per input; the first error stays the same).
    """

    target: str = "same"
    ndim: tuple[str, int, str, bool] | None = None
    last_axis: int | None = None
    checks: tuple[Check, ...] = ()
    reduces: str = ""
    propagates: bool = False


@dataclass(frozen=True)
class Example:
    """The doctested example of every backend's docstring: arguments as (nested) lists,
    keyword parameters, the rounded ``"mean"`` value and the rounded NumPy gradient
    (a list, or a tuple of lists for several differentiable arguments)."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    value: float
    grad: Any


@dataclass(frozen=True)
class LossSpec:
    """One loss of the catalog."""

    name: str  # the function name in every backend
    title: str  # English title, e.g. "Mean squared error"
    chinese: str  # correct Chinese term, e.g. "均方误差"
    task: str  # one of TASKS
    family: (
        str  # backend module that holds it: regression, binary, multiclass, embedding, segmentation,
        # detection, sequence, preference
    )
    args: tuple[str, ...]  # positional argument names, in order
    params: dict[str, Any]  # keyword-only parameters and defaults (reduction excluded)
    none_shape: str  # key of NONE_SHAPES
    formula: str  # LaTeX of the unreduced loss
    gradient: str  # LaTeX of d(loss)/d(prediction) of the unreduced loss
    estimates: str  # what the minimiser estimates / what it is for, one line
    torch_builtin: str | None  # dotted path of the closest PyTorch built-in, or None
    keras_builtin: str | None  # dotted path of the closest Keras built-in, or None
    builtin_notes: str  # how the built-ins' conventions differ from lossbook's
    when_to_use: str
    pitfalls: tuple[str, ...]
    references: tuple[str, ...] = field(default_factory=tuple)  # bibtex keys in book/references.bib
    differentiable_args: tuple[str, ...] = ()  # the arguments <name>_grad differentiates, in order
    rules: dict[str, Rule] = field(default_factory=dict)  # one per keyword parameter
    inputs: Inputs = field(default_factory=Inputs)  # the composite input checks
    example: Example | None = None  # the doctested example of every backend
    weighted_mean: str = ""  # keyword parameter of class weights that "mean" divides by
    mean_doc: str = ""  # what "mean" is, where it is not the mean of "none" (ctc)
    arg_docs: dict[str, str] = field(default_factory=dict)  # docstring text of an argument


class Catalog:
    """Ordered, read-only collection of :class:`LossSpec`, indexable by name."""

    def __init__(self, entries: tuple[LossSpec, ...]):
        self._entries = entries
        self._by_name = {e.name: e for e in entries}
        if len(self._by_name) != len(entries):
            raise RuntimeError("duplicate names in the lossbook catalog")

    def __iter__(self) -> Iterator[LossSpec]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, name: str) -> LossSpec:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(
                f"no loss named {name!r} in the catalog; known: {', '.join(self.names())}"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def names(self) -> list[str]:
        return [e.name for e in self._entries]

    def by_task(self, task: str) -> list[LossSpec]:
        return [e for e in self._entries if e.task == task]

    def __repr__(self) -> str:
        return f"Catalog({len(self)} losses: {', '.join(self.names())})"


#: The families of losses, in the catalog's order: one module each in ``lossbook._catalog``
#: (its ``ENTRIES``) and in every backend (its math, registered with the frame). A new family
#: is added here and nowhere else.
FAMILIES = (
    "regression",
    "binary",
    "multiclass",
    "embedding",
    "segmentation",
    "detection",
    "sequence",
    "preference",
)


def import_families(package: str, namespace: dict[str, Any]) -> list[str]:
    """Import the module of every family from ``package`` (a backend) and copy its public
    names (its ``__all__``) into ``namespace``, the package's globals; returns the names in
    the catalog's order, for the package's ``__all__``."""
    names: list[str] = []
    for family in FAMILIES:
        module = import_module(f"{package}.{family}")
        namespace.update((n, getattr(module, n)) for n in module.__all__)
        names += module.__all__
    return names


def _load() -> Catalog:
    entries = (import_module(f"{__package__}._catalog.{f}").ENTRIES for f in FAMILIES)
    return Catalog(tuple(e for family in entries for e in family))


catalog = _load()
