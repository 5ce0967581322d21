"""The public contract (docs/contract.md), checked for every loss and backend: names,
signatures, docstrings, reductions, and the bad-input table."""

from __future__ import annotations

import ast
import importlib
import inspect
import math
import re
from pathlib import Path

import numpy as np
import pytest
from backends import BACKENDS, call, module, to_numpy

import lossbook
from lossbook import LossInputError
from lossbook.catalog import TASKS
from lossbook.examples import generic_case, make_case

ROOT = Path(__file__).resolve().parents[1]


def _contract_table() -> dict[str, tuple[tuple[str, ...], dict[str, object]]]:
    """name -> (positional args, keyword params with defaults), read from docs/contract.md."""
    rows = {}
    for line in (ROOT / "docs" / "contract.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) < 5 or not re.fullmatch(r"`[a-z_0-9]+`", cells[1]):
            continue
        args = tuple(a.strip() for a in cells[2].split(","))
        params = {}
        for item in filter(None, (p.strip() for p in cells[3].split(","))):
            key, value = item.split("=")
            params[key] = ast.literal_eval(value)
        rows[cells[1].strip("`")] = (args, params)
    return rows


CONTRACT = _contract_table()
NAMES = [e.name for e in lossbook.catalog]
CLASS_INDEX_LOSSES = ["cross_entropy", "nll", "multi_margin", "softmax_focal"]


def test_blank_must_be_a_class_of_log_probs_in_every_backend():
    args, kwargs = make_case("ctc", 3)  # C = 4
    got = {b: _outcome(b, "ctc", args, {**kwargs, "blank": 4}) for b in BACKENDS}
    assert got["numpy"].startswith("ctc expects blank between 0 and 3"), got["numpy"]
    assert got["torch"] == got["numpy"] == got["tensorflow"], got


def test_the_contract_lists_30_losses():
    assert len(CONTRACT) == 30


@pytest.mark.parametrize("name", NAMES)
def test_every_catalog_loss_is_in_the_contract_with_its_signature(name):
    e = lossbook.catalog[name]
    assert name in CONTRACT, f"{name} is not in docs/contract.md"
    assert CONTRACT[name] == (e.args, e.params)


@pytest.mark.parametrize("name", NAMES)
def test_catalog_entry_is_complete(name):
    e = lossbook.catalog[name]
    for field in (
        "title",
        "chinese",
        "formula",
        "gradient",
        "estimates",
        "when_to_use",
        "builtin_notes",
    ):
        assert getattr(e, field).strip(), field
    assert e.task in TASKS
    assert e.pitfalls and e.differentiable_args
    assert set(e.differentiable_args) <= set(e.args)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in e.chinese), "Chinese name must contain Chinese"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", NAMES)
def test_signature_matches_the_contract(backend, name):
    e = lossbook.catalog[name]
    fn = getattr(module(backend), name)
    params = list(inspect.signature(fn).parameters.values())
    positional = [p.name for p in params if p.kind == p.POSITIONAL_OR_KEYWORD]
    keyword = {p.name: p.default for p in params if p.kind == p.KEYWORD_ONLY}
    assert positional == list(e.args)
    assert keyword == {**e.params, "reduction": "mean"}
    assert fn.__doc__ and "Examples" in fn.__doc__, "docstring with a doctested example"


@pytest.mark.parametrize("name", NAMES)
def test_numpy_has_a_gradient_with_the_same_signature(name):
    fn = getattr(module("numpy"), name)
    grad = getattr(module("numpy"), f"{name}_grad")
    assert list(inspect.signature(grad).parameters.values()) == list(
        inspect.signature(fn).parameters.values()
    )


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", NAMES)
def test_reductions_are_consistent(backend, name):
    args, kwargs = make_case(name, 1)
    none = to_numpy(call(backend, name, args, kwargs, "none"))
    total = to_numpy(call(backend, name, args, kwargs, "sum"))
    mean = to_numpy(call(backend, name, args, kwargs, "mean"))
    np.testing.assert_allclose(total, none.sum(), rtol=1e-5)
    if name in ("cross_entropy", "nll") and "weight" in kwargs:
        w = kwargs["weight"][np.asarray(args[0])]
        np.testing.assert_allclose(mean, none.sum() / w.sum(), rtol=1e-5)
    elif name == "ctc":  # PyTorch's convention: each loss over its target length, then the mean
        per = none / np.maximum(np.asarray(args[3]), 1)
        np.testing.assert_allclose(mean, per.mean(), rtol=1e-5)
    else:
        np.testing.assert_allclose(mean, none.mean(), rtol=1e-5)
    e = lossbook.catalog[name]
    pred = np.asarray(args[e.args.index(e.differentiable_args[0])])
    expected = {"": pred.shape, "last": pred.shape[:-1], "all_but_first": pred.shape[:1]}
    assert none.shape == expected[e.inputs.reduces]


# ---------------------------------------------------------------------------------------
# The bad-input table: every loss x every kind of bad input -> LossInputError naming the
# argument. Each row builds bad arguments from a valid case.
# ---------------------------------------------------------------------------------------


def _float_args(name, args):
    return [i for i, a in enumerate(args) if np.issubdtype(np.asarray(a).dtype, np.floating)]


def bad_reduction(name, args, kwargs):
    return args, kwargs, "bogus", ["reduction"]


def bad_shape(name, args, kwargs):
    e = lossbook.catalog[name]
    args = list(args)
    args[0] = np.asarray(args[0])[..., None]  # (N, ...) -> (N, ..., 1): never broadcast silently
    return args, kwargs, "mean", [e.args[0]]  # the message names the argument that is wrong


def bad_empty(name, args, kwargs):
    e = lossbook.catalog[name]
    # every argument empty: the first one in signature order is the one named
    return [np.asarray(a)[:0] for a in args], kwargs, "mean", [e.args[0]]


def _poison(value):
    def make(name, args, kwargs):
        e = lossbook.catalog[name]
        i = _float_args(name, args)[-1]
        args = [np.array(a, copy=True) for a in args]
        args[i] = args[i].astype(float)
        args[i].flat[0] = value
        return args, kwargs, "mean", [e.args[i]]

    return make


BAD_KINDS = {
    "reduction": bad_reduction,
    "shape": bad_shape,
    "empty": bad_empty,
    "nan": _poison(np.nan),
    "inf": _poison(np.inf),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("kind", list(BAD_KINDS))
@pytest.mark.parametrize("name", NAMES)
def test_bad_input_table(backend, kind, name):
    args, kwargs = make_case(name, 2)
    args, kwargs, reduction, expected_names = BAD_KINDS[kind](name, args, kwargs)
    with pytest.raises(LossInputError) as info:
        call(backend, name, args, kwargs, reduction)
    msg = str(info.value)
    assert msg.startswith(f"{name} expects ")
    assert any(re.search(rf"\b{arg}\b", msg) for arg in expected_names), msg


def _set(args, i, value):
    args = [np.array(a, copy=True) for a in args]
    args[i] = value(args[i])
    return args


def _first(v):
    def f(a):
        a = a.astype(float) if not np.issubdtype(a.dtype, np.integer) else a
        a.flat[0] = v
        return a

    return f


# (loss, argument index, how to break it, argument name, words the message must contain)
VALUE_ROWS = [
    ("binary_cross_entropy", 1, _first(1.5), "p", "[0, 1]"),
    ("binary_cross_entropy", 1, _first(-0.1), "p", "[0, 1]"),
    ("binary_cross_entropy", 0, _first(2.0), "y_true", "[0, 1]"),
    ("binary_cross_entropy_with_logits", 0, _first(1.5), "y_true", "[0, 1]"),
    ("focal", 0, _first(-1.0), "y_true", "[0, 1]"),
    ("kl_divergence", 0, _first(1.5), "p_true", "[0, 1]"),
    ("kl_divergence", 1, _first(-0.5), "q_pred", "[0, 1]"),
    ("dice", 1, _first(1.2), "p", "[0, 1]"),
    ("hinge", 0, lambda a: (a > 0).astype(float), "y_true", "2*y - 1"),
    ("squared_hinge", 0, lambda a: (a > 0).astype(float), "y_true", "2*y - 1"),
    ("margin_ranking", 0, _first(0.0), "y", "-1"),
    ("cosine_embedding", 0, _first(0.0), "y", "-1"),
    ("gaussian_nll", 2, _first(-1.0), "var", ">= 0"),
    # version 3: boxes, sequences (make_case: N = 6, T = 8, S = 3, C = 4, blank = 0)
    ("giou", 1, lambda a: a[:, [2, 1, 0, 3]], "boxes_pred", "x2 >= x1"),
    ("giou", 0, lambda a: a[:, [0, 3, 2, 1]], "boxes_true", "y2 >= y1"),
    ("giou", 1, lambda a: a[:, :3], "boxes_pred", "size 4"),
    ("giou", 0, lambda a: np.concatenate([a, a[:, :1]], axis=1), "boxes_true", "size 4"),
    ("ctc", 2, _first(9), "input_lengths", "between 1 and 8"),
    ("ctc", 2, _first(0), "input_lengths", "between 1 and 8"),
    ("ctc", 3, _first(4), "target_lengths", "between 0 and 3"),
    ("ctc", 3, _first(-1), "target_lengths", "between 0 and 3"),
    ("ctc", 0, _first(0), "targets", "blank = 0"),
    ("ctc", 0, _first(4), "targets", "between 0 and 3"),
    ("ctc", 0, _first(-2), "targets", "between 0 and 3"),
    ("ctc", 0, lambda a: a.astype(float), "targets", "integer labels"),
    ("ctc", 2, lambda a: a.astype(float), "input_lengths", "integer lengths"),
    ("ctc", 1, lambda a: a[:, :, 0], "log_probs", "(N, T, C)"),
    ("ctc", 2, lambda a: a[:-1], "input_lengths", "(N,)"),
    ("dpo", 2, lambda a: a[:-1], "ref_chosen_logps", "same shape"),
    ("distillation_kl", 1, lambda a: a[:, :-1], "student_logits", "same shape"),
    *[
        (n, 0, _first(4), "y_true", "between 0 and 3") for n in CLASS_INDEX_LOSSES
    ],  # C = 4 in cases.py
    *[(n, 0, _first(-1), "y_true", "between 0 and 3") for n in CLASS_INDEX_LOSSES],
    *[(n, 0, lambda a: a.astype(float), "y_true", "integer") for n in CLASS_INDEX_LOSSES],
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("row", VALUE_ROWS, ids=lambda r: f"{r[0]}-{r[3]}-{r[4]}")
def test_bad_values(backend, row):
    name, i, breaker, arg, words = row
    args, kwargs = make_case(name, 3)
    args = _set(args, i, breaker)
    with pytest.raises(LossInputError) as info:
        call(backend, name, args, kwargs)
    msg = str(info.value)
    assert arg in msg and words in msg and name in msg, msg


def test_cross_entropy_rejects_probability_rows_outside_unit_interval():
    rows = np.array([[0.5, 0.5, 0.0], [1.5, -0.5, 0.0]])
    for backend in BACKENDS:
        with pytest.raises(LossInputError, match="y_true"):
            call(backend, "cross_entropy", [rows, np.zeros((2, 3))], {})


def test_hinge_message_is_the_documented_one():
    with pytest.raises(LossInputError) as info:
        lossbook.numpy.hinge([0, 1, 1], [0.3, -2.0, 1.0])
    assert (
        str(info.value)
        == "hinge expects y_true in {-1, +1}; got values {0, 1}. Convert 0/1 labels with 2*y - 1."
    )


def test_loss_input_error_is_a_value_error():
    assert issubclass(LossInputError, ValueError)


@pytest.mark.parametrize("backend", BACKENDS)
def test_validation_can_be_switched_off_for_value_checks_only(backend):
    y, p = np.array([0.0, 1.0]), np.array([0.2, np.nan])
    with lossbook.validation(False):
        out = to_numpy(call(backend, "mse", [y, p], {}))
        assert np.isnan(out)
        with pytest.raises(LossInputError, match="reduction"):
            call(backend, "mse", [y, p], {}, "bogus")
    with pytest.raises(LossInputError, match="y_pred"):
        call(backend, "mse", [y, p], {})


# ---------------------------------------------------------------------------------------
# One message, one decision, in every backend: the same bad input gets the same message
# (the dtype is spelled as the user's framework prints it: "torch.float32" vs "float32"),
# and every backend accepts and refuses the same parameter values at each boundary of the
# catalog's declared rules.
# ---------------------------------------------------------------------------------------
def _outcome(backend, name, args, kwargs, reduction="mean"):
    try:
        call(backend, name, args, kwargs, reduction)
    except LossInputError as e:
        return str(e).replace("torch.", "")
    return "accepted"


def _bad_cases():
    for name in NAMES:
        for kind in BAD_KINDS:
            yield pytest.param(name, "kind", kind, id=f"{name}-{kind}")
    for row in VALUE_ROWS:
        yield pytest.param(row[0], "row", row, id=f"{row[0]}-{row[3]}-{row[4]}")


@pytest.mark.parametrize("name, how, what", list(_bad_cases()))
def test_every_backend_gives_the_same_message(name, how, what):
    if how == "kind":
        args, kwargs = make_case(name, 2)
        args, kwargs, reduction, _ = BAD_KINDS[what](name, args, kwargs)
    else:
        args, kwargs = make_case(name, 3)
        args, reduction = _set(args, what[1], what[2]), "mean"
    got = {b: _outcome(b, name, args, kwargs, reduction) for b in BACKENDS}
    assert got["numpy"] != "accepted"
    assert got["torch"] == got["numpy"] and got["tensorflow"] == got["numpy"], got


def _probe_values(rule):
    """Values at and around each boundary of a rule, plus the usual wrong types."""
    vals = [None, True, "1", float("nan"), float("inf"), -float("inf")]
    if rule.kind == "flag":
        return [*vals, False, 0, 1]
    if rule.kind == "weights":
        return [*vals, -1.0, 0.0, 2.0, 3]
    if rule.kind == "index":  # (the data's own bound, e.g. blank < C, is not the rule's)
        return [*vals, 0, -1, 1, 0.5, 2.0, np.int64(2)]
    for b in (rule.lo, rule.hi):
        if math.isfinite(b):
            vals += [b, b - 1e-3, b + 1e-3]
    return [*vals, 0.5, 1, -2.0, 2.0]


def _accepts(rule, value):
    """The oracle: what the declared rule says about a value."""
    if value is None:
        return rule.optional
    if isinstance(value, bool):
        return rule.kind == "flag"
    if rule.kind == "index":
        return isinstance(value, (int, np.integer)) and value >= rule.lo
    if rule.kind == "flag" or not isinstance(value, (int, float)) or not math.isfinite(value):
        return False
    if rule.kind == "weights":
        return rule.scalar and value >= 0
    lo_ok = rule.lo < value if rule.lo_open else rule.lo <= value
    hi_ok = value < rule.hi if rule.hi_open else value <= rule.hi
    return lo_ok and hi_ok


def _boundary_cases():
    for e in lossbook.catalog:
        for pname, rule in e.rules.items():
            for value in _probe_values(rule):
                yield pytest.param(e.name, pname, value, id=f"{e.name}-{pname}={value!r}")


@pytest.mark.parametrize("name, param, value", list(_boundary_cases()))
def test_every_backend_accepts_and_refuses_the_same_parameter_values(name, param, value):
    args, kwargs = make_case(name, 4)
    kwargs = {**kwargs, param: value}
    if name == "ctc" and param == "blank" and _accepts(lossbook.catalog[name].rules[param], value):
        targets = np.array(args[0], copy=True)  # the labels must avoid the new blank:
        targets[targets == value] = 0  # give its class the old blank's index (0)
        args = (targets, *args[1:])
    got = {b: _outcome(b, name, args, kwargs) for b in BACKENDS}
    assert got["torch"] == got["numpy"] and got["tensorflow"] == got["numpy"], got
    rule = lossbook.catalog[name].rules[param]
    accepted = got["numpy"] == "accepted"
    assert accepted == _accepts(rule, value), got["numpy"]
    if not accepted:
        assert re.search(rf"\b{param}\b", got["numpy"]), got["numpy"]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", NAMES)
def test_inputs_derived_from_the_catalog_are_accepted(backend, name):
    # what a new loss gets when it has no hand-made case in lossbook.examples
    args, kwargs = generic_case(name, np.random.default_rng(5))
    assert np.all(np.isfinite(to_numpy(call(backend, name, args, kwargs, "none"))))


@pytest.mark.parametrize("name", ["binary_cross_entropy_with_logits", "focal"])
def test_a_nan_input_is_reported_before_a_bad_label_in_every_backend(name):
    # torch checks logits through the result; the first error must still be the NaN
    args, kwargs = make_case(name, 0)
    y, z = np.array(args[0], copy=True), np.array(args[1], copy=True)
    y.flat[0], z.flat[1] = 1.5, np.nan
    got = {b: _outcome(b, name, [y, z], kwargs) for b in BACKENDS}
    assert "finite values in logits" in got["numpy"]
    assert got["torch"] == got["numpy"] == got["tensorflow"], got


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_catalog_entry_is_registered_in_every_backend(backend):
    frame = importlib.import_module(f"lossbook.{backend}._ops").frame
    assert sorted(frame.losses) == sorted(NAMES)
    for name, fn in frame.losses.items():
        assert getattr(module(backend), name) is fn
    if backend == "numpy":
        assert sorted(frame.gradients) == sorted(NAMES)
