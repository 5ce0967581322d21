"""Tests of the NumPy multiclass, embedding and segmentation losses and their gradients.

Every value is compared with an *independent* reference written here (closed forms,
SciPy, scikit-learn, torch.nn.functional, keras.losses); every analytic gradient with
central finite differences and with torch.autograd on formulas written in torch here.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special
import scipy.stats
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import lossbook
import lossbook.numpy as lnp
from lossbook import LossInputError, catalog
from lossbook.examples import make_case

FAMILIES = ("multiclass", "embedding", "segmentation")
NAMES = [e.name for e in catalog if e.family in FAMILIES]
REDUCTIONS = ("mean", "sum", "none")
FAMILY = {e.name: e.family for e in catalog}


def _tt(x, dtype=torch.float64):
    return torch.tensor(np.asarray(x), dtype=dtype)


def _reduce_t(loss, reduction):
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


# =======================================================================================
# catalog and module surface
# =======================================================================================
def test_catalog_entries_and_signatures():
    import inspect

    from lossbook.catalog import NONE_SHAPES, TASKS

    ours = [e for e in catalog if e.name in NAMES]
    assert [e.name for e in ours] == NAMES
    for e in ours:
        assert e.family == FAMILY[e.name]
        assert e.task in TASKS
        assert e.none_shape in NONE_SHAPES
        assert e.formula and e.gradient and e.when_to_use and e.pitfalls
        assert set(e.differentiable_args) <= set(e.args)
        fn = getattr(lnp, e.name)
        sig = inspect.signature(fn)
        pos = [p.name for p in sig.parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD]
        kw = {p.name: p.default for p in sig.parameters.values() if p.kind is p.KEYWORD_ONLY}
        assert tuple(pos) == e.args
        assert list(kw) == [*e.params, "reduction"]
        assert kw["reduction"] == "mean"
        assert {k: kw[k] for k in e.params} == e.params
        assert inspect.signature(getattr(lnp, e.name + "_grad")).parameters.keys() == (
            sig.parameters.keys()
        )
    assert catalog["cross_entropy"].params == {"label_smoothing": 0.0, "weight": None}
    assert catalog["info_nce"].params == {"temperature": 0.1}
    assert catalog["margin_ranking"].params == {"margin": 0.0}
    assert catalog["dice"].params == {"smooth": 1.0}


@pytest.mark.parametrize("name", NAMES)
def test_none_shape_matches_catalog(name):
    args, kw = make_case(name, 1)
    out = getattr(lnp, name)(*args, **kw, reduction="none")
    spec = catalog[name]
    pred = np.asarray(args[spec.args.index(spec.differentiable_args[0])])
    expected = {"": pred.shape, "last": pred.shape[:-1], "all_but_first": pred.shape[:1]}
    assert out.shape == expected[spec.inputs.reduces]
    for r in ("mean", "sum"):
        assert np.ndim(getattr(lnp, name)(*args, **kw, reduction=r)) == 0


# =======================================================================================
# (a) values against independent references
# =======================================================================================
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_vs_torch_weight_and_label_smoothing(reduction):
    (y, z), kw = make_case("cross_entropy", 0)
    ours = lnp.cross_entropy(y, z, **kw, reduction=reduction)
    ref = F.cross_entropy(
        _tt(z),
        _tt(y, torch.long),
        weight=_tt(kw["weight"]),
        label_smoothing=kw["label_smoothing"],
        reduction=reduction,
    )
    np.testing.assert_allclose(ours, ref.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_probability_rows_vs_torch(reduction):
    rng = np.random.default_rng(3)
    z = rng.normal(size=(5, 4))
    y = scipy.special.softmax(rng.normal(size=(5, 4)), axis=-1)
    w = rng.uniform(0.5, 2.0, size=4)
    ours = lnp.cross_entropy(y, z, label_smoothing=0.2, weight=w, reduction=reduction)
    # torch accepts probabilities as targets; mean is then a plain mean over samples
    ref = F.cross_entropy(_tt(z), _tt(y), weight=_tt(w), label_smoothing=0.2, reduction=reduction)
    np.testing.assert_allclose(ours, ref.numpy(), rtol=1e-12)


def test_cross_entropy_class_axis_last_vs_torch_dim1():
    rng = np.random.default_rng(4)
    z = rng.normal(size=(2, 3, 5, 4))  # (N, H, W, C) in lossbook
    y = rng.integers(0, 4, size=(2, 3, 5))
    ours = lnp.cross_entropy(y, z, reduction="none")
    # torch wants (N, C, H, W): move the class axis to dim 1
    ref = F.cross_entropy(_tt(z).movedim(-1, 1), _tt(y, torch.long), reduction="none")
    np.testing.assert_allclose(ours, ref.numpy(), rtol=1e-12)


def test_cross_entropy_closed_form_scipy_and_sklearn():
    from sklearn.metrics import log_loss

    (y, z), _ = make_case("cross_entropy", 5)
    logp = scipy.special.log_softmax(z, axis=-1)
    np.testing.assert_allclose(
        lnp.cross_entropy(y, z, reduction="none"), -logp[np.arange(len(y)), y], rtol=1e-12
    )
    C = z.shape[-1]
    np.testing.assert_allclose(
        lnp.cross_entropy(y, z), log_loss(y, np.exp(logp), labels=np.arange(C)), rtol=1e-9
    )
    # label smoothing written out: (1 - eps) * CE + eps * mean_c(-log p_c)
    eps = 0.3
    expect = (1 - eps) * -logp[np.arange(len(y)), y] + eps * -logp.mean(-1)
    np.testing.assert_allclose(
        lnp.cross_entropy(y, z, label_smoothing=eps, reduction="none"), expect, rtol=1e-12
    )
    # probability rows with smoothing: t = (1 - eps) y + eps / C
    rows = np.eye(C)[y] * 0.7 + 0.3 / C
    np.testing.assert_allclose(
        lnp.cross_entropy(rows, z, label_smoothing=eps, reduction="none"),
        -(((1 - eps) * rows + eps / C) * logp).sum(-1),
        rtol=1e-12,
    )


def test_cross_entropy_weighted_mean_rule():
    (y, z), kw = make_case("cross_entropy", 6)
    w = kw["weight"]
    none = lnp.cross_entropy(y, z, **kw, reduction="none")
    unweighted = lnp.cross_entropy(y, z, label_smoothing=0.1, reduction="none")
    logp = scipy.special.log_softmax(z, axis=-1)
    C = z.shape[-1]
    t = 0.9 * np.eye(C)[y] + 0.1 / C
    np.testing.assert_allclose(none, -(t * w * logp).sum(-1), rtol=1e-12)
    assert not np.allclose(none, unweighted)
    np.testing.assert_allclose(lnp.cross_entropy(y, z, **kw), none.sum() / w[y].sum(), rtol=1e-12)
    assert not np.isclose(lnp.cross_entropy(y, z, **kw), none.mean())
    np.testing.assert_allclose(lnp.cross_entropy(y, z, **kw, reduction="sum"), none.sum())
    # with probability rows the mean is the plain mean
    rows = np.eye(C)[y].astype(float)
    np.testing.assert_allclose(
        lnp.cross_entropy(rows, z, weight=w),
        lnp.cross_entropy(rows, z, weight=w, reduction="none").mean(),
    )


def test_cross_entropy_vs_keras():
    keras = pytest.importorskip("keras")
    (y, z), _ = make_case("cross_entropy", 7)
    C = z.shape[-1]
    ref = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, z.astype("float32"))
    np.testing.assert_allclose(lnp.cross_entropy(y, z), float(ref), rtol=1e-5)
    # Keras smooths one-hot rows the same way: (1 - eps) y + eps / C
    rows = np.eye(C)[y]
    ref = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)(
        rows.astype("float32"), z.astype("float32")
    )
    np.testing.assert_allclose(
        lnp.cross_entropy(rows, z, label_smoothing=0.1), float(ref), rtol=1e-5
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_vs_torch(reduction, weighted):
    (y, logp), kw = make_case("nll", 0)
    if not weighted:
        kw = {}
    ours = lnp.nll(y, logp, **kw, reduction=reduction)
    w = _tt(kw["weight"]) if weighted else None
    ref = F.nll_loss(_tt(logp), _tt(y, torch.long), weight=w, reduction=reduction)
    np.testing.assert_allclose(ours, ref.numpy(), rtol=1e-12)


def test_nll_of_log_softmax_is_cross_entropy_closed_form():
    (y, z), _ = make_case("cross_entropy", 8)
    logp = scipy.special.log_softmax(z, axis=-1)
    np.testing.assert_allclose(
        lnp.nll(y, logp, reduction="none"), -logp[np.arange(len(y)), y], rtol=1e-12
    )


def _crammer_singer_loop(y, s):
    out = []
    for row_y, row_s in zip(y, s, strict=True):
        k = int(np.argmax(row_y))
        worst = max(row_s[j] for j in range(len(row_s)) if j != k)
        out.append(max(0.0, 1.0 + worst - row_s[k]))
    return np.array(out)


def test_categorical_hinge_closed_form_and_keras():
    keras = pytest.importorskip("keras")
    (y, s), _ = make_case("categorical_hinge", 0)
    np.testing.assert_allclose(
        lnp.categorical_hinge(y, s, reduction="none"), _crammer_singer_loop(y, s), rtol=1e-12
    )
    # Keras computes max(0, max((1 - y) * s) - sum(y * s) + 1): the same whenever some
    # wrong-class score is >= 0 ...
    y2 = np.array([[0, 1, 0], [1, 0, 0]], float)
    s2 = np.array([[0.3, 0.5, -0.2], [0.1, 0.4, -2.0]])
    ref = keras.losses.CategoricalHinge(reduction=None)(y2, s2)
    np.testing.assert_allclose(lnp.categorical_hinge(y2, s2, reduction="none"), ref, rtol=1e-6)
    # ... and different when every wrong-class score is negative (Keras's max sees a 0)
    y3 = np.array([[0.0, 1.0, 0.0]])
    s3 = np.array([[-0.8, 0.5, -0.6]])
    keras_val = float(keras.losses.CategoricalHinge()(y3, s3))
    np.testing.assert_allclose(keras_val, 0.5, rtol=1e-6)  # max(0, 0 - 0.5 + 1)
    np.testing.assert_allclose(lnp.categorical_hinge(y3, s3), 0.0 + max(0, 1 - 0.6 - 0.5))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [1.0, 0.3])
def test_multi_margin_vs_torch(reduction, margin):
    (y, s), _ = make_case("multi_margin", 0)
    ours = lnp.multi_margin(y, s, margin=margin, reduction=reduction)
    ref = F.multi_margin_loss(_tt(s), _tt(y, torch.long), p=1, margin=margin, reduction=reduction)
    np.testing.assert_allclose(ours, ref.numpy(), rtol=1e-12)


def test_multi_margin_closed_form():
    y = np.array([2])
    s = np.array([[0.5, 1.8, 2.0, -1.0]])
    # j=0: 1 - 2 + 0.5 = -0.5 -> 0; j=1: 1 - 2 + 1.8 = 0.8; j=3: 1 - 2 - 1 < 0
    np.testing.assert_allclose(lnp.multi_margin(y, s), 0.8 / 4)


def test_softmax_focal_closed_form_torch_and_keras():
    keras = pytest.importorskip("keras")
    (y, z), kw = make_case("softmax_focal", 0)
    p = scipy.special.softmax(z, axis=-1)[np.arange(len(y)), y]
    for g in (0.0, 0.5, 2.0):
        np.testing.assert_allclose(
            lnp.softmax_focal(y, z, gamma=g, reduction="none"),
            -((1 - p) ** g) * np.log(p),
            rtol=1e-10,
        )
    # gamma = 0 is cross-entropy
    ref = F.cross_entropy(_tt(z), _tt(y, torch.long))
    np.testing.assert_allclose(lnp.softmax_focal(y, z, gamma=0.0), ref.numpy(), rtol=1e-12)
    # Keras with alpha=1 and one-hot rows (it clips probabilities to [1e-7, 1 - 1e-7])
    onehot = np.eye(z.shape[-1])[y].astype("float32")
    ref = keras.losses.CategoricalFocalCrossentropy(alpha=1.0, gamma=2.0, from_logits=True)(
        onehot, z.astype("float32")
    )
    np.testing.assert_allclose(lnp.softmax_focal(y, z, **kw), float(ref), rtol=1e-4)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_kl_vs_scipy_and_torch(reduction):
    (p, q), _ = make_case("kl_divergence", 0)
    ours = lnp.kl_divergence(p, q, reduction=reduction)
    rows = scipy.stats.entropy(p, q, axis=-1)
    expect = {"none": rows, "sum": rows.sum(), "mean": rows.mean()}[reduction]
    np.testing.assert_allclose(ours, expect, rtol=1e-12)
    # torch's kl_div takes log q as input; 'batchmean' matches lossbook's mean
    t_red = {"mean": "batchmean", "sum": "sum", "none": "none"}[reduction]
    ref = F.kl_div(_tt(np.log(q)), _tt(p), reduction=t_red)
    if reduction == "none":
        ref = ref.sum(-1)  # torch returns elementwise terms
    np.testing.assert_allclose(ours, ref.numpy(), rtol=1e-12)


def test_kl_zeros_in_p_true_and_keras_difference():
    keras = pytest.importorskip("keras")
    p = np.array([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0]])
    q = np.array([[0.2, 0.3, 0.5], [0.6, 0.2, 0.2]])
    ours = lnp.kl_divergence(p, q, reduction="none")
    np.testing.assert_allclose(ours, scipy.special.rel_entr(p, q).sum(-1), rtol=1e-12)
    assert np.isfinite(lnp.kl_divergence_grad(p, q)).all()
    # Keras clips p to [1e-7, 1]: it adds 1e-7 * log(1e-7 / q) for each zero of p
    keras_val = keras.losses.KLDivergence(reduction=None)(p, q)
    extra = (np.where(p == 0, 1e-7 * np.log(1e-7 / q), 0)).sum(-1)
    np.testing.assert_allclose(keras_val, ours + extra, rtol=1e-5)
    # without zeros the two agree
    (p2, q2), _ = make_case("kl_divergence", 1)
    np.testing.assert_allclose(
        lnp.kl_divergence(p2, q2), float(keras.losses.KLDivergence()(p2, q2)), rtol=1e-5
    )


def test_kl_clips_q():
    p = np.array([[0.5, 0.5]])
    q = np.array([[1.0, 0.0]])
    expect = 0.5 * np.log(0.5) + 0.5 * np.log(0.5 / 1e-7)
    np.testing.assert_allclose(lnp.kl_divergence(p, q), expect, rtol=1e-12)
    g = lnp.kl_divergence_grad(p, q)
    np.testing.assert_allclose(g, [[-0.5, 0.0]])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_vs_torch(reduction):
    (y, s1, s2), kw = make_case("margin_ranking", 0)
    ours = lnp.margin_ranking(y, s1, s2, **kw, reduction=reduction)
    ref = F.margin_ranking_loss(_tt(s1), _tt(s2), _tt(y), margin=kw["margin"], reduction=reduction)
    np.testing.assert_allclose(ours, ref.numpy(), rtol=1e-12)


def test_contrastive_closed_form():
    (y, d), kw = make_case("contrastive", 0)
    m = kw["margin"]
    expect = [di**2 if yi == 1 else max(0.0, m - di) ** 2 for yi, di in zip(y, d, strict=True)]
    np.testing.assert_allclose(lnp.contrastive(y, d, reduction="none"), expect, rtol=1e-12)
    np.testing.assert_allclose(
        lnp.contrastive([0, 1], [0.25, 2.0], margin=0.5, reduction="sum"), 4.0625
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_triplet_vs_torch_and_closed_form(reduction):
    (a, p, n), kw = make_case("triplet", 0)
    ours = lnp.triplet(a, p, n, **kw, reduction=reduction)
    # torch adds eps=1e-6 to the difference: agreement to ~1e-6 only
    ref = F.triplet_margin_loss(_tt(a), _tt(p), _tt(n), margin=kw["margin"], reduction=reduction)
    np.testing.assert_allclose(ours, ref.numpy(), atol=2e-5)
    rows = np.maximum(
        np.linalg.norm(a - p, axis=-1) - np.linalg.norm(a - n, axis=-1) + kw["margin"], 0
    )
    expect = {"none": rows, "sum": rows.sum(), "mean": rows.mean()}[reduction]
    np.testing.assert_allclose(ours, expect, rtol=1e-12)


def test_triplet_zero_distance_finite_gradient():
    a = np.array([[1.0, 2.0]])
    ga, gp, gn = lnp.triplet_grad(a, a.copy(), np.array([[1.5, 2.0]]))
    assert all(np.isfinite(g).all() for g in (ga, gp, gn))
    np.testing.assert_allclose(gp, 0.0)
    # the floor 1e-12 on the squared norm makes a zero distance count as 1e-6
    np.testing.assert_allclose(lnp.triplet(a, a.copy(), np.array([[1.5, 2.0]])), 0.5 + 1e-6)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cosine_embedding_vs_torch(reduction):
    (y, x1, x2), kw = make_case("cosine_embedding", 0)
    ours = lnp.cosine_embedding(y, x1, x2, **kw, reduction=reduction)
    ref = F.cosine_embedding_loss(
        _tt(x1), _tt(x2), _tt(y), margin=kw["margin"], reduction=reduction
    )
    np.testing.assert_allclose(ours, ref.numpy(), rtol=1e-12)
    cos = (x1 * x2).sum(-1) / np.linalg.norm(x1, axis=-1) / np.linalg.norm(x2, axis=-1)
    rows = np.where(y == 1, 1 - cos, np.maximum(cos - kw["margin"], 0))
    expect = {"none": rows, "sum": rows.sum(), "mean": rows.mean()}[reduction]
    np.testing.assert_allclose(ours, expect, rtol=1e-10)


def test_cosine_embedding_zero_vector_finite():
    out = lnp.cosine_embedding([1.0], [[0.0, 0.0]], [[1.0, 2.0]])
    np.testing.assert_allclose(out, 1.0)
    assert all(
        np.isfinite(g).all() for g in lnp.cosine_embedding_grad([1.0], [[0.0, 0.0]], [[1.0, 2.0]])
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_info_nce_vs_closed_form_and_torch(reduction):
    (q, k), kw = make_case("info_nce", 0)
    tau = kw["temperature"]
    ours = lnp.info_nce(q, k, **kw, reduction=reduction)
    qh = q / np.linalg.norm(q, axis=-1, keepdims=True)
    kh = k / np.linalg.norm(k, axis=-1, keepdims=True)
    rows = -np.diag(scipy.special.log_softmax(qh @ kh.T / tau, axis=-1))
    expect = {"none": rows, "sum": rows.sum(), "mean": rows.mean()}[reduction]
    np.testing.assert_allclose(ours, expect, rtol=1e-12)
    logits = F.normalize(_tt(q), dim=-1) @ F.normalize(_tt(k), dim=-1).T / tau
    ref = F.cross_entropy(logits, torch.arange(len(q)), reduction=reduction)
    np.testing.assert_allclose(ours, ref.numpy(), rtol=1e-12)


def test_info_nce_single_pair_is_zero():
    np.testing.assert_allclose(lnp.info_nce([[1.0, 2.0]], [[-3.0, 1.0]]), 0.0, atol=1e-15)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_dice_closed_form(reduction):
    (y, p), kw = make_case("dice", 0)
    s = kw["smooth"]
    rows = np.array(
        [
            1 - (2 * (yi * pi).sum() + s) / (yi.sum() + pi.sum() + s)
            for yi, pi in zip(y, p, strict=True)
        ]
    )
    expect = {"none": rows, "sum": rows.sum(), "mean": rows.mean()}[reduction]
    np.testing.assert_allclose(lnp.dice(y, p, **kw, reduction=reduction), expect, rtol=1e-12)


def test_dice_vs_keras_per_sample():
    keras = pytest.importorskip("keras")
    (y, p), _ = make_case("dice", 1)
    # keras.losses.dice: 1 - 2 sum(yp) / (sum y + sum p + 1e-7); axis=(1, 2) -> per sample
    ref = keras.losses.dice(y, p, axis=(1, 2))
    np.testing.assert_allclose(lnp.dice(y, p, smooth=0.0, reduction="none"), ref, rtol=1e-5)


# =======================================================================================
# (b) gradients: finite differences and torch.autograd
# =======================================================================================
def _as_tuple(g):
    return g if isinstance(g, tuple) else (g,)


def _fd(f, args, i, kw, h=1e-6):
    x = np.array(args[i], dtype=np.float64)
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xs = []
        for sgn in (1, -1):
            xx = x.copy()
            xx[idx] += sgn * h
            a = list(args)
            a[i] = xx
            xs.append(float(np.sum(f(*a, **kw))))
        g[idx] = (xs[0] - xs[1]) / (2 * h)
    return g


def _grad_cases():
    out = []
    for name in NAMES:
        out.append((name, 0, None))
    # extra variants
    out.append(("cross_entropy", "rows", None))
    out.append(("cross_entropy", "plain", None))
    out.append(("softmax_focal", 1, {"gamma": 0.5}))
    out.append(("softmax_focal", 2, {"gamma": 0.0}))
    out.append(("nll", "plain", None))
    return out


def _case(name, seed, override):
    if seed == "rows":
        (y, z), kw = make_case(name, 0)
        rng = np.random.default_rng(11)
        y = scipy.special.softmax(rng.normal(size=z.shape), axis=-1)
        return (y, z), kw
    if seed == "plain":
        args, _ = make_case(name, 1)
        return args, {}
    args, kw = make_case(name, seed)
    if override:
        kw = {**kw, **override}
    return args, kw


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,seed,override", _grad_cases())
def test_grad_vs_finite_differences(name, seed, override, reduction):
    args, kw = _case(name, seed, override)
    spec = catalog[name]
    f = getattr(lnp, name)
    grads = _as_tuple(getattr(lnp, name + "_grad")(*args, **kw, reduction=reduction))
    assert len(grads) == len(spec.differentiable_args)
    for g, arg in zip(grads, spec.differentiable_args, strict=True):
        i = spec.args.index(arg)
        assert g.shape == np.shape(args[i])
        fd = _fd(lambda *a, **k: f(*a, **k, reduction=reduction), args, i, kw)
        np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-7, err_msg=f"{name} d/d{arg}")


def _torch_loss(name, t, kw, reduction):
    """Independent torch formulas; ``t`` maps argument names to tensors."""
    if name == "cross_entropy":
        w = None if kw.get("weight") is None else _tt(kw["weight"])
        return F.cross_entropy(
            t["logits"], t["y_true"], weight=w,
            label_smoothing=kw.get("label_smoothing", 0.0), reduction=reduction,
        )  # fmt: skip
    if name == "nll":
        w = None if kw.get("weight") is None else _tt(kw["weight"])
        return F.nll_loss(t["log_probs"], t["y_true"], weight=w, reduction=reduction)
    if name == "categorical_hinge":
        s, y = t["scores"], t["y_true"]
        pos = (y * s).sum(-1)
        neg = s.masked_fill(y.bool(), float("-inf")).amax(-1)
        return _reduce_t(torch.relu(1 + neg - pos), reduction)
    if name == "multi_margin":
        return F.multi_margin_loss(
            t["scores"], t["y_true"], margin=kw["margin"], reduction=reduction
        )
    if name == "softmax_focal":
        logp = torch.log_softmax(t["logits"], -1).gather(-1, t["y_true"][:, None])[:, 0]
        return _reduce_t(-((1 - logp.exp()) ** kw["gamma"]) * logp, reduction)
    if name == "kl_divergence":
        p, q = t["p_true"], t["q_pred"]
        rows = (torch.special.xlogy(p, p) - p * torch.log(q.clamp_min(1e-7))).sum(-1)
        return _reduce_t(rows, reduction)
    if name == "margin_ranking":
        return F.margin_ranking_loss(
            t["s1"], t["s2"], t["y"], margin=kw["margin"], reduction=reduction
        )
    if name == "contrastive":
        y, d = t["y_similar"], t["distance"]
        return _reduce_t(y * d**2 + (1 - y) * torch.relu(kw["margin"] - d) ** 2, reduction)
    if name == "triplet":

        def dist(u):
            return torch.sqrt((u * u).sum(-1).clamp_min(1e-12))

        a, p, n = t["anchor"], t["positive"], t["negative"]
        return _reduce_t(torch.relu(dist(a - p) - dist(a - n) + kw["margin"]), reduction)
    if name == "cosine_embedding":
        return F.cosine_embedding_loss(
            t["x1"], t["x2"], t["y"], margin=kw["margin"], reduction=reduction
        )
    if name == "info_nce":
        q = F.normalize(t["queries"], dim=-1)
        k = F.normalize(t["keys"], dim=-1)
        return F.cross_entropy(
            q @ k.T / kw["temperature"], torch.arange(len(q)), reduction=reduction
        )
    if name == "dice":
        y, p = t["y_true"], t["p"]
        dims = tuple(range(1, p.ndim))
        s = kw["smooth"]
        return _reduce_t(
            1 - (2 * (y * p).sum(dims) + s) / (y.sum(dims) + p.sum(dims) + s), reduction
        )
    pytest.skip(f"no torch formula for {name} in this file: its own reference test covers it")


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,seed,override", _grad_cases())
def test_grad_vs_torch_autograd(name, seed, override, reduction):
    args, kw = _case(name, seed, override)
    spec = catalog[name]
    t = {}
    for arg_name, a in zip(spec.args, args, strict=True):
        a = np.asarray(a)
        if np.issubdtype(a.dtype, np.integer):
            t[arg_name] = _tt(a, torch.long)
        else:
            t[arg_name] = _tt(a).requires_grad_(arg_name in spec.differentiable_args)
    full = {**spec.params, **kw}
    loss = _torch_loss(name, t, full, reduction)
    ours_val = getattr(lnp, name)(*args, **kw, reduction=reduction)
    np.testing.assert_allclose(ours_val, loss.detach().numpy(), rtol=1e-10, atol=1e-12)
    loss.sum().backward()
    grads = _as_tuple(getattr(lnp, name + "_grad")(*args, **kw, reduction=reduction))
    for g, arg in zip(grads, spec.differentiable_args, strict=True):
        np.testing.assert_allclose(g, t[arg].grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=arg)


def test_grad_at_kinks_is_zero():
    # max(0, u) at u = 0 has gradient 0 (PyTorch's relu convention)
    g1, g2 = lnp.margin_ranking_grad([1.0], [0.5], [0.5], margin=0.0)
    assert g1[0] == 0 and g2[0] == 0
    g = lnp.categorical_hinge_grad([[1.0, 0.0]], [[1.0, 0.0]])
    np.testing.assert_array_equal(g, 0.0)
    g = lnp.multi_margin_grad([0], [[1.0, 0.0]])
    np.testing.assert_array_equal(g, 0.0)


# =======================================================================================
# (c) properties (hypothesis)
# =======================================================================================
_floats = st.floats(-30, 30, allow_nan=False)


@st.composite
def _class_inputs(draw):
    n = draw(st.integers(1, 5))
    c = draw(st.integers(2, 5))
    z = draw(hnp.arrays(np.float64, (n, c), elements=_floats))
    y = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    return y, z


@settings(max_examples=60, deadline=None)
@given(_class_inputs(), st.floats(0, 1), st.floats(0, 3))
def test_class_losses_nonnegative_and_reductions(inp, eps, gamma):
    y, z = inp
    C = z.shape[-1]
    w = np.linspace(0.5, 2.0, C)
    probs = scipy.special.softmax(z, axis=-1)
    soft = scipy.special.softmax(z / 10, axis=-1)
    calls = [
        (lnp.cross_entropy, (y, z), {"label_smoothing": eps}),
        (lnp.cross_entropy, (probs, z), {"weight": w}),
        (lnp.nll, (y, np.log(probs + 1e-300)), {}),
        (lnp.categorical_hinge, (np.eye(C)[y], z), {}),
        (lnp.multi_margin, (y, z), {"margin": 0.7}),
        (lnp.softmax_focal, (y, z), {"gamma": gamma}),
        # logits / 10 keeps every probability above the 1e-7 clip of q (see the test below)
        (lnp.kl_divergence, (soft, scipy.special.softmax(z[::-1] / 10, axis=-1)), {}),
    ]
    for f, args, kw in calls:
        none = f(*args, **kw, reduction="none")
        assert np.all(none >= -1e-12), f.__name__
        np.testing.assert_allclose(
            f(*args, **kw, reduction="sum"), none.sum(), rtol=1e-10, atol=1e-12
        )
        np.testing.assert_allclose(
            f(*args, **kw, reduction="mean"), none.mean(), rtol=1e-10, atol=1e-12
        )
    # the weighted rule for integer targets
    for f, args in ((lnp.cross_entropy, (y, z)), (lnp.nll, (y, np.log(probs + 1e-300)))):
        none = f(*args, weight=w, reduction="none")
        np.testing.assert_allclose(
            f(*args, weight=w), none.sum() / w[y].sum(), rtol=1e-10, atol=1e-12
        )


@settings(max_examples=60, deadline=None)
@given(_class_inputs())
def test_zero_at_perfect_prediction(inp):
    y, z = inp
    p = scipy.special.softmax(z, axis=-1)
    soft = scipy.special.softmax(z / 10, axis=-1)  # entries above the 1e-7 clip
    np.testing.assert_allclose(lnp.kl_divergence(soft, soft, reduction="none"), 0.0, atol=1e-12)
    # cross-entropy with probability rows is minimised by softmax(z) = y: value = entropy
    np.testing.assert_allclose(
        lnp.cross_entropy(p, z, reduction="none"), scipy.stats.entropy(p, axis=-1), atol=1e-9
    )
    big = np.eye(z.shape[-1])[y] * 50.0
    assert np.all(lnp.categorical_hinge(np.eye(z.shape[-1])[y], big, reduction="none") == 0)
    assert np.all(lnp.multi_margin(y, big, reduction="none") == 0)
    assert np.all(lnp.softmax_focal(y, big, reduction="none") < 1e-12)


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(np.float64, (4, 3), elements=st.floats(-10, 10)),
    hnp.arrays(np.float64, (4, 3), elements=st.floats(-10, 10)),
    hnp.arrays(np.float64, (4, 3), elements=st.floats(-10, 10)),
    st.floats(0, 2),
)
def test_embedding_losses_nonnegative_and_reductions(a, b, c, margin):
    y = np.array([1.0, -1.0, 1.0, -1.0])
    d = np.linalg.norm(a - b, axis=-1)
    calls = [
        (lnp.margin_ranking, (y, a[:, 0], b[:, 0]), {"margin": margin}),
        (lnp.contrastive, ((y + 1) / 2, d), {"margin": margin}),
        (lnp.triplet, (a, b, c), {"margin": margin}),
        (lnp.cosine_embedding, (y, a, b), {"margin": margin - 1}),
        (lnp.info_nce, (a, b), {"temperature": 0.5}),
        (lnp.dice, (np.abs(np.sign(a)), scipy.special.expit(b)), {"smooth": margin}),
    ]
    for f, args, kw in calls:
        none = f(*args, **kw, reduction="none")
        assert np.all(none >= -1e-12), f.__name__
        np.testing.assert_allclose(
            f(*args, **kw, reduction="sum"), none.sum(), rtol=1e-10, atol=1e-12
        )
        np.testing.assert_allclose(
            f(*args, **kw, reduction="mean"), none.mean(), rtol=1e-10, atol=1e-12
        )
    # zero at perfect prediction
    assert lnp.contrastive([1.0], [0.0]) == 0
    np.testing.assert_allclose(
        lnp.margin_ranking(np.ones(4), a[:, 0] + margin + 1, a[:, 0], margin=margin), 0
    )
    np.testing.assert_allclose(lnp.triplet(a, a, a + 100.0, margin=margin), 0)
    pos = np.ones(4)
    nz = a + np.where(np.abs(a) < 1e-3, 1.0, 0.0)
    # 1e-12 on the squared norms: cos(x, 3x) = 1 - O(1e-12 / ||x||^2)
    tol = 1e-9 + 1e-11 / (nz * nz).sum(-1).min()
    np.testing.assert_allclose(lnp.cosine_embedding(pos, nz, 3 * nz), 0, atol=tol)
    mask = (a > 0).astype(float)
    np.testing.assert_allclose(lnp.dice(mask, mask, smooth=1.0), 0.0, atol=1e-12)


# =======================================================================================
# (d) numerical stability
# =======================================================================================
LOGITS_1E4 = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0], [1e4, 1e4, -1e4]], dtype=np.float32)
Y_1E4 = np.array([0, 0, 2])


@pytest.mark.parametrize(
    "name,kw",
    [
        ("cross_entropy", {}),
        ("cross_entropy", {"label_smoothing": 0.1, "weight": np.array([1.0, 2.0, 0.5])}),
        ("softmax_focal", {"gamma": 2.0}),
        ("softmax_focal", {"gamma": 0.5}),
        ("softmax_focal", {"gamma": 0.0}),
    ],
)
def test_large_logits_float32_finite(name, kw):
    for reduction in REDUCTIONS:
        val = getattr(lnp, name)(Y_1E4, LOGITS_1E4, **kw, reduction=reduction)
        grad = getattr(lnp, name + "_grad")(Y_1E4, LOGITS_1E4, **kw, reduction=reduction)
        assert np.isfinite(val).all() and np.isfinite(grad).all()
        assert np.asarray(val).dtype == np.float32 and grad.dtype == np.float32
    none = getattr(lnp, name)(Y_1E4, LOGITS_1E4, reduction="none")
    # correct class far ahead -> 0; wrong class 2e4 behind -> 2e4; two tied leaders -> + log 2
    np.testing.assert_allclose(none, [0.0, 2e4, 2e4 + np.log(2)], rtol=1e-6, atol=1e-6)
    if name == "softmax_focal":
        g = lnp.softmax_focal_grad(Y_1E4, LOGITS_1E4, gamma=0.5, reduction="none")
        np.testing.assert_allclose(g[0], 0.0, atol=1e-6)


def test_softmax_focal_gamma_below_one_near_certainty_float32():
    # p_y -> 1: (1 - p)^0.5 has an infinite slope; the log-space gradient stays finite and
    # matches a float64 reference
    z = np.array([[8.0, -8.0, -9.0]], dtype=np.float32)
    g32 = lnp.softmax_focal_grad([0], z, gamma=0.5)
    g64 = lnp.softmax_focal_grad([0], z.astype(np.float64), gamma=0.5)
    assert np.isfinite(g32).all()
    np.testing.assert_allclose(g32, g64, rtol=1e-3, atol=1e-9)


def test_kl_clip_can_make_the_value_slightly_negative():
    # a consequence of the contract's clip: entries q_c < 1e-7 with p_c = q_c count as
    # log(q_c / 1e-7) < 0, so KL(p, p) is slightly negative when p has such entries
    p = np.array([[1 - 4e-8, 4e-8]])
    val = float(lnp.kl_divergence(p, p))
    np.testing.assert_allclose(val, 4e-8 * np.log(4e-8 / 1e-7), rtol=1e-6)
    assert val < 0


def test_kl_float32_zeros_finite():
    p = np.array([[0.0, 1.0, 0.0]], dtype=np.float32)
    q = np.array([[0.0, 0.0, 1.0]], dtype=np.float32)
    val = lnp.kl_divergence(p, q)
    g = lnp.kl_divergence_grad(p, q)
    assert np.isfinite(val) and np.isfinite(g).all()
    np.testing.assert_allclose(val, -np.log(1e-7), rtol=1e-5)


def test_integer_predictions_compute_in_float64():
    out = lnp.cross_entropy([0, 1], [[1, 0], [0, 1]])
    assert np.asarray(out).dtype == np.float64


# =======================================================================================
# (e) validation
# =======================================================================================
def _bad_cases():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(3, 4))
    y = np.array([0, 1, 3])
    P = scipy.special.softmax(z, axis=-1)
    oh = np.eye(4)[y]
    e = rng.normal(size=(3, 2))
    pm = np.array([1.0, -1.0, 1.0])
    m = rng.uniform(size=(3, 2, 2))
    nan = z.copy()
    nan[0, 0] = np.nan
    return [
        # reduction, params
        ("cross_entropy", (y, z), {"reduction": "avg"}, "reduction"),
        ("cross_entropy", (y, z), {"label_smoothing": 1.5}, "label_smoothing"),
        ("softmax_focal", (y, z), {"gamma": -1.0}, "gamma"),
        ("multi_margin", (y, z), {"margin": float("nan")}, "margin"),
        ("info_nce", (e, e), {"temperature": 0.0}, "temperature"),
        ("triplet", (e, e, e), {"margin": -1.0}, "margin"),
        ("contrastive", (pm > 0, np.ones(3)), {"margin": -0.5}, "margin"),
        ("dice", (m, m), {"smooth": -1.0}, "smooth"),
        ("margin_ranking", (pm, pm, pm), {"reduction": None}, "reduction"),
        # dtypes
        ("cross_entropy", (y.astype(float), z), {}, "y_true"),
        ("nll", (y.astype(float), z), {}, "y_true"),
        ("multi_margin", (y.astype(float), z), {}, "y_true"),
        ("softmax_focal", (y.astype(float), z), {}, "y_true"),
        # empty
        ("cross_entropy", (np.zeros(0, int), np.zeros((0, 4))), {}, "y_true"),
        ("kl_divergence", (np.zeros((2, 0)), np.zeros((2, 0))), {}, "p_true"),
        ("info_nce", (np.zeros((0, 2)), np.zeros((0, 2))), {}, "queries"),
        ("dice", (np.zeros((0, 2)), np.zeros((0, 2))), {}, "y_true"),
        ("triplet", (np.zeros((0, 2)),) * 3, {}, "anchor"),
        # shapes
        ("cross_entropy", (y[:, None], z), {}, "y_true"),
        ("cross_entropy", (y, z), {"weight": np.ones(3)}, "weight"),
        ("nll", (y, z), {"weight": np.ones((4, 1))}, "weight"),
        ("cross_entropy", (P[:, :3], z), {}, "y_true"),
        ("categorical_hinge", (oh[:, :3], z), {}, "y_true"),
        ("multi_margin", (y[:2], z), {}, "y_true"),
        ("kl_divergence", (P, P[:, :3]), {}, "q_pred"),
        ("margin_ranking", (pm[:, None], pm, pm), {}, "y"),
        ("margin_ranking", (pm, pm, pm[:2]), {}, "s2"),
        ("contrastive", (np.ones(3), np.ones((3, 1))), {}, "distance"),
        ("triplet", (e, e, e[:, :1]), {}, "negative"),
        ("cosine_embedding", (pm[:2], e, e), {}, "y"),
        ("cosine_embedding", (pm, e, e[:, :1]), {}, "x2"),
        ("info_nce", (e[0], e[0]), {}, "queries"),
        ("info_nce", (e, e[:2]), {}, "keys"),
        ("dice", (m, m[:, :1]), {}, "p"),
        ("softmax_focal", (np.int64(0), np.float64(1.0)), {}, "logits"),
        # finiteness
        ("cross_entropy", (y, nan), {}, "logits"),
        ("cross_entropy", (y, z), {"weight": np.array([1, np.inf, 1, 1])}, "weight"),
        ("cross_entropy", (np.where(np.isnan(nan), np.nan, P), z), {}, "y_true"),
        ("nll", (y, nan), {}, "log_probs"),
        ("kl_divergence", (P, np.where(np.isnan(nan), np.nan, P)), {}, "q_pred"),
        ("margin_ranking", (pm, np.array([1.0, np.inf, 0.0]), pm), {}, "s1"),
        ("triplet", (e, e, np.full_like(e, np.nan)), {}, "negative"),
        ("info_nce", (e, np.full_like(e, np.inf)), {}, "keys"),
        ("dice", (m, np.full_like(m, np.nan)), {}, "p"),
        ("contrastive", (np.ones(3), np.array([np.nan, 1.0, 1.0])), {}, "distance"),
        # value ranges / label sets
        ("cross_entropy", (np.array([0, 4, 1]), z), {}, "y_true"),
        ("cross_entropy", (np.array([0, -1, 1]), z), {}, "y_true"),
        ("nll", (np.array([0, 5, 1]), z), {}, "y_true"),
        ("multi_margin", (np.array([0, 9, 1]), z), {}, "y_true"),
        ("softmax_focal", (np.array([0, 4, 1]), z), {}, "y_true"),
        ("cross_entropy", (P + 1, z), {}, "y_true"),
        ("cross_entropy", (y, z), {"weight": np.array([1.0, -1.0, 1.0, 1.0])}, "weight"),
        ("categorical_hinge", (oh * 2, z), {}, "y_true"),
        ("categorical_hinge", (np.ones((3, 4)), z), {}, "y_true"),
        ("categorical_hinge", (np.zeros((3, 4)), z), {}, "y_true"),
        ("kl_divergence", (P + 1, P), {}, "p_true"),
        ("kl_divergence", (P, np.log(P)), {}, "q_pred"),
        ("margin_ranking", (np.array([1.0, 0.0, 1.0]), pm, pm), {}, "y"),
        ("cosine_embedding", (np.array([1.0, 0.0, 1.0]), e, e), {}, "y"),
        ("contrastive", (np.array([1.0, -1.0, 0.0]), np.ones(3)), {}, "y_similar"),
        ("contrastive", (np.ones(3), np.array([1.0, -0.1, 0.0])), {}, "distance"),
        ("dice", (m * 3, m), {}, "y_true"),
        ("dice", (m, m - 1), {}, "p"),
    ]


@pytest.mark.parametrize("name,args,kw,argname", _bad_cases())
def test_validation_errors_name_the_argument(name, args, kw, argname):
    for fn in (getattr(lnp, name), getattr(lnp, name + "_grad")):
        with pytest.raises(LossInputError) as info:
            fn(*args, **kw)
        msg = str(info.value)
        assert msg.startswith(name + " "), msg
        assert argname in msg, msg
        assert isinstance(info.value, ValueError)


def test_messages_are_specific():
    z = np.zeros((3, 4))
    with pytest.raises(LossInputError, match=r"cast|Cast"):
        lnp.cross_entropy(np.array([0.0, 1.0, 2.0]), z)
    with pytest.raises(LossInputError, match="2\\*y - 1"):
        lnp.margin_ranking([0.0, 1.0], [1.0, 2.0], [0.0, 0.0])
    with pytest.raises(LossInputError, match="one-hot"):
        lnp.categorical_hinge(np.ones((3, 4)), z)
    with pytest.raises(LossInputError, match="between 0 and 3"):
        lnp.cross_entropy([0, 1, 7], z)


def test_value_checks_can_be_switched_off_but_structure_cannot():
    z = np.zeros((3, 4))
    with lossbook.validation(False):
        lnp.cross_entropy(np.full((3, 4), 2.0), z)  # out-of-range rows: not checked
        lnp.margin_ranking([0.0, 1.0], [1.0, 2.0], [0.0, 0.0])
        with pytest.raises(LossInputError):
            lnp.cross_entropy(np.array([0, 1]), z)  # shapes still checked
        with pytest.raises(LossInputError):
            lnp.dice(np.ones((2, 2)), np.ones((2, 2)), reduction="avg")


def test_lists_are_accepted():
    np.testing.assert_allclose(lnp.cross_entropy([1], [[0.0, 0.0]]), np.log(2.0), rtol=1e-12)
    np.testing.assert_allclose(lnp.dice([[1.0, 0.0]], [[1.0, 0.0]], smooth=0.0), 0.0)


def test_bpr_against_an_independent_reference():
    """BPR (Rendle et al. 2009): -log sigmoid(s+ - s-), written here with scipy; the
    gradient against central differences; torch and TensorFlow against NumPy."""
    import tensorflow as tf

    import lossbook.tensorflow as ltf
    import lossbook.torch as lt

    rng = np.random.default_rng(0)
    pos, neg = rng.normal(scale=3.0, size=(5, 3)), rng.normal(scale=3.0, size=(5, 3))
    ref = -np.log(scipy.special.expit(pos - neg))
    np.testing.assert_allclose(lnp.bpr(pos, neg, reduction="none"), ref, rtol=1e-12)
    np.testing.assert_allclose(lnp.bpr(pos, neg), ref.mean(), rtol=1e-12)
    g_pos, g_neg = lnp.bpr_grad(pos, neg, reduction="sum")
    h = 1e-6
    for g, plus in ((g_pos, lambda d: (pos + d, neg)), (g_neg, lambda d: (pos, neg + d))):
        fd = np.zeros_like(pos)
        for i in np.ndindex(pos.shape):
            d = np.zeros_like(pos)
            d[i] = h
            fd[i] = (lnp.bpr(*plus(d), reduction="sum") - lnp.bpr(*plus(-d), reduction="sum")) / (
                2 * h
            )
        np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-9)
    tp, tn = torch.tensor(pos, requires_grad=True), torch.tensor(neg, requires_grad=True)
    lt.bpr(tp, tn, reduction="sum").backward()
    np.testing.assert_allclose(tp.grad.numpy(), g_pos, rtol=1e-12)
    np.testing.assert_allclose(tn.grad.numpy(), g_neg, rtol=1e-12)
    out = ltf.bpr(tf.constant(pos), tf.constant(neg), reduction="none").numpy()
    np.testing.assert_allclose(out, ref, rtol=1e-12)
    big = np.array([1e4], dtype=np.float32)  # finite for |scores| up to 1e4 in float32
    assert np.isfinite(lnp.bpr(-big, big)) and np.isfinite(lnp.bpr_grad(-big, big)[0]).all()
