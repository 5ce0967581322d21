"""The catalog: one entry per loss, the single source of truth for the book and the tests.

``lossbook.catalog`` is a :class:`Catalog`: iterate it for the entries in book order,
index it by name, or call :meth:`Catalog.names`. The LaTeX formula and gradient of an
entry are the ones the book shows; the docstring of the implementation says the same in
words. The book's tables, the glossary, the API page and the test suite's
parametrisation all read from here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

TASKS = (
    "regression",
    "binary classification",
    "multiclass classification",
    "distribution matching",
    "ranking",
    "metric learning",
    "segmentation",
)

# How the unreduced loss (reduction="none") is shaped.
NONE_SHAPES = {
    "elementwise": "same shape as the prediction",
    "per_sample": "one value per sample (the class axis, the last one, is reduced)",
    "per_pair": "one value per pair / triplet / query",
}


@dataclass(frozen=True)
class LossSpec:
    """One loss of the catalog."""

    name: str  # the function name in every backend
    title: str  # English title, e.g. "Mean squared error"
    chinese: str  # correct Chinese term, e.g. "均方误差"
    task: str  # one of TASKS
    family: (
        str  # backend module that holds it: regression, binary, multiclass, embedding, segmentation
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


def _load() -> Catalog:
    from ._catalog import binary, embedding, multiclass, regression, segmentation

    return Catalog(
        regression.ENTRIES
        + binary.ENTRIES
        + multiclass.ENTRIES
        + embedding.ENTRIES
        + segmentation.ENTRIES
    )


catalog = _load()
