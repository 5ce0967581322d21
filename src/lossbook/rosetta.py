"""The Rosetta stone: how to call each framework's built-in loss so it computes lossbook's loss.

``ROSETTA[name]["torch"]`` and ``ROSETTA[name]["keras"]`` are :class:`Builtin` records (or
``None`` where the framework has no built-in). Each record holds a small adapter that takes
lossbook's inputs (targets first, class axis last, lossbook's keyword parameters) and calls the
built-in the way it must be called to compute the same thing, plus the facts a reader needs:
argument order, default reduction, logits or probabilities, eps handling, label convention,
and ``agrees``:

- ``True``: agrees with lossbook (to ``tol``) on every valid lossbook input;
- ``"conditions"``: agrees inside the stated ``conditions`` (which the example inputs of
  :func:`example` satisfy) and differs outside them (:func:`edge_case` gives inputs that show it);
- ``False``: differs even on typical inputs.

The built-ins' dotted paths come from :data:`lossbook.catalog` (``torch_builtin`` /
``keras_builtin``); this module never retypes them. The records live in
:mod:`lossbook._rosetta.facts`, the adapters in :mod:`lossbook._rosetta.adapters`, the example
inputs in :mod:`lossbook.examples`; this module compares.

Examples
--------
>>> from lossbook import rosetta
>>> args, kwargs = rosetta.example("huber")
>>> ours, theirs = rosetta.compare("huber", "torch", args, kwargs)
>>> abs(ours - theirs) < 1e-12
True
>>> rosetta.ROSETTA["quantile"]["torch"] is None
True
"""

from __future__ import annotations

import math

import numpy as np

from ._rosetta.adapters import _scalar
from ._rosetta.facts import FRAMEWORKS, ROSETTA, Builtin
from .catalog import catalog
from .examples import builtin_case

__all__ = [
    "FRAMEWORKS",
    "ROSETTA",
    "Builtin",
    "close",
    "compare",
    "edge_case",
    "example",
    "rosetta_table",
]


def example(
    name: str, seed: int | np.random.Generator = 0, framework: str | None = None
) -> tuple[tuple, dict]:
    """Typical valid inputs for ``name`` (float64 NumPy, lossbook's argument order).

    They lie inside every built-in's ``conditions``. With ``framework`` given, keyword
    parameters the built-in cannot express are set to the value it computes (``fixed``).
    """
    args, kw = builtin_case(name, seed)
    if framework is not None:
        b = ROSETTA[name][framework]
        if b is not None and b.fixed:
            kw = {**kw, **b.fixed}
    return args, kw


def edge_case(name: str, framework: str) -> tuple[tuple, dict] | None:
    """Valid lossbook inputs outside the built-in's ``conditions`` (None if it always agrees)."""
    b = ROSETTA[name][framework]
    if b is None or b.agrees is True:
        return None
    kw = dict(b.fixed or {})
    if name == "poisson_nll":
        return (np.array([2.0, 1.0]), np.array([0.0, 1e-6])), kw
    if name == "binary_cross_entropy":
        return (np.array([1.0, 0.0, 1.0]), np.array([0.0, 1.0, 0.5])), kw
    if name == "binary_cross_entropy_with_logits":
        return (np.array([1.0, 0.0]), np.array([0.5, -1.0])), {"pos_weight": np.array(3.0)}
    if name == "cross_entropy":
        # weight and label smoothing with a true-class probability below 1e-7: Keras's
        # CategoricalFocalCrossentropy clips the softmax there
        return (np.array([0, 2]), np.array([[-30.0, 0.5, -1.0], [0.0, 1.0, 0.3]])), {
            "weight": np.array([1.0, 2.0, 0.5]),
            "label_smoothing": 0.1,
        }
    if name == "categorical_hinge":
        return (np.eye(3)[[0]], np.array([[0.5, -0.2, -1.0]])), kw
    if name == "softmax_focal":
        return (np.array([0]), np.array([[-30.0, 0.0, 1.0]])), {"gamma": 2.0}
    if name == "kl_divergence":
        if framework == "torch":
            return (np.array([[0.5, 0.5]]), np.array([[1e-10, 1.0 - 1e-10]])), kw
        return (np.array([[0.0, 0.5, 0.5]]), np.array([[0.8, 0.1, 0.1]])), kw
    if name == "triplet":
        # embeddings at the scale of torch's eps = 1e-6: the eps dominates the distances
        a = np.zeros((1, 2))
        return (a, a + 1e-6, a + np.array([[2e-6, 0.0]])), {"margin": 1e-6}
    if name == "dice":
        return (np.ones((1, 2, 2)), np.full((1, 2, 2), 0.5)), {"smooth": 1.0}
    if name == "distillation_kl":  # softened teacher probability e^-30 < 1e-7: Keras clips it
        return (np.array([[0.0, -30.0]]), np.array([[0.0, 0.0]])), {"temperature": 1.0}
    if name == "ctc":  # a repeated label needs 3 frames; 2 have no alignment (inf here)
        lp = np.log(np.full((1, 2, 3), 1 / 3))
        return (np.array([[1, 1]]), lp, np.array([2]), np.array([2])), kw
    raise KeyError(f"no edge case for {name!r} / {framework}")


# ---------------------------------------------------------------- comparing and the table


def compare(name: str, framework: str, args, kwargs: dict | None = None) -> tuple[float, float]:
    """(lossbook value, built-in value), both the mean, on the same inputs.

    lossbook's value is the NumPy reference (float64). The built-in is called through its
    adapter in float64. Raises ``ValueError`` when the built-in cannot express ``kwargs``
    (for example ``pos_weight`` in Keras) and ``KeyError`` when there is no built-in.
    """
    from . import numpy as lnp

    kwargs = dict(kwargs or {})
    b = ROSETTA[name][framework]
    if b is None:
        raise KeyError(f"{framework} has no built-in for {name!r}")
    if not b.supports(kwargs):
        raise ValueError(f"{b.path} cannot express {kwargs}; it computes {b.fixed}")
    ours = float(getattr(lnp, name)(*args, **kwargs))
    theirs = _scalar(b.call(tuple(args), kwargs))
    return ours, theirs


def close(a: float, b: float, tol: float) -> bool:
    """Agreement as the table means it: relative ``tol`` (absolute ``tol / 1000`` near 0)."""
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol * 1e-3)


def rosetta_table(*, measure: bool = False, seeds: tuple[int, ...] = (0, 1, 2)):
    """One row per (loss, framework) as a pandas DataFrame.

    With ``measure=True`` the agreement is computed here, on :func:`example` inputs for each
    seed (column ``max |diff|`` and ``agrees (measured)``) and on :func:`edge_case` inputs
    (column ``edge: lossbook vs built-in``).
    """
    import pandas as pd

    rows = []
    for spec in catalog:
        for fw in FRAMEWORKS:
            b = ROSETTA[spec.name][fw]
            row = {
                "loss": spec.name,
                "framework": fw,
                "built-in": b.path if b else None,
                "call": b.how if b else "-",
                "argument order": b.argument_order if b else "-",
                "default reduction": b.default_reduction if b else "-",
                "expects": b.inputs if b else "-",
                "eps": b.eps if b else "-",
                "labels": b.labels if b else "-",
                "agrees": b.agrees if b else None,
                "conditions": b.conditions if b else spec.builtin_notes,
            }
            if measure:
                row.update(_measure(b, seeds))
            rows.append(row)
    return pd.DataFrame(rows)


def _measure(b: Builtin | None, seeds) -> dict:
    if b is None:
        return {"max |diff|": None, "agrees (measured)": None, "edge: lossbook vs built-in": None}
    if not b.available():
        return {
            "max |diff|": None,
            "agrees (measured)": f"{b.requires} not installed",
            "edge: lossbook vs built-in": None,
        }
    worst, ok = 0.0, True
    for seed in seeds:
        args, kw = example(b.loss, seed, b.framework)
        ours, theirs = compare(b.loss, b.framework, args, kw)
        worst = max(worst, abs(ours - theirs))
        ok &= close(ours, theirs, b.tol)
    edge = edge_case(b.loss, b.framework)
    edge_text = None
    if edge is not None:
        args, kw = edge
        if b.supports(kw):
            ours, theirs = compare(b.loss, b.framework, args, kw)
            edge_text = f"{ours:.7g} vs {theirs:.7g}"
        else:
            edge_text = f"cannot express {', '.join(k for k in (b.fixed or {}))}"
    return {
        "max |diff|": float(f"{worst:.1e}"),
        "agrees (measured)": ok,
        "edge: lossbook vs built-in": edge_text,
    }
