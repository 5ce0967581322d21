"""Tests of lossbook.torch: against the NumPy reference (values and analytic gradients),
against PyTorch's own built-ins (or an independent formula where torch has none), dtypes,
numerical stability, devices, validation and the benchmark's smoke run."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import lossbook
import lossbook.torch as lt
from lossbook import LossInputError
from lossbook import examples as cases

ROOT = Path(__file__).resolve().parents[1]
NAMES = lossbook.catalog.names()
REDUCTIONS = ("mean", "sum", "none")


def diff_args(name):
    """Positions of the differentiable positional arguments (from the catalog)."""
    e = lossbook.catalog[name]
    return tuple(e.args.index(a) for a in e.differentiable_args)


def to_torch(x, dtype=torch.float64, requires_grad=False):
    """NumPy -> torch: integers stay int64, floats become ``dtype``; scalars pass through."""
    if x is None or isinstance(x, (int, float)):
        return x
    x = np.asarray(x)
    if np.issubdtype(x.dtype, np.integer):
        return torch.as_tensor(x, dtype=torch.int64)
    return torch.tensor(x, dtype=dtype, requires_grad=requires_grad)


def torch_case(name, dtype=torch.float64, grad=False, seed=0):
    args, kw = cases.make_case(name, seed)
    targs = [
        to_torch(a, dtype, requires_grad=grad and i in diff_args(name)) for i, a in enumerate(args)
    ]
    tkw = {k: to_torch(v, dtype) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    return args, kw, targs, tkw


def np_(x):
    return x.detach().cpu().numpy()


# ---- (a) values against lossbook.numpy, float64 ------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", NAMES)
def test_matches_numpy(name, reduction):
    import lossbook.numpy as lnp

    args, kw, targs, tkw = torch_case(name)
    ref = np.asarray(getattr(lnp, name)(*args, **kw, reduction=reduction))
    out = getattr(lt, name)(*targs, **tkw, reduction=reduction)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float64
    assert tuple(out.shape) == ref.shape
    np.testing.assert_allclose(np_(out), ref, rtol=1e-10, atol=1e-12)


# ---- (b) autograd gradient against lossbook.numpy.<name>_grad --------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", NAMES)
def test_grad_matches_numpy(name, reduction):
    import lossbook.numpy as lnp

    args, kw, targs, tkw = torch_case(name, grad=True)
    out = getattr(lt, name)(*targs, **tkw, reduction=reduction)
    out.sum().backward()  # for "none": the gradient of the sum, as <name>_grad returns
    ref = getattr(lnp, f"{name}_grad")(*args, **kw, reduction=reduction)
    idx = diff_args(name)
    refs = ref if isinstance(ref, tuple) else (ref,)
    assert len(refs) == len(idx)
    for i, r in zip(idx, refs, strict=True):
        assert targs[i].grad is not None, f"no gradient for argument {i}"
        np.testing.assert_allclose(np_(targs[i].grad), np.asarray(r), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_a_second_backward_through_the_same_graph_gives_the_same_gradient(name):
    # a hand-written backward must not modify what it saved (retain_graph=True reuses it)
    _, _, targs, tkw = torch_case(name, grad=True)
    out = getattr(lt, name)(*targs, **tkw, reduction="mean")
    out.backward(retain_graph=True)
    first = [targs[i].grad.clone() for i in diff_args(name)]
    for i in diff_args(name):
        targs[i].grad = None
    out.backward()
    for i, g in zip(diff_args(name), first, strict=True):
        assert torch.equal(targs[i].grad, g), f"argument {i}: the second backward differs"


# ---- (c) against PyTorch's built-ins (class axis at dim 1, (input, target) order) --------
def _as3d(x):
    """(N, ...) with N = 6 -> (3, 2, ...): puts an extra batch axis in front of the class axis."""
    return x.reshape(3, 2, *x.shape[1:])


def _torchvision_focal(z, y, alpha, gamma, reduction):
    # torchvision.ops.sigmoid_focal_loss, written out (torchvision is not installable here).
    p = torch.sigmoid(z)
    ce = F.binary_cross_entropy_with_logits(z, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha is not None:  # torchvision switches α_t off with alpha < 0; lossbook with None
        loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]


def _reduce(loss, reduction):
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]


def builtin(name, a, kw, r):
    """The PyTorch built-in (or, where PyTorch has none, an independent formula) for the
    lossbook call ``name(*a, **kw, reduction=r)``. Returns (reference, lossbook args)."""
    if name == "mse":
        return F.mse_loss(a[1], a[0], reduction=r), a  # torch: (input, target)
    if name == "mae":
        return F.l1_loss(a[1], a[0], reduction=r), a
    if name == "huber":
        # HuberLoss: δ scales the linear part: δ(|r| − δ/2); same as lossbook.huber(delta)
        return F.huber_loss(a[1], a[0], reduction=r, delta=kw["delta"]), a
    if name == "smooth_l1":
        # SmoothL1Loss(β) = HuberLoss(δ=β) / β: quadratic ½r²/β below β, |r| − β/2 above
        return F.smooth_l1_loss(a[1], a[0], reduction=r, beta=kw["beta"]), a
    if name == "log_cosh":  # no torch built-in; the naive formula is fine for small residuals
        return _reduce(torch.log(torch.cosh(a[1] - a[0])), r), a
    if name == "quantile":  # no torch built-in: pinball loss as max of the two lines
        q, res = kw["q"], a[0] - a[1]
        return _reduce(torch.maximum(q * res, (q - 1) * res), r), a
    if name == "poisson_nll":
        # PoissonNLLLoss's log_input defaults to True; lossbook's to False: pass it explicitly
        mod = torch.nn.PoissonNLLLoss(log_input=False, full=False, eps=1e-8, reduction=r)
        return mod(a[1], a[0]), a
    if name == "gaussian_nll":
        # GaussianNLLLoss(input=mean, target, var): clamps var at eps=1e-6 with the gradient
        # passed straight through (lossbook: gradient 0 where clamped; var > 0.2 here)
        mod = torch.nn.GaussianNLLLoss(full=False, eps=1e-6, reduction=r)
        return mod(a[1], a[0], a[2]), a
    if name == "binary_cross_entropy":
        # BCELoss clamps log at −100 instead of clipping p to [eps, 1 − eps]; p in [0.05, 0.95]
        return F.binary_cross_entropy(a[1], a[0], reduction=r), a
    if name == "binary_cross_entropy_with_logits":
        ref = F.binary_cross_entropy_with_logits(
            a[1], a[0], pos_weight=kw["pos_weight"], reduction=r
        )
        return ref, a
    if name == "hinge":  # no binary hinge in torch (HingeEmbeddingLoss is another loss)
        return _reduce(torch.clamp(1 - a[0] * a[1], min=0), r), a
    if name == "squared_hinge":
        return _reduce(torch.clamp(1 - a[0] * a[1], min=0) ** 2, r), a
    if name == "focal":
        return _torchvision_focal(a[1], a[0], kw["alpha"], kw["gamma"], r), a
    if name == "cross_entropy":
        # class axis: lossbook last, torch dim 1 -> test a (3, 2, C) input moved to (3, C, 2)
        y, z = _as3d(a[0]), _as3d(a[1])
        ref = F.cross_entropy(
            z.movedim(-1, 1),
            y,
            weight=kw["weight"],
            label_smoothing=kw["label_smoothing"],
            reduction=r,
        )
        return ref, [y, z]
    if name == "nll":
        y, lp = _as3d(a[0]), _as3d(a[1])
        return F.nll_loss(lp.movedim(-1, 1), y, weight=kw["weight"], reduction=r), [y, lp]
    if name == "categorical_hinge":  # no torch built-in: row by row
        rows = []
        for yr, sr in zip(a[0], a[1], strict=True):
            k = int(torch.argmax(yr))
            other = torch.cat([sr[:k], sr[k + 1 :]]).max()
            rows.append(torch.clamp(1 + other - sr[k], min=0))
        return _reduce(torch.stack(rows), r), a
    if name == "multi_margin":  # MultiMarginLoss(p=1) divides by C, like lossbook
        return F.multi_margin_loss(a[1], a[0], p=1, margin=kw["margin"], reduction=r), a
    if name == "softmax_focal":  # no torch built-in: direct formula on softmax
        p = torch.softmax(a[1], -1).gather(-1, a[0][:, None])[:, 0]
        return _reduce(-((1 - p) ** kw["gamma"]) * torch.log(p), r), a
    if name == "kl_divergence":
        # kl_div takes log q first, and its "mean" divides by all elements: lossbook's mean
        # over samples is "batchmean"; "none" is elementwise in torch, per sample here
        lq = torch.log(a[1])
        if r == "none":
            return F.kl_div(lq, a[0], reduction="none").sum(-1), a
        return F.kl_div(lq, a[0], reduction="batchmean" if r == "mean" else "sum"), a
    if name == "margin_ranking":  # torch: (input1, input2, target)
        return F.margin_ranking_loss(a[1], a[2], a[0], margin=kw["margin"], reduction=r), a
    if name == "contrastive":  # no torch built-in
        y, d, m = a[0], a[1], kw["margin"]
        return _reduce(y * d**2 + (1 - y) * torch.clamp(m - d, min=0) ** 2, r), a
    if name == "triplet":
        # TripletMarginLoss adds eps=1e-6 to the difference (lossbook clamps Σu² at 1e-12)
        ref = F.triplet_margin_loss(a[0], a[1], a[2], margin=kw["margin"], p=2, reduction=r)
        return ref, a
    if name == "cosine_embedding":  # torch: (input1, input2, target)
        return F.cosine_embedding_loss(a[1], a[2], a[0], margin=kw["margin"], reduction=r), a
    if name == "info_nce":  # no torch built-in: similarity matrix by broadcasting
        sim = F.cosine_similarity(a[0][:, None, :], a[1][None, :, :], dim=-1, eps=1e-12)
        logits = sim / kw["temperature"]
        return _reduce(-(torch.diagonal(logits) - torch.logsumexp(logits, dim=1)), r), a
    if name == "dice":  # no torch built-in: per sample
        y, p, s = a[0], a[1], kw["smooth"]
        per = [
            1 - (2 * (yi * pi).sum() + s) / (yi.sum() + pi.sum() + s)
            for yi, pi in zip(y, p, strict=True)
        ]
        return _reduce(torch.stack(per), r), a
    pytest.skip(f"no torch reference for {name} in this file: its own reference test covers it")


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", NAMES)
def test_matches_torch_builtin(name, reduction):
    _, _, targs, tkw = torch_case(name)
    ref, largs = builtin(name, targs, tkw, reduction)
    out = getattr(lt, name)(*largs, **tkw, reduction=reduction)
    assert out.shape == ref.shape
    atol = 1e-5 if name == "triplet" else 1e-12  # eps=1e-6 per coordinate in torch
    np.testing.assert_allclose(np_(out), np_(ref), rtol=1e-9, atol=atol)


def test_poisson_log_input_matches_torch_default():
    _, _, (y, rate), _ = torch_case("poisson_nll")
    ref = torch.nn.PoissonNLLLoss()(torch.log(rate), y)  # torch's default: log_input=True
    out = lt.poisson_nll(y, torch.log(rate), log_input=True)
    np.testing.assert_allclose(np_(out), np_(ref), rtol=1e-12)


def test_cross_entropy_probability_rows_match_torch():
    _, _, (y, z), tkw = torch_case("cross_entropy")
    probs = torch.softmax(torch.randn(z.shape, dtype=z.dtype), -1)
    for r in REDUCTIONS:
        ref = F.cross_entropy(z, probs, weight=tkw["weight"], label_smoothing=0.2, reduction=r)
        out = lt.cross_entropy(probs, z, weight=tkw["weight"], label_smoothing=0.2, reduction=r)
        np.testing.assert_allclose(np_(out), np_(ref), rtol=1e-10)


def test_cross_entropy_weighted_mean_convention():
    _, _, (y, z), tkw = torch_case("cross_entropy")
    w = tkw["weight"]
    none = lt.cross_entropy(y, z, weight=w, reduction="none")
    mean = lt.cross_entropy(y, z, weight=w)
    np.testing.assert_allclose(float(mean), float(none.sum() / w[y].sum()), rtol=1e-12)


# ---- (d) float16 / bfloat16 --------------------------------------------------------------
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("name", NAMES)
def test_half_precision_upcast(name, dtype):
    _, _, a32, kw32 = torch_case(name, dtype=torch.float32)
    _, _, ah, kwh = torch_case(name, dtype=dtype, grad=True)
    out = getattr(lt, name)(*ah, **kwh, reduction="mean")
    assert out.dtype == torch.float32
    ref = getattr(lt, name)(*a32, **kw32, reduction="mean")
    tol = 5e-2 if dtype == torch.bfloat16 else 5e-3
    np.testing.assert_allclose(float(out.detach()), float(ref), rtol=tol, atol=tol)
    out.backward()
    for i in diff_args(name):
        assert ah[i].grad is not None and ah[i].grad.dtype == dtype
        assert torch.isfinite(ah[i].grad.float()).all()


@pytest.mark.parametrize("name", NAMES)
def test_float32_stays_float32(name):
    _, _, a, kw = torch_case(name, dtype=torch.float32)
    assert getattr(lt, name)(*a, **kw).dtype == torch.float32


# ---- (e) stability at |logits| = 1e4 in float32 ------------------------------------------
BIG = 1e4


def _big_binary():
    z = torch.tensor([BIG, -BIG, BIG, -BIG, 0.0, 30.0, -30.0], requires_grad=True)
    y = torch.tensor([1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0])
    return y, z


@pytest.mark.parametrize(
    "fn",
    [
        lambda y, z: lt.binary_cross_entropy_with_logits(y, z, reduction="none"),
        lambda y, z: lt.focal(y, z, gamma=2.0, reduction="none"),
        lambda y, z: lt.focal(y, z, gamma=0.5, reduction="none"),
        lambda y, z: lt.focal(y, z, alpha=None, gamma=0.5, reduction="none"),
    ],
    ids=["bce_with_logits", "focal_gamma2", "focal_gamma0.5", "focal_noalpha_gamma0.5"],
)
def test_binary_logits_stable(fn):
    y, z = _big_binary()
    out = fn(y, z)
    assert torch.isfinite(out).all()
    out.sum().backward()
    assert torch.isfinite(z.grad).all()
    # confidently right -> 0 loss; confidently wrong -> about |z| (times the focal weights)
    assert out[0] == 0 and out[1] == 0
    assert out[2] > 1e3 and out[3] > 1e3


def test_bce_with_logits_big_values():
    y, z = _big_binary()
    out = lt.binary_cross_entropy_with_logits(y, z, reduction="none")
    np.testing.assert_allclose(np_(out[:4]), [0, 0, BIG, BIG], rtol=1e-6)


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_function_matches_torch(reduction, smoothing):
    """lossbook's own autograd Function for cross-entropy with class indices: PyTorch's
    values and gradients in float64 (to rounding: the reductions sum in another order), for
    confident and uncertain logits, with label smoothing, on (N, T, C) logits, and through
    a double backward (create_graph)."""
    gen = torch.Generator().manual_seed(0)
    z0 = torch.randn(4, 3, 7, generator=gen, dtype=torch.float64) * 3
    z0[0, 0] = torch.tensor([300.0, -300.0, 0.0, 1.0, 2.0, -1.0, 50.0], dtype=torch.float64)
    y = torch.randint(0, 7, (4, 3), generator=gen)
    y[0, 0] = 0  # a confident, correct prediction
    z_ours, z_ref = z0.clone().requires_grad_(), z0.clone().requires_grad_()
    ours = lt.cross_entropy(y, z_ours, label_smoothing=smoothing, reduction=reduction)
    ref = F.cross_entropy(z_ref.movedim(-1, 1), y, label_smoothing=smoothing, reduction=reduction)
    torch.testing.assert_close(ours, ref, rtol=1e-14, atol=0.0)
    w = torch.linspace(0.5, 2.0, ours.numel(), dtype=torch.float64).reshape(ours.shape)
    (g_ours,) = torch.autograd.grad((ours * w).sum(), z_ours, create_graph=True)
    (g_ref,) = torch.autograd.grad((ref * w).sum(), z_ref, create_graph=True)
    torch.testing.assert_close(g_ours, g_ref, rtol=1e-13, atol=1e-16)
    (h_ours,) = torch.autograd.grad(g_ours.square().sum(), z_ours)
    (h_ref,) = torch.autograd.grad(g_ref.square().sum(), z_ref)
    torch.testing.assert_close(h_ours, h_ref, rtol=1e-12, atol=1e-16)


@pytest.mark.parametrize("gamma", [2.0, 0.5])
def test_focal_soft_labels_stable(gamma):
    z = torch.tensor([BIG, -BIG, BIG, -BIG], requires_grad=True)
    y = torch.tensor([0.3, 0.7, 1.0, 0.0])
    out = lt.focal(y, z, gamma=gamma, reduction="none")
    out.sum().backward()
    assert torch.isfinite(out).all() and torch.isfinite(z.grad).all()
    # reference in float64 with the direct formula (fine for soft labels)
    z64, y64 = z.detach().double(), y.double()
    p = torch.sigmoid(z64)
    pt = p * y64 + (1 - p) * (1 - y64)
    ce = F.binary_cross_entropy_with_logits(z64, y64, reduction="none")
    ref = (0.25 * y64 + 0.75 * (1 - y64)) * (1 - pt) ** gamma * ce
    np.testing.assert_allclose(np_(out), np_(ref), rtol=1e-5)


@pytest.mark.parametrize(
    "fn",
    [
        lambda y, z: lt.cross_entropy(y, z, reduction="none"),
        lambda y, z: lt.cross_entropy(y, z, label_smoothing=0.1, reduction="none"),
        lambda y, z: lt.softmax_focal(y, z, gamma=2.0, reduction="none"),
        lambda y, z: lt.softmax_focal(y, z, gamma=0.5, reduction="none"),
    ],
    ids=["cross_entropy", "cross_entropy_smoothing", "softmax_focal2", "softmax_focal0.5"],
)
def test_multiclass_logits_stable(fn):
    z = torch.tensor(
        [[BIG, -BIG, 0.0], [BIG, -BIG, 0.0], [-BIG, -BIG, BIG], [0.0, 0.0, 0.0]],
        requires_grad=True,
    )
    y = torch.tensor([0, 1, 2, 1])
    out = fn(y, z)
    out.sum().backward()
    assert torch.isfinite(out).all() and torch.isfinite(z.grad).all()
    assert out[1] > 1e3  # confidently wrong


def test_softmax_focal_big_values():
    z = torch.tensor([[BIG, -BIG, 0.0], [BIG, -BIG, 0.0]])
    out = lt.softmax_focal(torch.tensor([0, 1]), z, reduction="none")
    np.testing.assert_allclose(np_(out), [0.0, 2 * BIG], rtol=1e-6)


# ---- (f) device ----------------------------------------------------------------------------
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", NAMES)
def test_cuda_device(name):
    _, _, a, kw = torch_case(name, dtype=torch.float32)
    dev = torch.device("cuda")
    a = [x.to(dev) if isinstance(x, torch.Tensor) else x for x in a]
    kw = {k: v.to(dev) if isinstance(v, torch.Tensor) else v for k, v in kw.items()}
    for r in REDUCTIONS:
        out = getattr(lt, name)(*a, **kw, reduction=r)
        assert out.device.type == "cuda"


@pytest.mark.parametrize("name", NAMES)
def test_output_on_input_device_cpu(name):
    _, _, a, kw = torch_case(name, dtype=torch.float32)
    assert getattr(lt, name)(*a, **kw).device == a[1].device


# ---- (g) validation --------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_bad_reduction(name):
    _, _, a, kw = torch_case(name)
    with pytest.raises(LossInputError, match="reduction"):
        getattr(lt, name)(*a, **kw, reduction="avg")


@pytest.mark.parametrize("name", NAMES)
def test_nan_rejected_and_named(name):
    _, _, a, kw = torch_case(name)
    i = diff_args(name)[0]
    a[i] = a[i].clone()
    a[i][0] = float("nan")  # the whole first sample, so it reaches the loss
    arg = lossbook.catalog[name].args[i] if name in lossbook.catalog else ""
    with pytest.raises(LossInputError, match=f"finite values in {arg}"):
        getattr(lt, name)(*a, **kw)
    with lossbook.validation(False):  # value checks off: NaN goes through
        out = getattr(lt, name)(*a, **kw)
    assert torch.isnan(out)


@pytest.mark.parametrize("name", NAMES)
def test_empty_rejected(name):
    _, _, a, kw = torch_case(name)
    a = [x[:0] if isinstance(x, torch.Tensor) else x for x in a]
    with pytest.raises(LossInputError, match="non-empty"):
        getattr(lt, name)(*a, **kw)


@pytest.mark.parametrize(
    "name", ["mse", "mae", "huber", "binary_cross_entropy_with_logits", "hinge", "dice"]
)
def test_no_silent_broadcasting(name):
    y = torch.zeros(4)
    p = torch.full((4, 1), 0.5)
    with pytest.raises(LossInputError, match="same shape"):
        getattr(lt, name)(y if name != "hinge" else y + 1, p)
    with lossbook.validation(False), pytest.raises(LossInputError):  # structural: always on
        getattr(lt, name)(y, p)


def test_label_and_range_checks():
    z = torch.tensor([0.5, -0.5])
    with pytest.raises(LossInputError, match=r"2\*y - 1"):
        lt.hinge(torch.tensor([0.0, 1.0]), z)
    with lossbook.validation(False):
        lt.hinge(torch.tensor([0.0, 1.0]), z)  # skipped
    with pytest.raises(LossInputError, match="p to be probabilities"):
        lt.binary_cross_entropy(torch.tensor([0.0, 1.0]), torch.tensor([0.5, 1.5]))
    with pytest.raises(LossInputError, match="y_true to be probabilities"):
        lt.focal(torch.tensor([0.0, 2.0]), z)
    with pytest.raises(LossInputError, match="var >= 0"):
        lt.gaussian_nll(torch.zeros(2), torch.zeros(2), torch.tensor([1.0, -1.0]))
    with pytest.raises(LossInputError, match="one-hot"):
        lt.categorical_hinge(torch.tensor([[1.0, 1.0]]), torch.tensor([[0.1, 0.2]]))
    with pytest.raises(LossInputError, match="distance >= 0"):
        lt.contrastive(torch.tensor([1.0]), torch.tensor([-0.1]))


def test_class_index_checks():
    z = torch.zeros(3, 4)
    with pytest.raises(LossInputError, match="between 0 and 3"):
        lt.cross_entropy(torch.tensor([0, 1, 4]), z)
    with pytest.raises(LossInputError, match="between 0 and 3"):
        lt.nll(torch.tensor([0, -1, 2]), z)
    with pytest.raises(LossInputError, match=r"\.long\(\)"):
        lt.cross_entropy(torch.tensor([0.0, 1.0, 2.0]), z)
    with pytest.raises(LossInputError, match="y_true of shape"):
        lt.cross_entropy(torch.tensor([[0], [1], [2]]), z)
    with pytest.raises(LossInputError, match="weight of shape"):
        lt.cross_entropy(torch.tensor([0, 1, 2]), z, weight=torch.ones(3))
    with lossbook.validation(False):  # the dtype check is structural and stays on
        with pytest.raises(LossInputError, match=r"\.long\(\)"):
            lt.cross_entropy(torch.tensor([0.0, 1.0, 2.0]), z)


def test_parameter_checks():
    y, p = torch.zeros(2), torch.ones(2)
    with pytest.raises(LossInputError, match="delta"):
        lt.huber(y, p, delta=0.0)
    with pytest.raises(LossInputError, match="q strictly between"):
        lt.quantile(y, p, q=1.0)
    with pytest.raises(LossInputError, match="gamma"):
        lt.focal(y, p, gamma=-1.0)
    with pytest.raises(LossInputError, match="alpha"):
        lt.focal(y, p, alpha=1.5)
    with pytest.raises(LossInputError, match="temperature"):
        lt.info_nce(torch.ones(2, 2), torch.ones(2, 2), temperature=0.0)
    with pytest.raises(LossInputError, match="pos_weight of shape"):
        lt.binary_cross_entropy_with_logits(
            torch.zeros(2, 3), torch.zeros(2, 3), pos_weight=torch.ones(2)
        )


def test_pos_weight_forms_agree():
    y = torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    z = torch.tensor([[0.3, -1.0, 2.0], [1.0, -0.5, 0.1]])
    a = lt.binary_cross_entropy_with_logits(y, z, pos_weight=3.0)
    b = lt.binary_cross_entropy_with_logits(y, z, pos_weight=torch.full((3,), 3.0))
    ref = F.binary_cross_entropy_with_logits(z, y, pos_weight=torch.tensor(3.0))
    np.testing.assert_allclose(float(a), float(ref), rtol=1e-6)
    np.testing.assert_allclose(float(b), float(ref), rtol=1e-6)


def test_validation_off_skips_value_checks_only():
    p = torch.tensor([0.5, 1.5])
    y = torch.tensor([0.0, 1.0])
    with lossbook.validation(False):
        out = lt.binary_cross_entropy(y, p)  # p out of range, computed anyway (clipped)
    assert math.isfinite(float(out))
    with pytest.raises(LossInputError):  # checks are back on after the block
        lt.binary_cross_entropy(y, p)


@pytest.mark.parametrize("name", ["mse", "mae", "huber", "smooth_l1"])
def test_overflow_with_finite_inputs_is_not_an_input_error(name):
    # these losses check finiteness through the result: an overflow must not be mistaken
    # for a non-finite input
    out = getattr(lt, name)(torch.zeros(3), torch.full((3,), 3e38), reduction="sum")
    assert torch.isinf(out)
    with pytest.raises(LossInputError, match="finite values in y_true"):
        getattr(lt, name)(torch.tensor([0.0, float("inf"), 0.0]), torch.zeros(3))


def test_checks_do_not_build_graph_or_copy():
    z = torch.randn(5, requires_grad=True)
    out = lt.mse(torch.zeros(5), z)
    out.backward()
    np.testing.assert_allclose(np_(z.grad), np_(2 * z / 5), rtol=1e-6)


# ---- the frame's fast path for the common call -----------------------------------------------
from lossbook.torch._ops import OPS as TORCH_OPS  # noqa: E402
from lossbook.torch._ops import frame as TORCH_FRAME  # noqa: E402

FAST = [n for n in NAMES if TORCH_FRAME.plans[n].fast is not None]


def test_fast_path_covers_the_benchmarked_losses():
    assert {"mse", "binary_cross_entropy_with_logits", "cross_entropy", "focal"} <= set(FAST)
    assert len(FAST) >= 15, FAST


def test_fast_inputs_accepts_only_what_needs_no_conversion():
    x, y = torch.randn(4, 3), torch.randn(4, 3)
    idx = torch.tensor([0, 2, 1, 1])
    assert TORCH_OPS.fast_inputs((y, x), 1, False, 0)
    assert TORCH_OPS.fast_inputs((idx, x), 1, True, 1)
    refused = [
        ((y.tolist(), x), False, 0),  # a list: converted by the general path
        ((y, x.half()), False, 0),  # float16: upcast
        ((y.double(), x), False, 0),  # mixed dtypes: promoted
        ((y[:3], x), False, 0),  # shapes differ: an error of the general path
        ((y, x.long()), False, 0),  # integer predictions: an error
        ((y[:0], x[:0]), False, 0),  # empty: an error
        ((idx.int(), x), True, 1),  # int32 indices: converted
        ((idx[:3], x), True, 1),  # indices of the wrong shape
        ((y, x), False, 3),  # too few axes
        ((y, torch.nn.Parameter(x)), False, 0),  # a subclass: the general path
    ]
    for raw, indices, min_ndim in refused:
        assert not TORCH_OPS.fast_inputs(raw, 1, indices, min_ndim)


def _spoil(name, targs, how):
    """A copy of the case's arguments with one bad value in the first floating argument
    (``how="nan"``) or in the first argument with a range check (``how="range"``)."""
    entry = lossbook.catalog[name]
    out = [a.detach().clone() if isinstance(a, torch.Tensor) else a for a in targs]
    if how == "nan":
        i = next(i for i, a in enumerate(out) if a.is_floating_point())
        out[i].view(-1)[0] = float("nan")
        return out
    checks = [c for c in entry.inputs.checks if c.kind in ("unit", "nonneg", "binary", "pm1")]
    if entry.inputs.target in ("indices", "indices_or_rows"):
        out[0].view(-1)[0] = 10_000  # a class index out of range
        return out
    if not checks:
        return None
    i = entry.args.index(checks[0].arg)
    out[i].view(-1)[0] = -3.0
    return out


@pytest.mark.parametrize("name", FAST)
def test_fast_and_general_paths_agree(name):
    """The same call through the fast path (plain tensors) and through the general one (the
    prediction as an ``nn.Parameter``): the same value, the same errors."""
    *_, targs, tkw = torch_case(name)
    i = TORCH_FRAME.plans[name].i_pred0
    fn = getattr(lt, name)

    def both(args):
        general = list(args)
        general[i] = torch.nn.Parameter(args[i].detach().clone())
        assert TORCH_OPS.fast_inputs(tuple(args), i, *TORCH_FRAME.plans[name].fast[1:])
        return fn(*args, **tkw), fn(*general, **tkw)

    fast, general = both(targs)
    assert torch.equal(fast, general.detach())
    for how in ("nan", "range"):
        bad = _spoil(name, targs, how)
        if bad is None:
            continue
        messages = []
        for args in (bad, None):
            if args is None:
                args = list(bad)
                args[i] = torch.nn.Parameter(bad[i].clone())
            with pytest.raises(LossInputError) as info:
                fn(*args, **tkw)
            messages.append(str(info.value))
        assert messages[0] == messages[1]


# ---- the range proof from bit patterns ---------------------------------------------------------
_EDGES = {
    "exact ends": [0.0, 1.0, 0.5],
    "subnormal": [1e-45, 4e-320, 0.0],
    "negative zero": [-0.0, 0.5, 1.0],
    "just above one": [0.0, 1.0000001, 0.5],
    "tiny negative": [-1e-30, 0.5, 0.25],
    "nan": [0.0, float("nan"), 1.0],
    "negative nan": [0.0, -float("nan"), 1.0],
    "inf": [0.0, float("inf"), 1.0],
    "minus inf": [-float("inf"), 0.5, 1.0],
    "large": [0.0, 3.0e38, 2.0],
    "largest finite": [0.0, float(torch.finfo(torch.float32).max), 1.0],
}
_RANGED = [
    (name, i)
    for name in NAMES
    for i, _ in TORCH_FRAME.plans[name].checks
    if i in TORCH_FRAME.plans[name].ranged
]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_proves_within_matches_the_float_comparison(dtype):
    """``proves_within`` is True exactly when every value is finite and in [0, top], except
    -0.0 (in range, not proven: the exact check accepts it)."""
    for edge, values in _EDGES.items():
        x = torch.tensor(values, dtype=dtype)
        for top in (1.0, math.inf):
            finite_in = bool(torch.isfinite(x).all()) and bool(((x >= 0) & (x <= top)).all())
            has_neg_zero = bool(((x == 0) & torch.signbit(x)).any())
            assert TORCH_OPS.proves_within(x, top) == (finite_in and not has_neg_zero), (edge, top)
    assert not TORCH_OPS.proves_within(torch.tensor([0.5], dtype=torch.float16), 1.0)
    # a label that requires grad, and a non-contiguous view
    assert TORCH_OPS.proves_within(torch.rand(4, 3, dtype=dtype, requires_grad=True), 1.0)
    assert TORCH_OPS.proves_within(torch.rand(4, 6, dtype=dtype)[:, ::2], 1.0)
    assert TORCH_OPS.proves_within(torch.full((3,), torch.finfo(dtype).max, dtype=dtype), math.inf)
    # a lazily negated view (the imaginary part of a conjugate) is not proven, and the loss
    # still takes it through the exact check
    neg = torch.complex(torch.zeros(4), -torch.rand(4, generator=torch.Generator().manual_seed(0)))
    y = neg.conj().imag
    assert y.is_neg() and not TORCH_OPS.proves_within(y, 1.0)
    value = lt.binary_cross_entropy_with_logits(y, torch.zeros(4))
    assert torch.allclose(value, torch.tensor(math.log(2.0)))


@pytest.mark.parametrize("name,i", _RANGED)
def test_range_proof_changes_no_outcome(name, i, monkeypatch):
    """Every loss with a range check gives the same value, or the same error, for each edge
    case with and without the adapter's proof (the proof may only skip work)."""
    plan = TORCH_FRAME.plans[name]
    *_, targs, tkw = torch_case(name)
    fn = getattr(lt, name)
    for dtype in (torch.float32, torch.float64):
        for edge, values in _EDGES.items():
            args = [a.detach().to(dtype) if a.is_floating_point() else a for a in targs]
            flat = args[i].reshape(-1).clone()
            flat[: len(values)] = torch.tensor(values, dtype=dtype)[: flat.numel()]
            args[i] = flat.reshape(args[i].shape)
            outcomes = []
            for proves in (TORCH_OPS.proves_within, None):
                monkeypatch.setattr(plan, "proves", proves)
                try:
                    outcomes.append(fn(*args, **tkw))
                except LossInputError as err:
                    outcomes.append(str(err))
            a, b = outcomes
            if isinstance(a, str) or isinstance(b, str):
                assert a == b, (edge, dtype)
            else:
                assert torch.equal(a, b) or (a.isnan().all() and b.isnan().all()), (edge, dtype)


# ---- the benchmark's smoke run --------------------------------------------------------------
@pytest.mark.slow
def test_benchmark_quick_runs():
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_losses.py"),
            "--quick",
            "--device",
            "cpu",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    for name in ("mse", "bce_with_logits", "cross_entropy", "focal"):
        assert name in proc.stdout
