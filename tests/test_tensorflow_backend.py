"""Tests of lossbook.tensorflow.

(a) values against lossbook.numpy (float64); (b) TF autodiff against the hand-derived
lossbook.numpy.<name>_grad; (c) TF autodiff against torch autograd of lossbook.torch;
(d) against keras.losses built-ins, each convention difference commented; (e) float16 /
bfloat16 inputs give float32 results; (f) float32 stability at logits of +-1e4; plus
graph mode (tf.function, Keras compile/fit) and the validation messages.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import lossbook
import lossbook.tensorflow as ltf
from lossbook import LossInputError
from lossbook.examples import make_case

keras = pytest.importorskip("keras")

NAMES = lossbook.catalog.names()
REDUCTIONS = ("mean", "sum", "none")


def diff_positions(name):
    """Positions of the differentiable positional arguments (from the catalog)."""
    e = lossbook.catalog[name]
    return tuple(e.args.index(a) for a in e.differentiable_args)


def to_tf(x, dtype=tf.float64):
    """NumPy -> tf: floating arrays get ``dtype``, integer arrays stay integers."""
    if isinstance(x, np.ndarray):
        if np.issubdtype(x.dtype, np.floating):
            return tf.constant(x, dtype=dtype)
        return tf.constant(x)
    return x


def tf_args(name, dtype=tf.float64, seed=0):
    args, kwargs = make_case(name, seed)
    return [to_tf(a, dtype) for a in args], {k: to_tf(v, dtype) for k, v in kwargs.items()}


def tf_value_and_grads(name, reduction, seed=0):
    args, kwargs = tf_args(name, seed=seed)
    pos = diff_positions(name)
    with tf.GradientTape() as tape:
        for i in pos:
            tape.watch(args[i])
        out = getattr(ltf, name)(*args, **kwargs, reduction=reduction)
    grads = tape.gradient(out, [args[i] for i in pos])  # "none": gradient of the sum
    return out, grads


def close(a, b, rtol=1e-7, atol=1e-9):
    np.testing.assert_allclose(np.asarray(a, dtype=np.float64), np.asarray(b), rtol=rtol, atol=atol)


# ---- (a) values vs lossbook.numpy -----------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", NAMES)
def test_value_matches_numpy(name, reduction):
    import lossbook.numpy as lnp

    args, kwargs = make_case(name, 1)
    expected = getattr(lnp, name)(*args, **kwargs, reduction=reduction)
    got = getattr(ltf, name)(
        *[to_tf(a) for a in args], **{k: to_tf(v) for k, v in kwargs.items()}, reduction=reduction
    )
    assert got.dtype == tf.float64
    assert tuple(got.shape) == np.shape(expected)
    close(got, expected, rtol=1e-10, atol=1e-12)


# ---- (b) TF autodiff vs the analytic gradient -----------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", NAMES)
def test_autodiff_matches_numpy_grad(name, reduction):
    import lossbook.numpy as lnp

    args, kwargs = make_case(name, 2)
    expected = getattr(lnp, f"{name}_grad")(*args, **kwargs, reduction=reduction)
    pos = diff_positions(name)
    if len(pos) == 1:
        expected = (expected,)
    assert len(expected) == len(pos)
    _, grads = tf_value_and_grads(name, reduction, seed=2)
    for g, e in zip(grads, expected, strict=True):
        assert g is not None
        close(tf.convert_to_tensor(g), e, rtol=1e-8, atol=1e-10)


# ---- (c) TF autodiff vs torch autograd ------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", NAMES)
def test_autodiff_matches_torch(name, reduction):
    torch = pytest.importorskip("torch")
    import lossbook.torch as lt

    args, kwargs = make_case(name, 3)
    pos = diff_positions(name)
    targs = [torch.as_tensor(a) for a in args]
    for i in pos:
        targs[i] = targs[i].clone().requires_grad_(True)
    tkw = {k: torch.as_tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    tout = getattr(lt, name)(*targs, **tkw, reduction=reduction)
    tout.sum().backward()
    out, grads = tf_value_and_grads(name, reduction, seed=3)
    close(out, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    for g, i in zip(grads, pos, strict=True):
        close(tf.convert_to_tensor(g), targs[i].grad.numpy(), rtol=1e-8, atol=1e-10)


# ---- (d) Keras built-ins ---------------------------------------------------------------
# Keras losses average over the last axis first (one value per sample, shape (N,)) and
# reduce with "sum_over_batch_size". So Keras reduction="none" = lossbook "none" averaged
# over the last axis, and Keras's default = lossbook "mean" for elementwise losses.
def _elementwise_vs_keras(ours, keras_loss, y, p, rtol=1e-6, atol=1e-7, **kw):
    none = ours(y, p, reduction="none", **kw)
    close(keras_loss(reduction="none")(y, p), tf.reduce_mean(none, axis=-1), rtol, atol)
    close(keras_loss()(y, p), ours(y, p, **kw), rtol, atol)


@pytest.mark.parametrize(
    "name, keras_cls, kw",
    [
        ("mse", "MeanSquaredError", {}),
        ("mae", "MeanAbsoluteError", {}),
        ("huber", "Huber", {"delta": 0.8}),
        ("log_cosh", "LogCosh", {}),
    ],
)
def test_regression_vs_keras(name, keras_cls, kw):
    (y, p), _ = make_case(name, 4)
    y, p = tf.constant(y, tf.float32), tf.constant(p, tf.float32)
    cls = getattr(keras.losses, keras_cls)
    ours = getattr(ltf, name)

    def make(**r):
        return cls(**r, **kw)

    _elementwise_vs_keras(ours, make, y, p, **kw)


def test_poisson_vs_keras():
    # keras Poisson = mean_last(ŷ - y log(ŷ + 1e-7)); lossbook uses 1e-8 (torch's eps).
    (y, rate), _ = make_case("poisson_nll", 5)
    y, rate = tf.constant(y, tf.float32), tf.constant(rate, tf.float32)
    _elementwise_vs_keras(ltf.poisson_nll, keras.losses.Poisson, y, rate, rtol=1e-5, atol=1e-6)
    # where the eps matters: a rate of exactly 0 with a count of 1
    k = float(keras.losses.Poisson()(tf.constant([[1.0]]), tf.constant([[0.0]])))
    o = float(ltf.poisson_nll(tf.constant([[1.0]]), tf.constant([[0.0]])))
    assert k == pytest.approx(-np.log(1e-7), rel=1e-5)  # 16.118
    assert o == pytest.approx(-np.log(1e-8), rel=1e-5)  # 18.421


def test_bce_vs_keras_probabilities():
    (y, p), _ = make_case("binary_cross_entropy", 6)
    y = tf.constant(y, tf.float32)
    # include exact 0 and 1: both clip p to [1e-7, 1 - 1e-7]
    p = tf.constant(np.concatenate([p, [[0.0, 1.0], [1.0, 0.0]]]), tf.float32)
    y = tf.concat([y, tf.constant([[1.0, 0.0], [1.0, 0.0]])], axis=0)
    _elementwise_vs_keras(
        ltf.binary_cross_entropy, keras.losses.BinaryCrossentropy, y, p, rtol=1e-5, atol=1e-6
    )
    worst = ltf.binary_cross_entropy(tf.constant([1.0]), tf.constant([0.0]))
    assert float(worst) == pytest.approx(-np.log(1e-7), rel=1e-4)


def test_bce_with_logits_vs_keras():
    (y, z), _ = make_case("binary_cross_entropy_with_logits", 7)  # pos_weight: Keras has none
    y, z = tf.constant(y, tf.float32), tf.constant(z, tf.float32)

    def keras_bce(**r):
        return keras.losses.BinaryCrossentropy(from_logits=True, **r)

    _elementwise_vs_keras(ltf.binary_cross_entropy_with_logits, keras_bce, y, z)


def test_focal_vs_keras():
    # Keras BinaryFocalCrossentropy(apply_class_balancing=True) = α_t (1-p_t)^γ BCE with
    # (1-p_t)^γ as a power of sigmoid(z) (NaN gradient for γ < 1 at z = 1e4, y = 1; lossbook
    # is finite there, see test_stable_at_huge_logits): compare at moderate logits.
    (y, z), _ = make_case("focal", 8)
    y, z = tf.constant(y, tf.float32), tf.constant(z, tf.float32)
    for alpha, gamma in ((0.25, 2.0), (0.6, 0.5)):

        def keras_focal(alpha=alpha, gamma=gamma, **r):
            return keras.losses.BinaryFocalCrossentropy(
                apply_class_balancing=True, alpha=alpha, gamma=gamma, from_logits=True, **r
            )

        _elementwise_vs_keras(ltf.focal, keras_focal, y, z, rtol=1e-5, atol=1e-6,
                              alpha=alpha, gamma=gamma)  # fmt: skip
    # without class balancing Keras drops α_t: lossbook's alpha=None
    close(
        keras.losses.BinaryFocalCrossentropy(gamma=2.0, from_logits=True)(y, z),
        ltf.focal(y, z, alpha=None, gamma=2.0),
        rtol=1e-5,
    )


def test_hinge_vs_keras_and_label_conversion():
    (y, s), _ = make_case("hinge", 9)
    y = tf.constant(np.stack([y, -y], 1), tf.float32)  # (N, 2) so Keras's last-axis mean shows
    s = tf.constant(np.stack([s, s[::-1]], 1), tf.float32)
    _elementwise_vs_keras(ltf.hinge, keras.losses.Hinge, y, s)
    _elementwise_vs_keras(ltf.squared_hinge, keras.losses.SquaredHinge, y, s)
    # Keras converts 0/1 labels silently; lossbook raises and says how to convert.
    y01 = (y + 1.0) / 2.0
    close(keras.losses.Hinge()(y01, s), ltf.hinge(y, s), rtol=1e-6)
    with pytest.raises(LossInputError, match=r"2\*y - 1"):
        ltf.hinge(y01, s)
    with pytest.raises(LossInputError, match=r"2\*y - 1"):
        ltf.squared_hinge(y01, s)


def test_cross_entropy_vs_keras():
    (y, z), _ = make_case("cross_entropy", 10)  # weight: Keras has no class weights here
    z = tf.constant(z, tf.float32)
    C = z.shape[-1]
    onehot = tf.one_hot(y, C)
    y = tf.constant(y)
    # no smoothing: sparse and dense Keras losses
    sparse = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")
    close(sparse(y, z), ltf.cross_entropy(y, z, reduction="none"), rtol=1e-6)
    # smoothing: Keras smooths one-hot rows as y(1-ε) + ε/C, the same t as lossbook/torch
    for eps in (0.1, 0.3):
        cce = keras.losses.CategoricalCrossentropy(
            from_logits=True, label_smoothing=eps, reduction="none"
        )
        ours_idx = ltf.cross_entropy(y, z, label_smoothing=eps, reduction="none")
        ours_rows = ltf.cross_entropy(onehot, z, label_smoothing=eps, reduction="none")
        close(cce(onehot, z), ours_idx, rtol=1e-6)
        close(ours_rows, ours_idx, rtol=1e-6)
    # Keras (from_logits=False) renormalises probability rows of y_pred: doubling the
    # row changes nothing there; lossbook's cross_entropy takes logits, so compare with
    # the log of the normalised row.
    probs = tf.nn.softmax(z)
    keras_prob = keras.losses.CategoricalCrossentropy(reduction="none")
    close(keras_prob(onehot, 2.0 * probs), keras_prob(onehot, probs), rtol=1e-6)
    close(keras_prob(onehot, 2.0 * probs), ltf.cross_entropy(y, z, reduction="none"), rtol=1e-5)


def test_categorical_hinge_vs_keras():
    (y, s), _ = make_case("categorical_hinge", 11)
    y = tf.constant(y, tf.float32)
    # make the largest wrong-class score >= 0 in every row: there the two agree
    s = np.array(s)
    s[np.arange(len(s)), (np.argmax(y, -1) + 1) % s.shape[-1]] = np.abs(s).max() * 0.5
    s = tf.constant(s, tf.float32)
    kh = keras.losses.CategoricalHinge(reduction="none")
    close(kh(y, s), ltf.categorical_hinge(y, s, reduction="none"), rtol=1e-6)
    # every wrong-class score negative: Keras takes max((1-y)·s) = 0 (the true class's
    # zero), Crammer–Singer takes the largest wrong score (-2).
    y1, s1 = tf.constant([[0.0, 1.0, 0.0]]), tf.constant([[-3.0, 0.5, -2.0]])
    assert float(kh(y1, s1)[0]) == pytest.approx(0.5)  # max(0, 0 - 0.5 + 1)
    assert float(ltf.categorical_hinge(y1, s1)) == 0.0  # max(0, -2 - 0.5 + 1)


def test_kl_divergence_vs_keras():
    (p, q), _ = make_case("kl_divergence", 12)  # strictly positive rows
    p, q = tf.constant(p, tf.float32), tf.constant(q, tf.float32)
    kl = keras.losses.KLDivergence(reduction="none")
    close(kl(p, q), ltf.kl_divergence(p, q, reduction="none"), rtol=1e-5, atol=1e-7)
    close(keras.losses.KLDivergence()(p, q), ltf.kl_divergence(p, q), rtol=1e-5)
    # a zero in p: Keras clips it to 1e-7 (term 1e-7·log(1e-7/q)), lossbook uses 0·log 0 = 0
    p0, q0 = tf.constant([[0.0, 1.0]]), tf.constant([[0.5, 0.5]])
    assert float(ltf.kl_divergence(p0, q0)) == pytest.approx(np.log(2.0), rel=1e-6)
    expected_keras = np.log(2.0) + 1e-7 * np.log(1e-7 / 0.5)
    assert float(kl(p0, q0)[0]) == pytest.approx(expected_keras, rel=1e-6)


def test_dice_vs_keras():
    (y, p), _ = make_case("dice", 13)
    y, p = tf.constant(y, tf.float32), tf.constant(p, tf.float32)
    # Keras Dice: 1 - 2Σyp / (Σy + Σp + 1e-7), no smoothing; axis=None sums the whole batch.
    per_sample = keras.losses.Dice(axis=(1, 2), reduction="none")(y, p)
    close(per_sample, ltf.dice(y, p, smooth=0.0, reduction="none"), rtol=1e-5, atol=1e-6)
    whole_batch = keras.losses.Dice()(y, p)
    flat = (tf.reshape(y, (1, -1)), tf.reshape(p, (1, -1)))
    close(whole_batch, ltf.dice(*flat, smooth=0.0), rtol=1e-5)
    # with the default smooth=1 lossbook differs from Keras
    assert abs(float(ltf.dice(y, p)) - float(tf.reduce_mean(per_sample))) > 1e-3


def test_cosine_embedding_vs_keras_cosine_similarity():
    (_, x1, x2), _ = make_case("cosine_embedding", 14)
    x1, x2 = tf.constant(x1, tf.float32), tf.constant(x2, tf.float32)
    ones = tf.ones(x1.shape[:-1])
    # Keras CosineSimilarity = -cos; lossbook's y=+1 branch is 1 - cos
    ks = keras.losses.CosineSimilarity(reduction="none")(x1, x2)
    close(ks, ltf.cosine_embedding(ones, x1, x2, reduction="none") - 1.0, rtol=1e-5, atol=1e-6)


# ---- (e) half precision -----------------------------------------------------------------
@pytest.mark.parametrize("dtype", [tf.float16, tf.bfloat16])
@pytest.mark.parametrize("name", NAMES)
def test_half_precision_computes_in_float32(name, dtype):
    args, kwargs = tf_args(name, dtype=dtype, seed=15)
    out = getattr(ltf, name)(*args, **kwargs)
    assert out.dtype == tf.float32
    ref_args, ref_kwargs = tf_args(name, dtype=tf.float64, seed=15)
    ref = getattr(ltf, name)(*ref_args, **ref_kwargs)
    # inputs were rounded to 11 (fp16) / 8 (bf16) significant bits
    tol = 5e-3 if dtype == tf.float16 else 5e-2
    close(out, ref, rtol=tol, atol=tol)
    pos = diff_positions(name)
    with tf.GradientTape() as tape:
        for i in pos:
            tape.watch(args[i])
        out = getattr(ltf, name)(*args, **kwargs)
    for g in tape.gradient(out, [args[i] for i in pos]):
        assert g.dtype == dtype  # the gradient flows back through the upcast
        assert np.isfinite(tf.cast(g, tf.float32).numpy()).all()


# ---- (f) stability at |logits| = 1e4 in float32 --------------------------------------
BIG = [[1e4, -1e4, 0.0], [-1e4, 1e4, 3.0]]


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("binary_cross_entropy_with_logits", {}),
        ("binary_cross_entropy_with_logits", {"pos_weight": 3.0}),
        ("focal", {"gamma": 2.0}),
        ("focal", {"gamma": 0.5}),
        ("focal", {"gamma": 0.5, "alpha": None}),
        ("cross_entropy", {}),
        ("cross_entropy", {"label_smoothing": 0.1}),
        ("softmax_focal", {"gamma": 2.0}),
        ("softmax_focal", {"gamma": 0.5}),
    ],
)
def test_stable_at_huge_logits(name, kwargs):
    z = tf.constant(BIG, tf.float32)
    if name in ("cross_entropy", "softmax_focal"):
        targets = [tf.constant([0, 1]), tf.constant([1, 0]), tf.constant([2, 2])]
    else:
        targets = [
            tf.constant([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]),
            tf.constant([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]]),
            tf.constant([[0.3, 0.7, 0.5], [0.9, 0.2, 0.0]]),  # soft labels
        ]
    worst = 0.0
    for y in targets:
        with tf.GradientTape() as tape:
            tape.watch(z)
            out = getattr(ltf, name)(y, z, **kwargs, reduction="none")
            total = tf.reduce_sum(out)
        g = tape.gradient(total, z)
        assert np.isfinite(out.numpy()).all(), (y, out)
        assert np.isfinite(g.numpy()).all(), (y, g)
        worst = max(worst, float(total))
    assert worst > 1e3  # the wrong-side logits really cost ~1e4: no silent clipping


def test_stable_values_match_float64_at_huge_logits():
    # a float64 computation at the same logits is the reference for the float32 one
    z32, z64 = tf.constant(BIG, tf.float32), tf.constant(BIG, tf.float64)
    y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    for fn in (ltf.binary_cross_entropy_with_logits, ltf.focal):
        close(fn(tf.constant(y, tf.float32), z32), fn(tf.constant(y), z64), rtol=1e-6)
    idx = tf.constant([1, 0])
    for fn in (ltf.cross_entropy, ltf.softmax_focal):
        close(fn(idx, z32), fn(idx, z64), rtol=1e-6)


# ---- graph mode: tf.function and Keras ------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_inside_tf_function(name):
    args, kwargs = tf_args(name, dtype=tf.float32, seed=16)
    fn = getattr(ltf, name)
    eager = fn(*args, **kwargs, reduction="none")
    graph = tf.function(lambda *a: fn(*a, **kwargs, reduction="none"))(*args)
    close(graph, eager, rtol=1e-6, atol=1e-7)


def test_graph_mode_skips_value_checks_but_keeps_structural_checks():
    y, p = tf.constant([1.0, 2.0]), tf.constant([0.5, 1.5])
    bad_p = tf.constant([1.5, -0.5])
    with pytest.raises(LossInputError, match="probabilities"):
        ltf.binary_cross_entropy(y / 2.0, bad_p)  # eager: value check runs
    graph_bce = tf.function(lambda a, b: ltf.binary_cross_entropy(a, b))
    assert np.isfinite(graph_bce(y / 2.0, bad_p).numpy())  # graph: documented skip
    with pytest.raises(LossInputError, match="same shape"):
        tf.function(lambda a, b: ltf.mse(a, b))(y, p[:, None])  # shapes checked at trace
    with pytest.raises(LossInputError, match="reduction"):
        tf.function(lambda a, b: ltf.mse(a, b, reduction="avg"))(y, p)


@pytest.mark.slow
def test_keras_compile_and_fit():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y_reg = (x @ np.array([[1.0], [-2.0], [0.5]])).astype("float32")
    y_bin = (y_reg > 0).astype("float32")
    y_cls = (x[:, 0] > 0).astype("int64") + (x[:, 1] > 0).astype("int64")  # 3 classes

    cases = [  # (loss, targets, units, invalid targets)
        (ltf.huber, y_reg, 1, np.where(y_reg > 0, np.nan, y_reg).astype("float32")),
        (ltf.binary_cross_entropy_with_logits, y_bin, 1, 2.0 * y_bin),
        # Keras 3 casts y_true to float32 before calling the loss; lossbook refuses float
        # class indices (they may be silently truncated), so cast them back explicitly.
        (lambda y, z: ltf.cross_entropy(tf.cast(y, tf.int64), z), y_cls, 3, y_cls + 3),
    ]
    for loss, y, units, bad in cases:
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(units)])
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss)
        before = float(loss(tf.constant(y), model(x)))
        hist = model.fit(x, y, epochs=5, batch_size=16, verbose=0)
        after = float(loss(tf.constant(y), model(x)))
        assert np.isfinite(hist.history["loss"]).all()
        assert after < before
        # Keras's evaluate (graph mode, one batch) = the eager loss
        assert model.evaluate(x, y, batch_size=64, verbose=0) == pytest.approx(after, rel=1e-5)
        # value checks run eagerly, and are skipped in Keras's graph-mode train step
        with pytest.raises(LossInputError):
            loss(tf.constant(bad), model(x))
        if units == 1:  # (out-of-range indices make tf.gather itself fail on CPU)
            model.evaluate(x, bad, batch_size=64, verbose=0)  # no LossInputError: documented


# ---- validation ---------------------------------------------------------------------------
def test_accepts_numpy_and_lists():
    assert float(ltf.mse([1.0, 2.0], np.array([1.5, 2.0]))) == pytest.approx(0.125)


@pytest.mark.parametrize("name", NAMES)
def test_accepts_numpy_arrays(name):
    args, kwargs = make_case(name, 17)  # NumPy float64 arrays, passed as they are
    got = getattr(ltf, name)(*args, **kwargs, reduction="none")
    ref_args, ref_kwargs = tf_args(name, seed=17)
    close(got, getattr(ltf, name)(*ref_args, **ref_kwargs, reduction="none"), rtol=0, atol=0)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: ltf.mse([1.0], [1.0], reduction="avg"), "reduction"),
        (lambda: ltf.mse(tf.zeros((3, 1)), tf.zeros((3,))), r"y_true.*Squeeze"),
        (lambda: ltf.mse(tf.zeros((0,)), tf.zeros((0,))), "non-empty"),
        (lambda: ltf.mse(tf.zeros(2), tf.constant([1.0, np.nan])), "finite values in y_pred"),
        (lambda: ltf.mse(tf.zeros(2), tf.constant([1, 2])), "floating-point y_pred"),
        (lambda: ltf.binary_cross_entropy([0.0], [1.2]), r"p to be probabilities"),
        (lambda: ltf.binary_cross_entropy([2.0], [0.5]), r"y_true to be probabilities"),
        (lambda: ltf.binary_cross_entropy_with_logits([1.5], [0.5]), "y_true"),
        (lambda: ltf.focal([-0.5], [0.5]), "y_true"),
        (lambda: ltf.hinge([0.0, 1.0], [0.5, 0.5]), r"2\*y - 1"),
        (lambda: ltf.cross_entropy(tf.constant([0, 3]), tf.zeros((2, 3))), "between 0 and 2"),
        (lambda: ltf.cross_entropy(tf.constant([0, -1]), tf.zeros((2, 3))), "between 0 and 2"),
        (lambda: ltf.cross_entropy(tf.constant([0.0, 1.0]), tf.zeros((2, 3))), r"integer"),
        (lambda: ltf.cross_entropy(tf.constant([[0], [1]]), tf.zeros((2, 3))), "Squeeze"),
        (lambda: ltf.cross_entropy(tf.constant([0]), tf.zeros((1, 3)), weight=[1.0]), "weight"),
        (lambda: ltf.cross_entropy(tf.constant([[1.5, -0.5]]), tf.zeros((1, 2))), "y_true"),
        (lambda: ltf.nll(tf.constant([2]), tf.zeros((1, 2))), "between 0 and 1"),
        (lambda: ltf.kl_divergence([[0.5, 0.5]], [[1.5, -0.5]]), "q_pred"),
        (lambda: ltf.kl_divergence([[-0.5, 1.5]], [[0.5, 0.5]]), "p_true"),
        (lambda: ltf.dice([[0.0, 1.0]], [[0.5, 1.5]]), r"\bp\b"),
        (lambda: ltf.gaussian_nll([0.0], [0.0], [-1.0]), "var >= 0"),
        (lambda: ltf.categorical_hinge([[1.0, 1.0]], [[0.5, 0.5]]), "one-hot"),
        (lambda: ltf.quantile([0.0], [0.0], q=1.0), "q"),
        (lambda: ltf.focal([1.0], [0.0], gamma=-1.0), "gamma"),
        (
            lambda: ltf.binary_cross_entropy_with_logits(
                tf.zeros((2, 3)), tf.zeros((2, 3)), pos_weight=[1.0, 2.0]
            ),
            "pos_weight",
        ),  # fmt: skip
        (lambda: ltf.contrastive([2.0], [0.5]), "y_similar"),
        (lambda: ltf.contrastive([1.0], [-0.5]), "distance"),
        (lambda: ltf.info_nce(tf.zeros((2, 3)), tf.ones((2, 3)), temperature=0.0), "temperature"),
        (lambda: ltf.cosine_embedding([1.0, 0.0], tf.ones((2, 3)), tf.ones((2, 3))), r"2\*y - 1"),
    ],
)
def test_bad_input_raises(call, match):
    with pytest.raises(LossInputError, match=match):
        call()


def test_validation_off_skips_value_checks_only():
    with lossbook.validation(False):
        assert np.isfinite(float(ltf.binary_cross_entropy([0.0], [1.2])))
        with pytest.raises(LossInputError):
            ltf.mse(tf.zeros((3, 1)), tf.zeros((3,)))


def test_pos_weight_broadcasts_over_last_axis():
    y, z = tf.ones((2, 3)), tf.zeros((2, 3))
    w = tf.constant([1.0, 2.0, 3.0])
    out = ltf.binary_cross_entropy_with_logits(y, z, pos_weight=w, reduction="none")
    close(out, np.log(2.0) * np.array([[1.0, 2.0, 3.0]] * 2), rtol=1e-6)


def test_weighted_mean_convention():
    # "mean" with weight and integer targets is Σ w_y l_i / Σ w_y, "none" gives w_y l_i
    y, z = tf.constant([0, 1, 1]), tf.constant([[1.0, 0.0], [0.0, 2.0], [3.0, 0.0]])
    w = tf.constant([1.0, 4.0])
    none = ltf.cross_entropy(y, z, weight=w, reduction="none")
    plain = ltf.cross_entropy(y, z, reduction="none")
    close(none, plain * tf.constant([1.0, 4.0, 4.0]), rtol=1e-6)
    close(ltf.cross_entropy(y, z, weight=w), tf.reduce_sum(none) / 9.0, rtol=1e-6)
    # probability rows: plain mean even with weight
    rows = tf.one_hot(y, 2)
    close(ltf.cross_entropy(rows, z, weight=w), tf.reduce_mean(none), rtol=1e-6)


@pytest.mark.parametrize("name", lossbook.catalog.names())
def test_signature_matches_catalog(name):
    import inspect

    spec = lossbook.catalog[name]
    params = inspect.signature(getattr(ltf, name)).parameters
    positional = [p for p in params.values() if p.kind is p.POSITIONAL_OR_KEYWORD]
    keyword = {p.name: p.default for p in params.values() if p.kind is p.KEYWORD_ONLY}
    assert tuple(p.name for p in positional) == spec.args
    assert keyword == {**spec.params, "reduction": "mean"}
    assert list(keyword) == [*spec.params, "reduction"]  # the contract's order
    if spec.differentiable_args:
        assert tuple(spec.args[i] for i in diff_positions(name)) == spec.differentiable_args
