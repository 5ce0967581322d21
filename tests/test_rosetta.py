"""The Rosetta stone agrees with the frameworks where it says so, and differs where it says so.

Parametrised from the catalog: every (loss, framework) pair with a built-in is checked on
several random inputs in float64; every documented difference is reproduced with numbers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import lossbook
from lossbook import rosetta
from lossbook.rosetta import ROSETTA, compare, edge_case, example

PAIRS = [
    (spec.name, fw)
    for spec in lossbook.catalog
    for fw in rosetta.FRAMEWORKS
    if ROSETTA[spec.name][fw] is not None
]
SEEDS = (0, 1, 2, 3)


def test_every_catalog_entry_has_a_row_and_the_paths_come_from_the_catalog():
    assert set(ROSETTA) == set(lossbook.catalog.names())
    for spec in lossbook.catalog:
        for fw, path in (("torch", spec.torch_builtin), ("keras", spec.keras_builtin)):
            b = ROSETTA[spec.name][fw]
            assert (b is None) == (path is None), (spec.name, fw)
            if b is not None:
                assert b.path == path
                assert b.agrees in (True, False, "conditions")
                assert b.conditions and b.argument_order and b.default_reduction


def test_table_has_one_row_per_loss_and_framework():
    table = rosetta.rosetta_table()
    assert len(table) == 2 * len(lossbook.catalog)
    assert {"loss", "framework", "built-in", "agrees", "conditions"} <= set(table.columns)


@pytest.mark.parametrize(("name", "framework"), PAIRS, ids=lambda x: str(x))
def test_builtin_agrees_on_example_inputs(name, framework):
    b = ROSETTA[name][framework]
    if not b.available():
        pytest.skip(f"{b.requires} not installed")
    assert b.agrees in (True, "conditions")  # no entry is documented as never agreeing
    for seed in SEEDS:
        args, kw = example(name, seed, framework)
        ours, theirs = compare(name, framework, args, kw)
        assert rosetta.close(ours, theirs, b.tol), (seed, ours, theirs)


@pytest.mark.parametrize(("name", "framework"), PAIRS, ids=lambda x: str(x))
def test_documented_differences_are_real(name, framework):
    b = ROSETTA[name][framework]
    edge = edge_case(name, framework)
    if b.agrees is True:
        assert edge is None
        return
    assert edge is not None, "a 'conditions' entry needs an input that shows the difference"
    args, kw = edge
    if not b.supports(kw):  # the built-in cannot express this lossbook parameter at all
        with pytest.raises(ValueError, match="cannot express"):
            compare(name, framework, args, kw)
        return
    ours, theirs = compare(name, framework, args, kw)
    assert not rosetta.close(ours, theirs, b.tol), (ours, theirs)


def test_bce_torch_clamps_the_log_at_minus_100_and_lossbook_clips_p():
    ours, theirs = compare("binary_cross_entropy", "torch", (np.array([1.0]), np.array([0.0])))
    assert theirs == pytest.approx(100.0)
    assert ours == pytest.approx(-math.log(1e-7))  # 16.118
    _, keras_value = compare("binary_cross_entropy", "keras", (np.array([1.0]), np.array([0.0])))
    assert keras_value == pytest.approx(ours)


def test_keras_categorical_hinge_differs_when_every_wrong_score_is_negative():
    y, s = np.eye(3)[[0]], np.array([[0.5, -0.2, -1.0]])
    ours, theirs = compare("categorical_hinge", "keras", (y, s))
    assert ours == pytest.approx(1 + -0.2 - 0.5)  # Crammer-Singer: 1 + max_wrong - s_y = 0.3
    assert theirs == pytest.approx(1 + 0.0 - 0.5)  # Keras: max(0, max_wrong) = 0 -> 0.5


def test_keras_hinge_converts_01_labels_where_lossbook_raises():
    import keras

    s = np.array([[0.3], [-2.0], [0.8]])
    y01 = np.array([[1.0], [0.0], [1.0]])
    keras_value = float(keras.losses.Hinge(dtype="float64")(y01, s))
    assert keras_value == pytest.approx(float(lossbook.numpy.hinge(2 * y01 - 1, s)))
    with pytest.raises(lossbook.LossInputError, match="2\\*y - 1"):
        lossbook.numpy.hinge(y01, s)


def test_smooth_l1_is_huber_over_beta_not_huber():
    args, _ = example("huber", 0)
    beta = 0.5
    smooth = float(lossbook.numpy.smooth_l1(*args, beta=beta))
    huber = float(lossbook.numpy.huber(*args, delta=beta))
    assert smooth == pytest.approx(huber / beta)
    _, torch_smooth = compare("smooth_l1", "torch", args, {"beta": beta})
    assert torch_smooth == pytest.approx(smooth)


def test_torch_kl_div_mean_divides_by_n_times_c_batchmean_by_n():
    import torch
    import torch.nn.functional as F

    p, q = example("kl_divergence", 0)[0]
    ours = float(lossbook.numpy.kl_divergence(p, q))
    logq, tp = torch.as_tensor(np.log(q)), torch.as_tensor(p)
    assert F.kl_div(logq, tp, reduction="batchmean").item() == pytest.approx(ours)
    with pytest.warns(UserWarning, match="batchmean"):
        plain_mean = F.kl_div(logq, tp, reduction="mean").item()
    assert plain_mean == pytest.approx(ours / p.shape[-1])


def test_class_axis_is_moved_for_torch_on_3d_inputs():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 5, size=(3, 7))
    z = rng.normal(size=(3, 7, 5))
    for name in ("cross_entropy", "nll"):
        x = z if name == "cross_entropy" else z - np.log(np.exp(z).sum(-1, keepdims=True))
        ours, theirs = compare(name, "torch", (y, x), {"weight": np.linspace(0.5, 2.0, 5)})
        assert theirs == pytest.approx(ours, rel=1e-12)


def test_compare_refuses_parameters_the_builtin_cannot_express():
    args, kw = example("binary_cross_entropy_with_logits", 0)
    with pytest.raises(ValueError, match="cannot express"):
        compare("binary_cross_entropy_with_logits", "keras", args, kw)
    with pytest.raises(KeyError):
        compare("quantile", "torch", *example("quantile", 0))


def test_keras_computes_pytorchs_class_weighted_mean():
    """The fact behind the cross_entropy / keras row, checked against the installed Keras."""
    pytest.importorskip("tensorflow")
    keras = pytest.importorskip("keras")
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    rng = np.random.default_rng(0)
    y = np.array([0, 0, 0, 1, 2, 2])
    z = rng.normal(scale=2.0, size=(6, 3))
    w = np.array([1.0, 5.0, 2.0])
    torch_mean = F.cross_entropy(torch.tensor(z), torch.tensor(y), weight=torch.tensor(w)).item()
    sparse = keras.losses.SparseCategoricalCrossentropy(
        from_logits=True, reduction="mean_with_sample_weight", dtype="float64"
    )
    assert float(sparse(y, z, sample_weight=w[y])) == pytest.approx(torch_mean, rel=1e-12)
    # the default reduction divides by N instead
    plain = keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64")
    assert float(plain(y, z, sample_weight=w[y])) == pytest.approx(
        torch_mean * w[y].sum() / len(y), rel=1e-12
    )
    # CategoricalFocalCrossentropy takes one alpha per class: gamma = 0 is weighted CE, and
    # with label smoothing it is PyTorch's weight + label_smoothing once divided by sum w[y]
    focal = keras.losses.CategoricalFocalCrossentropy(
        alpha=w.tolist(),
        gamma=0.0,
        from_logits=True,
        label_smoothing=0.1,
        reduction="sum",
        dtype="float64",
    )
    torch_smooth = F.cross_entropy(
        torch.tensor(z), torch.tensor(y), weight=torch.tensor(w), label_smoothing=0.1
    ).item()
    assert float(focal(np.eye(3)[y], z)) / w[y].sum() == pytest.approx(torch_smooth, rel=1e-12)
    # and the Rosetta record says so: weight is not a parameter Keras "cannot express"
    b = ROSETTA["cross_entropy"]["keras"]
    assert b.supports({"weight": w, "label_smoothing": 0.1})
    assert "mean_with_sample_weight" in b.how and "alpha" in b.conditions
    for kw in ({"weight": w}, {"weight": w, "label_smoothing": 0.1}):
        ours, theirs = compare("cross_entropy", "keras", (y, z), kw)
        assert theirs == pytest.approx(ours, rel=1e-12)


def test_keras_bce_of_a_sigmoid_layer_is_not_clipped():
    """Keras clips probability arrays, but scores a sigmoid layer's output from its logits."""
    pytest.importorskip("tensorflow")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "tensorflow":
        pytest.skip("the cached-logits path is the TensorFlow backend's")
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, activation="sigmoid")])
    model.layers[0].set_weights([np.array([[1.0]]), np.array([0.0])])
    model.compile(loss=keras.losses.BinaryCrossentropy())
    x, y = np.array([[-50.0]]), np.array([[1.0]])
    assert model.evaluate(x, y, verbose=0) == pytest.approx(50.0, rel=1e-6)
    p = model.predict(x, verbose=0)
    assert float(keras.losses.BinaryCrossentropy()(y, p)) == pytest.approx(
        -math.log(1e-7), rel=1e-6
    )
    assert "cached logits" in ROSETTA["binary_cross_entropy"]["keras"].eps
