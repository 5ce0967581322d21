"""NumPy regression and binary losses: values against independent references, analytic
gradients against finite differences and torch.autograd, properties, stability, and
validation."""

from __future__ import annotations

import inspect
import math
import warnings

import numpy as np
import pytest
import scipy.special as sps
import scipy.stats as stats
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics

import lossbook
import lossbook.numpy as lnp
from lossbook import LossInputError
from lossbook.examples import make_case

REGRESSION = [e.name for e in lossbook.catalog if e.family == "regression"]
BINARY = [e.name for e in lossbook.catalog if e.family == "binary"]
NAMES = REGRESSION + BINARY
REDUCTIONS = ("mean", "sum", "none")
BIBKEYS = {
    "huber1964robust",
    "girshick2015fast",
    "koenker1978regression",
    "cortes1995support",
    "lin2017focal",
    "nix1994estimating",
    "mccullagh1989generalized",
    "goodfellow2016deep",
    "bishop2006pattern",
}


def fn(name):
    return getattr(lnp, name)


def grad_fn(name):
    return getattr(lnp, f"{name}_grad")


def flat(*arrays):
    return [np.asarray(a, dtype=float).ravel() for a in arrays]


def soft_labels(args, kwargs, rng=7):
    args = list(args)
    args[0] = np.random.default_rng(rng).uniform(0, 1, size=np.shape(args[0]))
    return args, kwargs


# (loss, keyword overrides, optional transform of (args, kwargs)): exercised by the
# gradient tests. make_case supplies valid inputs away from kinks.
VARIANTS = [
    ("mse", {}, None),
    ("mae", {}, None),
    ("huber", {}, None),
    ("huber", {"delta": 0.8}, None),
    ("huber", {"delta": 2.5}, None),
    ("smooth_l1", {"beta": 0.8}, None),
    ("smooth_l1", {"beta": 0.0}, None),
    ("smooth_l1", {"beta": 3.0}, None),
    ("log_cosh", {}, None),
    ("quantile", {"q": 0.9}, None),
    ("quantile", {"q": 0.1}, None),
    ("poisson_nll", {}, None),
    ("poisson_nll", {"log_input": True}, None),
    ("gaussian_nll", {}, None),
    ("binary_cross_entropy", {}, None),
    ("binary_cross_entropy", {"eps": 1e-3}, soft_labels),
    ("binary_cross_entropy_with_logits", {}, None),
    ("binary_cross_entropy_with_logits", {"pos_weight": None}, soft_labels),
    ("binary_cross_entropy_with_logits", {"pos_weight": 3.0}, None),
    ("hinge", {}, None),
    ("squared_hinge", {}, None),
    ("focal", {}, None),
    ("focal", {"alpha": None, "gamma": 0.5}, None),
    ("focal", {"alpha": 0.75, "gamma": 0.0}, None),
    ("focal", {"alpha": 0.25, "gamma": 1.5}, soft_labels),
]
VARIANT_IDS = [f"{n}-{k}-{'soft' if t else 'hard'}" for n, k, t in VARIANTS]


def variant_inputs(name, overrides, transform, seed=0):
    args, kwargs = make_case(name, seed)
    kwargs = {**kwargs, **overrides}
    if transform is not None:
        args, kwargs = transform(args, kwargs)
    return [np.asarray(a, dtype=float) for a in args], kwargs


def diff_indices(name):
    e = lossbook.catalog[name]
    return [e.args.index(a) for a in e.differentiable_args]


# ---------------------------------------------------------------------------------------
# (a) values against independent references
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def keras_value(keras, loss_obj, y, y_hat):
    # Keras losses average the last axis per sample, then over the batch
    # ("sum_over_batch_size"): for equal-sized rows that is the mean over every element,
    # which is what lossbook's "mean" is. Keras computes in float32.
    return float(keras.ops.convert_to_numpy(loss_obj(y, y_hat)))


def test_mse_mae_against_sklearn_and_torch():
    (y, yh), _ = make_case("mse", 0)
    assert float(lnp.mse(y, yh)) == pytest.approx(
        metrics.mean_squared_error(*flat(y, yh)), rel=1e-12
    )
    assert float(lnp.mae(y, yh)) == pytest.approx(
        metrics.mean_absolute_error(*flat(y, yh)), rel=1e-12
    )
    t, th = torch.tensor(y), torch.tensor(yh)
    np.testing.assert_allclose(
        lnp.mse(y, yh, reduction="none"), F.mse_loss(th, t, reduction="none").numpy(), rtol=1e-12
    )
    np.testing.assert_allclose(
        lnp.mae(y, yh, reduction="sum"), F.l1_loss(th, t, reduction="sum").numpy(), rtol=1e-12
    )


@pytest.mark.parametrize("delta", [0.8, 1.0, 2.5])
def test_huber_against_scipy_and_torch(delta):
    (y, yh), _ = make_case("huber", 0)
    # scipy.special.huber(delta, r) = r^2/2 if |r| <= delta else delta (|r| - delta/2)
    np.testing.assert_allclose(
        lnp.huber(y, yh, delta=delta, reduction="none"), sps.huber(delta, y - yh), rtol=1e-12
    )
    ref = F.huber_loss(torch.tensor(yh), torch.tensor(y), delta=delta, reduction="none")
    np.testing.assert_allclose(lnp.huber(y, yh, delta=delta, reduction="none"), ref.numpy())


@pytest.mark.parametrize("beta", [0.0, 0.8, 1.0, 3.0])
def test_smooth_l1_against_torch_and_huber_over_beta(beta):
    (y, yh), _ = make_case("smooth_l1", 0)
    ref = F.smooth_l1_loss(torch.tensor(yh), torch.tensor(y), beta=beta, reduction="none")
    got = lnp.smooth_l1(y, yh, beta=beta, reduction="none")
    np.testing.assert_allclose(got, ref.numpy(), rtol=1e-12)
    if beta > 0:  # SmoothL1(beta) = Huber(delta=beta) / beta (written out with scipy)
        np.testing.assert_allclose(got, sps.huber(beta, y - yh) / beta, rtol=1e-12)
    else:  # beta = 0 is L1
        np.testing.assert_allclose(got, np.abs(y - yh), rtol=1e-12)


def test_log_cosh_closed_form_and_large_residuals():
    (y, yh), _ = make_case("log_cosh", 0)
    np.testing.assert_allclose(
        lnp.log_cosh(y, yh, reduction="none"), np.log(np.cosh(yh - y)), rtol=1e-12
    )
    # far in the tail log cosh(d) = |d| - log 2 + log1p(e^{-2|d|}) -> |d| - log 2
    big = np.array([800.0, -5000.0])
    np.testing.assert_allclose(
        lnp.log_cosh(np.zeros(2), big, reduction="none"), np.abs(big) - math.log(2), rtol=1e-15
    )


@pytest.mark.parametrize("q", [0.1, 0.5, 0.9])
def test_quantile_against_sklearn_pinball(q):
    (y, yh), _ = make_case("quantile", 0)
    assert float(lnp.quantile(y, yh, q=q)) == pytest.approx(
        metrics.mean_pinball_loss(*flat(y, yh), alpha=q), rel=1e-12
    )
    r = y - yh  # closed form: q r where r >= 0, (q - 1) r where r < 0
    np.testing.assert_allclose(
        lnp.quantile(y, yh, q=q, reduction="none"), np.where(r >= 0, q * r, (q - 1) * r)
    )


def test_quantile_half_is_half_mae():
    (y, yh), _ = make_case("quantile", 0)
    assert float(lnp.quantile(y, yh, q=0.5)) == pytest.approx(
        0.5 * metrics.mean_absolute_error(*flat(y, yh)), rel=1e-12
    )


@pytest.mark.parametrize("log_input", [False, True])
def test_poisson_nll_against_torch_and_scipy(log_input):
    (y, rate), _ = make_case("poisson_nll", 0)
    pred = np.log(rate) if log_input else rate
    got = lnp.poisson_nll(y, pred, log_input=log_input, reduction="none")
    ref = F.poisson_nll_loss(
        torch.tensor(pred), torch.tensor(y), log_input=log_input, full=False, eps=1e-8,
        reduction="none",
    )  # fmt: skip
    np.testing.assert_allclose(got, ref.numpy(), rtol=1e-12)
    # -log Poisson(y; rate) - log y! (the dropped constant); eps 1e-8 moves it by ~1e-8
    nll = -stats.poisson.logpmf(y, rate) - sps.gammaln(y + 1)
    np.testing.assert_allclose(got, nll, rtol=1e-6, atol=1e-7)


def test_poisson_default_differs_from_torch_default():
    # torch's PoissonNLLLoss defaults to log_input=True; lossbook's to rates
    (y, rate), _ = make_case("poisson_nll", 0)
    torch_default = F.poisson_nll_loss(torch.tensor(rate), torch.tensor(y)).item()
    assert float(lnp.poisson_nll(y, rate)) != pytest.approx(torch_default)
    assert float(lnp.poisson_nll(y, rate, log_input=True)) == pytest.approx(torch_default)


def test_gaussian_nll_against_scipy_and_torch():
    (y, mu, var), _ = make_case("gaussian_nll", 0)
    got = lnp.gaussian_nll(y, mu, var, reduction="none")
    # -log N(y; mu, var) without the constant 1/2 log(2 pi)
    ref = -stats.norm.logpdf(y, loc=mu, scale=np.sqrt(var)) - 0.5 * math.log(2 * math.pi)
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    # torch's order is (input, target, var)
    t = F.gaussian_nll_loss(torch.tensor(mu), torch.tensor(y), torch.tensor(var), reduction="none")
    np.testing.assert_allclose(got, t.numpy(), rtol=1e-12)


def test_gaussian_nll_clamps_small_variances_like_torch():
    y, mu, var = np.array([0.5, 0.0, 1.0]), np.array([0.0, 0.0, 0.9]), np.array([0.0, 1e-9, 2.0])
    t = F.gaussian_nll_loss(torch.tensor(mu), torch.tensor(y), torch.tensor(var), reduction="none")
    np.testing.assert_allclose(lnp.gaussian_nll(y, mu, var, reduction="none"), t.numpy())


def test_bce_against_sklearn_log_loss_and_torch():
    (y, p), _ = make_case("binary_cross_entropy", 0)
    assert float(lnp.binary_cross_entropy(y, p)) == pytest.approx(
        metrics.log_loss(*flat(y, p), labels=[0, 1]), rel=1e-10
    )
    # torch clamps the logs at -100 instead of clipping p: equal for p in (0.05, 0.95)
    ref = F.binary_cross_entropy(torch.tensor(p), torch.tensor(y), reduction="none")
    np.testing.assert_allclose(lnp.binary_cross_entropy(y, p, reduction="none"), ref.numpy())


def test_bce_soft_labels_closed_form():
    (y, p), _ = soft_labels(*make_case("binary_cross_entropy", 0))
    np.testing.assert_allclose(
        lnp.binary_cross_entropy(y, p, reduction="none"),
        -sps.xlogy(y, p) - sps.xlog1py(1 - y, -p),
        rtol=1e-12,
    )


def test_bce_clipping_convention_differs_from_torch_at_exact_zero():
    y, p = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    np.testing.assert_allclose(
        lnp.binary_cross_entropy(y, p, reduction="none"), [-math.log(1e-7)] * 2, rtol=1e-9
    )
    ref = F.binary_cross_entropy(torch.tensor(p), torch.tensor(y), reduction="none")
    np.testing.assert_allclose(ref.numpy(), [100.0, 100.0])  # torch: log clamped at -100


@pytest.mark.parametrize("pos_weight", [None, 3.0, np.array([2.0, 0.5])])
def test_bce_with_logits_against_torch_and_scipy(pos_weight):
    (y, z), _ = make_case("binary_cross_entropy_with_logits", 0)
    got = lnp.binary_cross_entropy_with_logits(y, z, pos_weight=pos_weight, reduction="none")
    pw = None if pos_weight is None else torch.as_tensor(pos_weight, dtype=torch.float64)
    ref = F.binary_cross_entropy_with_logits(
        torch.tensor(z), torch.tensor(y), pos_weight=pw, reduction="none"
    )
    np.testing.assert_allclose(got, ref.numpy(), rtol=1e-12)
    w = 1.0 if pos_weight is None else pos_weight
    p = sps.expit(z)
    np.testing.assert_allclose(got, -(w * y * np.log(p) + (1 - y) * np.log(1 - p)), rtol=1e-10)


def test_bce_with_logits_equals_bce_on_sigmoid():
    (y, z), _ = soft_labels(*make_case("binary_cross_entropy_with_logits", 0))
    a = lnp.binary_cross_entropy_with_logits(y, z, reduction="none")
    np.testing.assert_allclose(a, lnp.binary_cross_entropy(y, sps.expit(z), reduction="none"))


def test_hinge_against_sklearn_and_closed_forms():
    (y, s), _ = make_case("hinge", 0)
    y = y.copy()
    y[:2] = [1.0, -1.0]  # sklearn needs both classes
    assert float(lnp.hinge(y, s)) == pytest.approx(metrics.hinge_loss(y, s), rel=1e-12)
    relu = torch.relu(1 - torch.tensor(y) * torch.tensor(s))
    np.testing.assert_allclose(lnp.hinge(y, s, reduction="none"), relu.numpy())
    np.testing.assert_allclose(lnp.squared_hinge(y, s, reduction="none"), (relu**2).numpy())


def torch_focal(y, z, alpha, gamma):
    """torchvision.ops.sigmoid_focal_loss, written out (torchvision is not installed)."""
    p = torch.sigmoid(z)
    ce = F.binary_cross_entropy_with_logits(z, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = ce * (1 - p_t) ** gamma
    if alpha is not None:
        loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
    return loss


@pytest.mark.parametrize(
    ("alpha", "gamma", "transform"),
    [(0.25, 2.0, None), (None, 0.5, None), (0.75, 0.0, None), (0.4, 1.5, soft_labels)],
)
def test_focal_against_torchvision_formula(alpha, gamma, transform):
    (y, z), _ = variant_inputs("focal", {}, transform)
    ref = torch_focal(torch.tensor(y), torch.tensor(z), alpha, gamma)
    got = lnp.focal(y, z, alpha=alpha, gamma=gamma, reduction="none")
    np.testing.assert_allclose(got, ref.numpy(), rtol=1e-10)


def test_focal_gamma_zero_without_alpha_is_bce_with_logits():
    (y, z), _ = make_case("focal", 0)
    ref = F.binary_cross_entropy_with_logits(torch.tensor(z), torch.tensor(y), reduction="none")
    got = lnp.focal(y, z, alpha=None, gamma=0.0, reduction="none")
    np.testing.assert_allclose(got, ref.numpy(), rtol=1e-12)


KERAS_ROWS = [
    ("mse", {}, lambda k, kw: k.losses.MeanSquaredError()),
    ("mae", {}, lambda k, kw: k.losses.MeanAbsoluteError()),
    ("huber", {"delta": 0.8}, lambda k, kw: k.losses.Huber(delta=kw["delta"])),
    ("log_cosh", {}, lambda k, kw: k.losses.LogCosh()),
    ("binary_cross_entropy", {}, lambda k, kw: k.losses.BinaryCrossentropy()),
    (
        "binary_cross_entropy_with_logits",
        {"pos_weight": None},  # Keras has no pos_weight
        lambda k, kw: k.losses.BinaryCrossentropy(from_logits=True),
    ),
    ("hinge", {}, lambda k, kw: k.losses.Hinge()),
    ("squared_hinge", {}, lambda k, kw: k.losses.SquaredHinge()),
    (
        "focal",
        {"alpha": 0.25, "gamma": 2.0},
        lambda k, kw: k.losses.BinaryFocalCrossentropy(
            apply_class_balancing=True, alpha=kw["alpha"], gamma=kw["gamma"], from_logits=True
        ),
    ),
]


@pytest.mark.parametrize(("name", "overrides", "make"), KERAS_ROWS, ids=[r[0] for r in KERAS_ROWS])
def test_against_keras(keras, name, overrides, make):
    args, kwargs = make_case(name, 0)
    kwargs = {**kwargs, **overrides}
    want = keras_value(keras, make(keras, kwargs), *args)
    assert float(fn(name)(*args, **kwargs)) == pytest.approx(want, rel=2e-5, abs=1e-6)


def test_keras_poisson_uses_a_larger_eps(keras):
    (y, rate), _ = make_case("poisson_nll", 0)
    want = keras_value(keras, keras.losses.Poisson(), y, rate)  # eps 1e-7 instead of 1e-8
    assert float(lnp.poisson_nll(y, rate)) == pytest.approx(want, rel=1e-5)


def test_keras_hinge_converts_01_labels_lossbook_raises(keras):
    s = np.array([[0.3, -2.0, 1.5]])
    y01 = np.array([[0.0, 1.0, 1.0]])
    want = keras_value(keras, keras.losses.Hinge(), y01, s)
    assert float(lnp.hinge(2 * y01 - 1, s)) == pytest.approx(want, rel=1e-6)
    with pytest.raises(LossInputError, match="2\\*y - 1"):
        lnp.hinge(y01, s)


# ---------------------------------------------------------------------------------------
# (b) gradients: central finite differences (float64) and torch.autograd
# ---------------------------------------------------------------------------------------


def central_difference(f, args, i, h=1e-6):
    x = np.asarray(args[i], dtype=np.float64)
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += h
        down[idx] -= h
        a_up, a_down = list(args), list(args)
        a_up[i], a_down[i] = up, down
        g[idx] = (f(*a_up) - f(*a_down)) / (2 * h)
    return g


def as_tuple(g):
    return g if isinstance(g, tuple) else (g,)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("name", "overrides", "transform"), VARIANTS, ids=VARIANT_IDS)
def test_grad_matches_finite_differences(name, overrides, transform, reduction):
    args, kwargs = variant_inputs(name, overrides, transform)

    def scalar(*a):
        return float(np.sum(fn(name)(*a, **kwargs, reduction=reduction)))

    grads = as_tuple(grad_fn(name)(*args, **kwargs, reduction=reduction))
    idx = diff_indices(name)
    assert len(grads) == len(idx)
    for g, i in zip(grads, idx, strict=True):
        assert g.shape == args[i].shape
        fd = central_difference(scalar, args, i)
        np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-7)
        assert np.abs(fd).max() > 0  # a nonzero gradient: the check can fail


# The torch reference of every loss, unreduced: a torch built-in where one exists,
# otherwise the closed form written in torch.
def _t_log_cosh(y, yh, kw):
    return torch.log(torch.cosh(yh - y))


def _t_quantile(y, yh, kw):
    r = y - yh
    return torch.maximum(kw["q"] * r, (kw["q"] - 1) * r)


def _t_bce_logits(y, z, kw):
    pw = kw.get("pos_weight")
    pw = None if pw is None else torch.as_tensor(pw, dtype=torch.float64)
    return F.binary_cross_entropy_with_logits(z, y, pos_weight=pw, reduction="none")


TORCH_REFS = {
    "mse": lambda y, yh, kw: F.mse_loss(yh, y, reduction="none"),
    "mae": lambda y, yh, kw: F.l1_loss(yh, y, reduction="none"),
    "huber": lambda y, yh, kw: F.huber_loss(yh, y, delta=kw["delta"], reduction="none"),
    "smooth_l1": lambda y, yh, kw: F.smooth_l1_loss(yh, y, beta=kw["beta"], reduction="none"),
    "log_cosh": _t_log_cosh,
    "quantile": _t_quantile,
    "poisson_nll": lambda y, yh, kw: F.poisson_nll_loss(
        yh, y, log_input=kw.get("log_input", False), full=False, eps=1e-8, reduction="none"
    ),
    "gaussian_nll": lambda y, mu, var, kw: F.gaussian_nll_loss(
        mu, y, var, full=False, eps=1e-6, reduction="none"
    ),
    "binary_cross_entropy": lambda y, p, kw: F.binary_cross_entropy(p, y, reduction="none"),
    "binary_cross_entropy_with_logits": _t_bce_logits,
    "hinge": lambda y, s, kw: torch.relu(1 - y * s),
    "squared_hinge": lambda y, s, kw: torch.relu(1 - y * s) ** 2,
    "focal": lambda y, z, kw: torch_focal(y, z, kw["alpha"], kw["gamma"]),
}


def torch_grads(name, args, kwargs, reduction, ref=None):
    ref = ref or TORCH_REFS[name]
    idx = diff_indices(name)
    ts = [torch.tensor(a, requires_grad=i in idx) for i, a in enumerate(args)]
    kw = {**lossbook.catalog[name].params, **kwargs}
    out = ref(*ts, kw)
    total = out.mean() if reduction == "mean" else out.sum()
    total.backward()
    return [ts[i].grad.numpy() for i in idx]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("name", "overrides", "transform"), VARIANTS, ids=VARIANT_IDS)
def test_grad_matches_torch_autograd(name, overrides, transform, reduction):
    # (BCE with eps = 1e-3 and p in (0.05, 0.95): no clipping, torch's BCELoss applies)
    args, kwargs = variant_inputs(name, overrides, transform, seed=5)
    ours = as_tuple(grad_fn(name)(*args, **kwargs, reduction=reduction))
    for g, t in zip(ours, torch_grads(name, args, kwargs, reduction), strict=True):
        np.testing.assert_allclose(g, t, rtol=1e-9, atol=1e-12)


def test_bce_grad_is_zero_where_p_is_clipped_like_torch_clamp():
    y = np.array([1.0, 0.0, 1.0, 0.0, 0.3, 1.0])
    p = np.array([0.0, 1.0, 1.0, 0.0, 0.4, 1e-3])
    eps = 1e-2

    def ref(y, p, kw):  # the convention: clip p, then BCE (clamp passes the gradient inside)
        pc = torch.clamp(p, eps, 1 - eps)
        return -(y * torch.log(pc) + (1 - y) * torch.log(1 - pc))

    g = lnp.binary_cross_entropy_grad(y, p, eps=eps, reduction="sum")
    (t,) = torch_grads("binary_cross_entropy", [y, p], {"eps": eps}, "sum", ref)
    np.testing.assert_allclose(g, t, rtol=1e-12)
    np.testing.assert_array_equal(g[[0, 1, 2, 3, 5]], 0.0)
    assert g[4] != 0


def test_gaussian_nll_var_grad_is_zero_below_the_clamp():
    y, mu, var = np.array([0.5, 0.0, 1.0]), np.array([0.0, 0.2, 0.9]), np.array([0.0, 1e-9, 2.0])

    def ref(y, mu, var, kw):  # an ordinary clamp, unlike torch's straight-through one
        v = torch.clamp(var, min=1e-6)
        return 0.5 * (torch.log(v) + (y - mu) ** 2 / v)

    ours = lnp.gaussian_nll_grad(y, mu, var, reduction="sum")
    theirs = torch_grads("gaussian_nll", [y, mu, var], {}, "sum", ref)
    for g, t in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(g, t, rtol=1e-12)
    np.testing.assert_array_equal(ours[1][:2], 0.0)
    # torch's built-in passes the gradient straight through the clamp instead
    builtin = torch_grads("gaussian_nll", [y, mu, var], {}, "sum")
    assert np.all(builtin[1][:2] != 0)


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "expected"),
    [
        ("mae", ([1.0, 2.0], [1.0, 3.0]), {}, [0.0, 1.0]),  # sign(0) = 0
        ("quantile", ([1.0, 2.0], [1.0, 3.0]), {"q": 0.3}, [0.0, 0.7]),
        ("hinge", ([1.0, -1.0], [1.0, -1.0]), {}, [0.0, 0.0]),  # relu'(0) = 0
        ("huber", ([0.0, 0.0], [1.0, -1.0]), {"delta": 1.0}, [1.0, -1.0]),
        ("smooth_l1", ([0.0, 0.0], [0.0, -1.0]), {"beta": 0.0}, [0.0, -1.0]),
    ],
)
def test_grad_at_kinks_follows_torch(name, args, kwargs, expected):
    np.testing.assert_allclose(grad_fn(name)(*args, **kwargs, reduction="sum"), expected)
    ref = {
        "mae": lambda y, yh: (yh - y).abs(),
        "quantile": lambda y, yh: (
            kwargs.get("q", 0.5) * torch.relu(y - yh)
            + (1 - kwargs.get("q", 0.5)) * torch.relu(yh - y)
        ),
        "hinge": lambda y, s: torch.relu(1 - y * s),
        "huber": lambda y, yh: F.huber_loss(yh, y, delta=1.0, reduction="none"),
        "smooth_l1": lambda y, yh: F.smooth_l1_loss(yh, y, beta=0.0, reduction="none"),
    }[name]
    y = torch.tensor(args[0], dtype=torch.float64)
    yh = torch.tensor(args[1], dtype=torch.float64, requires_grad=True)
    ref(y, yh).sum().backward()
    np.testing.assert_allclose(yh.grad.numpy(), expected)


@pytest.mark.parametrize("name", NAMES)
def test_grad_dtype_and_shape_follow_the_prediction(name):
    args, kwargs = make_case(name, 0)
    args32 = [np.asarray(a, dtype=np.float32) for a in args]
    for g in as_tuple(grad_fn(name)(*args32, **kwargs, reduction="mean")):
        assert g.dtype == np.float32 and g.shape == args32[1].shape
    assert np.asarray(fn(name)(*args32, **kwargs)).dtype == np.float32


# ---------------------------------------------------------------------------------------
# (c) properties (hypothesis)
# ---------------------------------------------------------------------------------------

_real = st.floats(-50, 50, allow_nan=False, allow_subnormal=False)
_unit = st.floats(0, 1, allow_nan=False, allow_subnormal=False)
_pos = st.floats(0, 50, allow_nan=False, allow_subnormal=False)


def draw_case(data, name):
    """Valid random inputs for ``name``: a list of 1-D arrays and the keyword params."""
    n = data.draw(st.integers(1, 12))

    def vec(elems):
        return np.array(data.draw(st.lists(elems, min_size=n, max_size=n)))

    kw = {}
    if name == "huber":
        kw["delta"] = data.draw(st.floats(0.01, 10))
    if name == "smooth_l1":
        kw["beta"] = data.draw(st.sampled_from([0.0, 0.5, 1.0, 4.0]))
    if name == "quantile":
        kw["q"] = data.draw(st.floats(0.01, 0.99))
    if name == "poisson_nll":
        kw["log_input"] = data.draw(st.booleans())
        return [vec(_pos), vec(st.floats(-5, 5) if kw["log_input"] else _pos)], kw
    if name == "gaussian_nll":
        return [vec(_real), vec(_real), vec(st.floats(0, 10))], kw
    if name == "binary_cross_entropy":
        return [vec(_unit), vec(_unit)], kw
    if name in ("hinge", "squared_hinge"):
        return [vec(st.sampled_from([-1.0, 1.0])), vec(_real)], kw
    if name == "binary_cross_entropy_with_logits":
        kw["pos_weight"] = data.draw(st.sampled_from([None, 0.5, 4.0]))
        return [vec(_unit), vec(st.floats(-1e3, 1e3))], kw
    if name == "focal":
        kw["alpha"] = data.draw(st.sampled_from([None, 0.25, 0.9]))
        kw["gamma"] = data.draw(st.sampled_from([0.0, 0.5, 2.0]))
        return [vec(_unit), vec(st.floats(-1e3, 1e3))], kw
    return [vec(_real), vec(_real)], kw


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_reductions_consistent(name, data):
    args, kw = draw_case(data, name)
    none = fn(name)(*args, **kw, reduction="none")
    assert none.shape == args[1].shape
    assert np.all(np.isfinite(none))
    np.testing.assert_allclose(
        fn(name)(*args, **kw, reduction="sum"), none.sum(), rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(fn(name)(*args, **kw), none.mean(), rtol=1e-10, atol=1e-12)
    for g_mean, g_sum, g_none in zip(
        as_tuple(grad_fn(name)(*args, **kw)),
        as_tuple(grad_fn(name)(*args, **kw, reduction="sum")),
        as_tuple(grad_fn(name)(*args, **kw, reduction="none")),
        strict=True,
    ):
        np.testing.assert_allclose(g_sum, g_none)
        np.testing.assert_allclose(g_mean * none.size, g_sum, rtol=1e-10, atol=1e-12)


NONNEGATIVE = [n for n in NAMES if n not in ("gaussian_nll", "poisson_nll")]


@pytest.mark.parametrize("name", NONNEGATIVE)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_nonnegative(name, data):
    args, kw = draw_case(data, name)
    assert np.all(fn(name)(*args, **kw, reduction="none") >= 0)


@pytest.mark.parametrize("name", ["mse", "mae", "huber", "smooth_l1", "log_cosh", "quantile"])
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_zero_at_perfect_prediction(name, data):
    (y, _), kw = draw_case(data, name)
    np.testing.assert_array_equal(fn(name)(y, y, **kw, reduction="none"), 0.0)
    np.testing.assert_array_equal(grad_fn(name)(y, y, **kw, reduction="sum"), 0.0)


@given(y=st.lists(st.sampled_from([0.0, 1.0]), min_size=1, max_size=10))
def test_bce_near_zero_at_perfect_prediction(y):
    y = np.array(y)
    assert float(lnp.binary_cross_entropy(y, y)) == pytest.approx(-math.log1p(-1e-7), rel=1e-6)
    assert float(lnp.binary_cross_entropy_with_logits(y, 60 * (2 * y - 1))) < 1e-25


@given(
    y=st.lists(st.sampled_from([-1.0, 1.0]), min_size=1, max_size=10),
    margin=st.floats(1, 100),
)
def test_hinge_zero_beyond_the_margin(y, margin):
    y = np.array(y)
    for name in ("hinge", "squared_hinge"):
        np.testing.assert_array_equal(fn(name)(y, margin * y, reduction="none"), 0.0)


@pytest.mark.parametrize("name", ["mse", "mae", "log_cosh"])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_symmetric_in_target_and_prediction(name, data):
    (y, yh), _ = draw_case(data, name)
    np.testing.assert_allclose(
        fn(name)(y, yh, reduction="none"), fn(name)(yh, y, reduction="none"), rtol=1e-15
    )


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_smooth_l1_is_huber_over_beta(data):
    (y, yh), _ = draw_case(data, "mse")
    beta = data.draw(st.floats(0.05, 5))
    np.testing.assert_allclose(
        lnp.smooth_l1(y, yh, beta=beta, reduction="none"),
        lnp.huber(y, yh, delta=beta, reduction="none") / beta,
        rtol=1e-10,
        atol=1e-12,
    )


# ---------------------------------------------------------------------------------------
# (d) numerical stability
# ---------------------------------------------------------------------------------------

Z32 = np.array([-1e4, -1e3, -100.0, -20.0, 0.0, 20.0, 100.0, 1e3, 1e4], dtype=np.float32)


@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("binary_cross_entropy_with_logits", {}),
        ("binary_cross_entropy_with_logits", {"pos_weight": 2.0}),
        ("focal", {}),
        ("focal", {"gamma": 0.5}),
        ("focal", {"gamma": 0.5, "alpha": None}),
        ("focal", {"gamma": 0.0, "alpha": None}),
        ("focal", {"gamma": 0.1, "alpha": 0.5}),
    ],
)
def test_extreme_float32_logits_are_finite(name, kwargs, y):
    yt = np.full_like(Z32, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow / divide-by-zero warnings either
        value = fn(name)(yt, Z32, **kwargs, reduction="none")
        grad = grad_fn(name)(yt, Z32, **kwargs, reduction="sum")
    assert value.dtype == np.float32 and grad.dtype == np.float32
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))
    assert np.all(value >= 0)


def test_extreme_logits_have_the_right_limits():
    y = np.array([1.0, 1.0, 0.0, 0.0], dtype=np.float32)
    z = np.array([-1e4, 1e4, 1e4, -1e4], dtype=np.float32)
    v = lnp.binary_cross_entropy_with_logits(y, z, reduction="none")
    g = lnp.binary_cross_entropy_with_logits_grad(y, z, reduction="sum")
    np.testing.assert_allclose(v, [1e4, 0, 1e4, 0], rtol=1e-6)
    np.testing.assert_allclose(g, [-1, 0, 1, 0])  # sigma(z) - y
    for gamma in (0.5, 2.0):
        v = lnp.focal(y, z, alpha=0.25, gamma=gamma, reduction="none")
        g = lnp.focal_grad(y, z, alpha=0.25, gamma=gamma, reduction="sum")
        # confidently wrong: modulating factor -> 1, loss -> alpha_t |z|, grad -> alpha_t (p - y)
        np.testing.assert_allclose(v, [2500, 0, 7500, 0], rtol=1e-6)
        np.testing.assert_allclose(g, [-0.25, 0, 0.75, 0], atol=1e-7)


@pytest.mark.parametrize("gamma", [0.2, 0.5, 2.0])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_focal_grad_at_large_logits_matches_torch(gamma, y):
    # |z| <= 12: torch's 1 - p_t cancels catastrophically beyond (it is not in log space)
    z = np.array([-12.0, -6.0, 6.0, 12.0])
    yt = np.full_like(z, y)
    (t,) = torch_grads("focal", [yt, z], {"alpha": 0.25, "gamma": gamma}, "sum")
    g = lnp.focal_grad(yt, z, alpha=0.25, gamma=gamma, reduction="sum")
    np.testing.assert_allclose(g, t, rtol=1e-7, atol=1e-300)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_at_exact_zero_and_one(dtype):
    y = np.array([0.0, 0.0, 1.0, 1.0, 0.5], dtype=dtype)
    p = np.array([0.0, 1.0, 0.0, 1.0, 1.0], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = lnp.binary_cross_entropy(y, p, reduction="none")
        g = lnp.binary_cross_entropy_grad(y, p, reduction="sum")
    lo, hi = float(dtype(1e-7)), float(dtype(1 - 1e-7))  # the clip bounds in this dtype
    want = [-math.log1p(-lo), -math.log1p(-hi), -math.log(lo), -math.log(hi)]
    want.append(-0.5 * (math.log(hi) + math.log1p(-hi)))
    np.testing.assert_allclose(v, want, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(g, 0.0)  # clipped: no gradient, as documented
    assert v.dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_regression_losses_finite_at_extremes(dtype):
    y = np.array([0.0, 0.0, 3.0], dtype=dtype)
    d = np.array([1e4, -1e4, 3.0], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lc = lnp.log_cosh(y, d, reduction="none")
        np.testing.assert_allclose(lnp.log_cosh_grad(y, d, reduction="sum"), [1, -1, 0])
        np.testing.assert_allclose(lc, [1e4 - math.log(2), 1e4 - math.log(2), 0], rtol=1e-6)
        for name in ("hinge", "squared_hinge"):
            s = np.array([1e4, -1e4], dtype=dtype)
            yy = np.array([-1.0, 1.0], dtype=dtype)
            assert np.all(np.isfinite(fn(name)(yy, s, reduction="none")))
            assert np.all(np.isfinite(grad_fn(name)(yy, s)))
        # a rate of exactly 0: log(0 + 1e-8) is finite
        pv = lnp.poisson_nll(np.array([2.0, 0.0], dtype=dtype), np.zeros(2, dtype=dtype))
        pg = lnp.poisson_nll_grad(np.array([2.0, 0.0], dtype=dtype), np.zeros(2, dtype=dtype))
        assert np.isfinite(pv) and np.all(np.isfinite(pg))
        # a variance of exactly 0 is clamped to 1e-6
        gv = lnp.gaussian_nll(y, y + 1, np.zeros(3, dtype=dtype), reduction="none")
        gm, gvar = lnp.gaussian_nll_grad(y, y + 1, np.zeros(3, dtype=dtype))
    np.testing.assert_allclose(gv, 0.5 * (math.log(1e-6) + 1 / 1e-6), rtol=1e-5)
    assert np.all(np.isfinite(gm)) and np.all(gvar == 0)


# ---------------------------------------------------------------------------------------
# (e) validation
# ---------------------------------------------------------------------------------------


def raises_naming(arg, call, *, words=()):
    with pytest.raises(LossInputError) as info:
        call()
    msg = str(info.value)
    assert arg in msg, msg
    for w in words:
        assert w in msg, msg
    return msg


def both(name):
    """The loss and its gradient: every check applies to both."""
    return [fn(name), grad_fn(name)]


@pytest.mark.parametrize("name", NAMES)
def test_structural_errors(name):
    args, kwargs = make_case(name, 0)
    e = lossbook.catalog[name]
    for f in both(name):
        raises_naming("reduction", lambda f=f: f(*args, **kwargs, reduction="avg"))
        for i, arg in enumerate(e.args):
            bad = list(args)
            bad[i] = np.asarray(args[i])[..., None]  # (N, 2) vs (N, 2, 1)
            raises_naming(arg, lambda f=f, bad=bad: f(*bad, **kwargs), words=("same shape",))
            empty = [np.asarray(a)[:0] for a in args]
            raises_naming(e.args[0], lambda f=f, a=empty: f(*a, **kwargs), words=("non-empty",))
            for value in (np.nan, np.inf, -np.inf):
                bad = [np.array(a, dtype=float) for a in args]
                bad[i].flat[0] = value
                raises_naming(arg, lambda f=f, bad=bad: f(*bad, **kwargs), words=("finite",))
            bad = list(args)
            bad[i] = np.asarray(args[i]).astype(complex)
            raises_naming(arg, lambda f=f, bad=bad: f(*bad, **kwargs), words=("floating",))


def test_one_vs_two_dim_is_not_broadcast():
    msg = raises_naming("y_pred", lambda: lnp.mse(np.zeros(3), np.zeros((3, 1))))
    assert "Squeeze" in msg


def _case_with(name, i, value):
    args, kwargs = make_case(name, 0)
    args = [np.array(a, dtype=float) for a in args]
    args[i].flat[0] = value
    return args, kwargs


VALUE_ERRORS = [
    ("binary_cross_entropy", 1, 1.5, "p", "[0, 1]"),
    ("binary_cross_entropy", 1, -0.01, "p", "logits"),
    ("binary_cross_entropy", 0, 2.0, "y_true", "[0, 1]"),
    ("binary_cross_entropy_with_logits", 0, -0.5, "y_true", "[0, 1]"),
    ("focal", 0, 1.5, "y_true", "[0, 1]"),
    ("hinge", 0, 0.0, "y_true", "2*y - 1"),
    ("squared_hinge", 0, 0.5, "y_true", "2*y - 1"),
    ("poisson_nll", 0, -1.0, "y_true", ">= 0"),
    ("poisson_nll", 1, -0.5, "y_pred", "log_input=True"),
    ("gaussian_nll", 2, -1e-3, "var", ">= 0"),
]


@pytest.mark.parametrize("row", VALUE_ERRORS, ids=lambda r: f"{r[0]}-{r[3]}-{r[2]}")
def test_value_errors(row):
    name, i, value, arg, words = row
    args, kwargs = _case_with(name, i, value)
    for f in both(name):
        msg = raises_naming(arg, lambda f=f: f(*args, **kwargs), words=(words, name))
        assert msg.startswith(name + " ")
        with lossbook.validation(False), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # garbage in, NaN out
            f(*args, **kwargs)  # value checks can be switched off


def test_negative_log_rates_are_fine():
    (y, rate), _ = make_case("poisson_nll", 0)
    assert np.isfinite(lnp.poisson_nll(y, np.log(rate) - 5.0, log_input=True))


PARAM_ERRORS = [
    ("huber", {"delta": 0.0}, "delta"),
    ("huber", {"delta": -1.0}, "delta"),
    ("huber", {"delta": float("nan")}, "delta"),
    ("smooth_l1", {"beta": -0.1}, "beta"),
    ("quantile", {"q": 0.0}, "q"),
    ("quantile", {"q": 1.0}, "q"),
    ("quantile", {"q": 1.5}, "q"),
    ("poisson_nll", {"log_input": "False"}, "log_input"),
    ("binary_cross_entropy", {"eps": 0.5}, "eps"),
    ("binary_cross_entropy", {"eps": -1e-7}, "eps"),
    ("binary_cross_entropy_with_logits", {"pos_weight": np.ones(3)}, "pos_weight"),
    ("binary_cross_entropy_with_logits", {"pos_weight": np.ones((1, 2))}, "pos_weight"),
    ("binary_cross_entropy_with_logits", {"pos_weight": np.array([1.0, -1.0])}, "pos_weight"),
    ("binary_cross_entropy_with_logits", {"pos_weight": np.array([1.0, np.nan])}, "pos_weight"),
    ("binary_cross_entropy_with_logits", {"pos_weight": np.array(["a", "b"])}, "pos_weight"),
    ("focal", {"alpha": 1.5}, "alpha"),
    ("focal", {"alpha": -0.1}, "alpha"),
    ("focal", {"gamma": -1.0}, "gamma"),
]


@pytest.mark.parametrize("row", PARAM_ERRORS, ids=lambda r: f"{r[0]}-{r[2]}")
def test_parameter_errors(row):
    name, overrides, arg = row
    args, kwargs = make_case(name, 0)
    for f in both(name):
        raises_naming(arg, lambda f=f: f(*args, **{**kwargs, **overrides}))


def test_parameters_are_checked_before_arrays():
    # CONTRIBUTING's order: reduction, parameters, dtypes, non-empty, shapes, finiteness, ranges
    msg = raises_naming("reduction", lambda: lnp.huber([], [1.0], delta=-1, reduction="x"))
    assert "delta" not in msg
    raises_naming("delta", lambda: lnp.huber([], [1.0], delta=-1))
    raises_naming("y_true", lambda: lnp.huber([], [1.0]), words=("non-empty",))


def test_boundary_parameters_are_accepted():
    (y, yh), _ = make_case("smooth_l1", 0)
    np.testing.assert_allclose(lnp.smooth_l1(y, yh, beta=0.0), lnp.mae(y, yh))
    (y, z), _ = make_case("focal", 0)
    for alpha in (0.0, 1.0, None):
        assert np.isfinite(lnp.focal(y, z, alpha=alpha, gamma=0.0))
    assert np.isfinite(lnp.binary_cross_entropy_with_logits(y, z, pos_weight=np.float32(2)))


# ---------------------------------------------------------------------------------------
# inputs, signatures and catalog entries of this family
# ---------------------------------------------------------------------------------------


def test_lists_ints_and_0d_inputs():
    assert float(lnp.mse([1, 2], [1, 4])) == 2.0
    assert lnp.mse([1, 2], [1, 4], reduction="none").dtype == np.float64
    assert float(lnp.hinge(1, 0.25)) == 0.75
    assert lnp.hinge_grad(1, 0.25).shape == ()
    # the compute dtype is the prediction's: float64 targets do not upcast float32 logits
    out = lnp.focal(np.ones(2), np.zeros(2, dtype=np.float32), reduction="none")
    assert out.dtype == np.float32


@pytest.mark.parametrize("name", NAMES)
def test_signature_and_catalog_entry(name):
    e = lossbook.catalog[name]
    assert e.family == ("regression" if name in REGRESSION else "binary")
    assert e.task == ("regression" if name in REGRESSION else "binary classification")
    assert e.none_shape == "elementwise"
    assert set(e.references) <= BIBKEYS
    assert name in lnp.regression.__all__ + lnp.binary.__all__
    assert f"{name}_grad" in lnp.regression.__all__ + lnp.binary.__all__
    params = inspect.signature(fn(name)).parameters.values()
    assert [p.name for p in params if p.kind == p.POSITIONAL_OR_KEYWORD] == list(e.args)
    kw = {p.name: p.default for p in params if p.kind == p.KEYWORD_ONLY}
    assert kw == {**e.params, "reduction": "mean"}
    assert inspect.signature(grad_fn(name)) == inspect.signature(fn(name))
    assert "\\operatorname" not in e.formula + e.gradient
    for path in (e.torch_builtin, e.keras_builtin):
        assert path is None or path.split(".")[0] in ("torch", "torchvision", "keras")


def test_catalog_order_is_the_family_order():
    names = lossbook.catalog.names()
    assert names[: len(NAMES)] == NAMES


@pytest.mark.parametrize(
    "path",
    [lossbook.catalog[n].torch_builtin for n in NAMES if lossbook.catalog[n].torch_builtin]
    + [lossbook.catalog[n].keras_builtin for n in NAMES if lossbook.catalog[n].keras_builtin],
)
def test_builtin_paths_exist(path):
    root, *rest = path.split(".")
    obj = pytest.importorskip(root)
    for part in rest:
        obj = getattr(obj, part)
    assert callable(obj)
