"""Reference tests of the version-3 losses ctc, giou, dpo and distillation_kl: each against
the frameworks' own built-ins or an independent formula, its hand-derived gradient against
finite differences and autodiff, and the edge cases the contract names."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import tensorflow as tf
import torch
import torch.nn.functional as F

import lossbook.numpy as lnp
import lossbook.tensorflow as ltf
import lossbook.torch as lt
from lossbook import LossInputError
from lossbook.check import numerical_grad
from lossbook.examples import make_case

REDUCTIONS = ("mean", "sum", "none")


def _log_softmax(z):
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


# ---- ctc ---------------------------------------------------------------------------------
def _ctc_batch(seed=0, impossible=True):
    """A batch of five samples (T = 6, C = 4, S = 3, blank = 0); with ``impossible`` the
    last one has a repeated label pair in 2 frames: no alignment."""
    rng = np.random.default_rng(seed)
    log_probs = _log_softmax(rng.normal(scale=1.5, size=(5, 6, 4)))
    targets = np.array([[1, 2, 3], [2, 2, -1], [3, -1, -1], [1, 3, 1], [1, 1, 7]])
    input_lengths = np.array([6, 4, 5, 6, 2 if impossible else 6])
    target_lengths = np.array([3, 2, 1, 0, 2])
    return targets, log_probs, input_lengths, target_lengths


def _torch_builtin_ctc(targets, log_probs, input_lengths, target_lengths, **kw):
    lp = torch.tensor(log_probs, requires_grad=True)
    out = F.ctc_loss(
        lp.transpose(0, 1),
        torch.as_tensor(np.where(targets < 0, 0, targets)),  # torch reads no padding either
        torch.as_tensor(input_lengths),
        torch.as_tensor(target_lengths),
        **kw,
    )
    return out, lp


@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_ctc_matches_torch_ctc_loss_in_every_backend(reduction, zero_infinity):
    targets, lp, il, tl = _ctc_batch()
    kw = {"blank": 0, "zero_infinity": zero_infinity, "reduction": reduction}
    ref, _ = _torch_builtin_ctc(targets, lp, il, tl, **kw)
    ref = ref.detach().numpy()
    if not zero_infinity:
        assert np.isinf(lnp.ctc(targets, lp, il, tl, reduction="none")[-1])
    t_args = [torch.as_tensor(a) for a in (targets, lp, il, tl)]
    f_args = [tf.constant(a) for a in (targets, lp, il, tl)]
    for got in (
        lnp.ctc(targets, lp, il, tl, **kw),
        lt.ctc(*t_args, **kw).numpy(),
        ltf.ctc(*f_args, **kw).numpy(),
    ):
        np.testing.assert_allclose(got, ref, rtol=1e-10)


def test_ctc_with_another_blank_matches_torch():
    targets, lp, il, tl = _ctc_batch(1, impossible=False)
    targets = np.where(targets == 3, 0, targets)  # class 3 becomes the blank
    targets[4, 2] = 3  # padding may hold anything, even the blank
    ref, _ = _torch_builtin_ctc(targets, lp, il, tl, blank=3, reduction="none")
    np.testing.assert_allclose(
        lnp.ctc(targets, lp, il, tl, blank=3, reduction="none"), ref.detach()
    )
    tf_out = ltf.ctc(*[tf.constant(a) for a in (targets, lp, il, tl)], blank=3, reduction="none")
    np.testing.assert_allclose(tf_out.numpy(), ref.detach(), rtol=1e-10)


def test_ctc_matches_tensorflow_ctc_loss_which_is_finite_where_no_alignment_exists():
    targets, lp, il, tl = _ctc_batch(2)
    padded = np.where(np.arange(3) < tl[:, None], targets, 0)
    theirs = tf.nn.ctc_loss(  # no float64 kernel; it applies a log_softmax (no-op here)
        tf.constant(padded, tf.int32),
        tf.constant(lp, tf.float32),
        tf.constant(tl, tf.int32),
        tf.constant(il, tf.int32),
        logits_time_major=False,
        blank_index=0,
    ).numpy()
    ours = lnp.ctc(targets, lp, il, tl, reduction="none")
    impossible = theirs > 100.0  # TensorFlow's stand-in for inf (about 700)
    np.testing.assert_array_equal(impossible, np.isinf(ours))
    assert impossible.tolist() == [False, False, False, False, True]
    np.testing.assert_allclose(ours[~impossible], theirs[~impossible], rtol=1e-5)
    f_out = ltf.ctc(*[tf.constant(a) for a in (targets, lp, il, tl)], reduction="none").numpy()
    assert np.isinf(f_out[-1]) and np.isfinite(f_out[:-1]).all()


def _collapse(path, blank):
    out = [k for k, _ in itertools.groupby(path)]
    return tuple(k for k in out if k != blank)


@pytest.mark.parametrize("seed", range(4))
def test_ctc_equals_the_sum_over_every_alignment(seed):
    """Brute force: every path of T frames over C classes (C**T <= 4**6 paths)."""
    rng = np.random.default_rng(seed)
    t_len, c = int(rng.integers(3, 7)), int(rng.integers(2, 5))
    blank = int(rng.integers(0, c))
    classes = [k for k in range(c) if k != blank]
    s_len = int(rng.integers(0, 4))
    label = tuple(int(k) for k in rng.choice(classes, size=s_len))
    lp = rng.normal(size=(t_len, c))  # free log_probs: the sum is over their exponentials
    total = sum(
        math.exp(sum(lp[t, k] for t, k in enumerate(path)))
        for path in itertools.product(range(c), repeat=t_len)
        if _collapse(path, blank) == label
    )
    args = (
        np.array([label if label else (blank,)]),
        lp[None],
        np.array([t_len]),
        np.array([s_len]),
    )
    if not label:  # an empty target: padding of one entry
        args = (np.full((1, 1), blank), *args[1:])
    ours = lnp.ctc(*args, blank=blank, reduction="sum")
    expected = -math.log(total) if total > 0 else math.inf
    np.testing.assert_allclose(ours, expected, rtol=1e-12)
    tf_args = [tf.constant(a) for a in args]
    np.testing.assert_allclose(
        ltf.ctc(*tf_args, blank=blank, reduction="sum"), expected, rtol=1e-10
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_ctc_grad_is_the_free_input_derivative(reduction):
    targets, lp, il, tl = _ctc_batch(3, impossible=False)
    g = lnp.ctc_grad(targets, lp, il, tl, reduction=reduction)

    def f(x):
        return float(np.sum(lnp.ctc(targets, x, il, tl, reduction=reduction)))

    np.testing.assert_allclose(g, numerical_grad(f, lp), atol=1e-8)
    # torch autograd of lossbook.torch.ctc on free log_probs: the same derivative
    x = torch.tensor(lp, requires_grad=True)
    lt.ctc(
        torch.as_tensor(targets), x, torch.as_tensor(il), torch.as_tensor(tl), reduction=reduction
    ).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), g, rtol=1e-9, atol=1e-12)
    # the built-in's backward: the same plus exp(log_probs) on the valid frames (scaled as
    # the reduction scales each sample), which is what the contract says it returns
    out, y = _torch_builtin_ctc(targets, lp, il, tl, reduction=reduction)
    out.sum().backward()
    valid = (np.arange(lp.shape[1]) < il[:, None])[..., None]
    scale = {"none": 1.0, "sum": 1.0, "mean": 1.0 / (np.maximum(tl, 1) * len(tl))[:, None, None]}
    np.testing.assert_allclose(
        y.grad.numpy(), g + np.exp(lp) * valid * scale[reduction], rtol=1e-9, atol=1e-12
    )


def test_ctc_gradients_agree_once_chained_through_log_softmax():
    targets, lp, il, tl = _ctc_batch(4, impossible=False)
    logits = np.random.default_rng(4).normal(size=lp.shape)
    z1 = torch.tensor(logits, requires_grad=True)
    F.ctc_loss(
        F.log_softmax(z1, -1).transpose(0, 1),
        torch.as_tensor(np.where(targets < 0, 0, targets)),
        torch.as_tensor(il),
        torch.as_tensor(tl),
    ).backward()
    z2 = torch.tensor(logits, requires_grad=True)
    lt.ctc(
        torch.as_tensor(targets), F.log_softmax(z2, -1), torch.as_tensor(il), torch.as_tensor(tl)
    ).backward()
    np.testing.assert_allclose(z2.grad.numpy(), z1.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("zero_infinity", [True, False])
def test_ctc_without_alignment_gives_a_zero_gradient_in_every_backend(zero_infinity):
    targets, lp, il, tl = _ctc_batch(5)
    kw = {"zero_infinity": zero_infinity, "reduction": "sum"}
    g = lnp.ctc_grad(targets, lp, il, tl, **kw)
    assert np.all(g[-1] == 0)
    x = torch.tensor(lp, requires_grad=True)
    lt.ctc(torch.as_tensor(targets), x, torch.as_tensor(il), torch.as_tensor(tl), **kw).backward()
    np.testing.assert_allclose(x.grad.numpy(), g, rtol=1e-9, atol=1e-12)
    xt = tf.constant(lp)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        out = ltf.ctc(
            *[tf.constant(a) for a in (targets,)], xt, tf.constant(il), tf.constant(tl), **kw
        )
    np.testing.assert_allclose(tape.gradient(out, xt).numpy(), g, rtol=1e-8, atol=1e-10)


def test_ctc_in_tf_function_with_unknown_lengths_of_every_axis():
    targets, lp, il, tl = _ctc_batch(7)
    spec = [
        tf.TensorSpec([None, None], tf.int64),
        tf.TensorSpec([None, None, 4], tf.float64),
        tf.TensorSpec([None], tf.int64),
        tf.TensorSpec([None], tf.int64),
    ]
    graph = tf.function(lambda *a: ltf.ctc(*a, reduction="none"), input_signature=spec)
    got = graph(*[tf.constant(a) for a in (targets, lp, il, tl)]).numpy()
    np.testing.assert_allclose(got, lnp.ctc(targets, lp, il, tl, reduction="none"), rtol=1e-10)


def test_ctc_input_errors():
    targets, lp, il, tl = _ctc_batch(6, impossible=False)
    cases = [
        ((targets, lp, il + 1, tl), "input_lengths between 1 and 6"),
        ((targets, lp, il * 0, tl), "input_lengths between 1 and 6"),
        ((targets, lp, il, tl + 1), "target_lengths between 0 and 3"),
        ((targets, lp, il, tl - 1), "target_lengths between 0 and 3"),
        ((np.where(targets == 2, 0, targets), lp, il, tl), "equal to blank = 0"),
        ((np.where(targets == 2, 4, targets), lp, il, tl), "targets between 0 and 3"),
        ((targets, lp[..., 0], il, tl), "log_probs of shape (N, T, C)"),
        ((targets.astype(float), lp, il, tl), "integer labels in targets"),
    ]
    for args, words in cases:
        with pytest.raises(LossInputError) as info:
            lnp.ctc(*args)
        assert words in str(info.value), str(info.value)
    # a target too long for its input is allowed: no alignment, inf
    assert np.isinf(lnp.ctc(targets[:1], lp[:1, :2], [2], [3], reduction="none")[0])


# ---- giou --------------------------------------------------------------------------------
def test_giou_matches_torchvision():
    tv = pytest.importorskip("torchvision.ops", reason="torchvision is not installed here")
    (true, pred), _ = make_case("giou", 0)
    for r in REDUCTIONS:
        ref = tv.generalized_box_iou_loss(torch.as_tensor(pred), torch.as_tensor(true), reduction=r)
        np.testing.assert_allclose(lnp.giou(true, pred, reduction=r), ref.numpy(), rtol=1e-12)


GIOU_HAND = [
    # identical boxes: IoU = 1, C = the box: loss 0 (up to eps)
    ([0.0, 0.0, 2.0, 3.0], [0.0, 0.0, 2.0, 3.0], 0.0),
    # disjoint: A = [0,1]x[0,1], B = [2,3]x[0,1]; U = 2, C = [0,3]x[0,1] = 3 -> 1 + 1/3
    ([0.0, 0.0, 1.0, 1.0], [2.0, 0.0, 3.0, 1.0], 1.0 + 1.0 / 3.0),
    # nested: B = [1,2]x[1,2] inside A = [0,4]x[0,4]: IoU = 1/16, C = A = U -> 1 - 1/16
    ([0.0, 0.0, 4.0, 4.0], [1.0, 1.0, 2.0, 2.0], 1.0 - 1.0 / 16.0),
    # partial overlap: I = 1, U = 7, C = 9 -> 1 - 1/7 + 2/9
    ([0.0, 0.0, 2.0, 2.0], [1.0, 1.0, 3.0, 3.0], 1.0 - 1.0 / 7.0 + 2.0 / 9.0),
]


@pytest.mark.parametrize("true, pred, expected", GIOU_HAND)
def test_giou_hand_computed(true, pred, expected):
    for got in (
        lnp.giou([true], [pred], reduction="none"),
        lt.giou(torch.tensor([true]), torch.tensor([pred]), reduction="none").numpy(),
        ltf.giou(tf.constant([true]), tf.constant([pred]), reduction="none").numpy(),
    ):
        np.testing.assert_allclose(got, [expected], atol=1e-6)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_giou_gradient_against_finite_differences_and_autodiff(reduction):
    (true, pred), kw = make_case("giou", 1)
    g = lnp.giou_grad(true, pred, **kw, reduction=reduction)
    fd = numerical_grad(lambda x: float(np.sum(lnp.giou(true, x, **kw, reduction=reduction))), pred)
    np.testing.assert_allclose(g, fd, atol=1e-8)
    x = torch.tensor(pred, requires_grad=True)
    lt.giou(torch.as_tensor(true), x, **kw, reduction=reduction).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), g, rtol=1e-9, atol=1e-12)
    xt = tf.constant(pred)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        out = tf.reduce_sum(ltf.giou(tf.constant(true), xt, **kw, reduction=reduction))
    np.testing.assert_allclose(tape.gradient(out, xt).numpy(), g, rtol=1e-9, atol=1e-12)


def test_giou_still_has_a_gradient_for_disjoint_boxes():
    g = lnp.giou_grad([[0.0, 0.0, 1.0, 1.0]], [[2.0, 0.0, 3.0, 1.0]], reduction="sum")
    # 1 - IoU is flat here (IoU = 0); GIoU = 1 + (C - U) / C with U = 2, C = 3 (x2 - 0):
    # d/dx1 = 1/3 (B's area shrinks), d/dx2 = -(C - U)/C^2 = -1/9
    np.testing.assert_allclose(g[0, [0, 2]], [1 / 3, -1 / 9], rtol=1e-6)
    assert g[0, 0] + g[0, 2] > 0  # moving the predicted box left (towards A) lowers the loss


@pytest.mark.parametrize("backend", [lnp, lt, ltf])
def test_giou_rejects_inverted_boxes_and_a_last_axis_other_than_4(backend):
    conv = {lnp: np.asarray, lt: torch.tensor, ltf: tf.constant}[backend]
    good = [[0.0, 0.0, 1.0, 1.0]]
    with pytest.raises(LossInputError, match="boxes_pred as \\(x1, y1, x2, y2\\) with x2 >= x1"):
        backend.giou(conv(good), conv([[1.0, 0.0, 0.0, 1.0]]))
    with pytest.raises(LossInputError, match="boxes_true as"):
        backend.giou(conv([[0.0, 1.0, 1.0, 0.0]]), conv(good))
    with pytest.raises(
        LossInputError, match="boxes_pred of shape \\(N, 4\\), a last axis of size 4"
    ):
        backend.giou(conv(good), conv([[0.0, 0.0, 1.0]]))


# ---- dpo ---------------------------------------------------------------------------------
def test_dpo_closed_form_and_torch_logsigmoid():
    (c, r, cr, rr), kw = make_case("dpo", 0)
    beta = kw["beta"]
    u = beta * ((c - cr) - (r - rr))
    closed = np.log1p(np.exp(-u))
    np.testing.assert_allclose(
        lnp.dpo(c, r, cr, rr, beta=beta, reduction="none"), closed, rtol=1e-12
    )
    direct = -F.logsigmoid(
        beta * ((torch.tensor(c) - torch.tensor(cr)) - (torch.tensor(r) - torch.tensor(rr)))
    )
    t_args = [torch.tensor(a) for a in (c, r, cr, rr)]
    np.testing.assert_allclose(lt.dpo(*t_args, beta=beta, reduction="none"), direct, rtol=1e-12)
    f_args = [tf.constant(a) for a in (c, r, cr, rr)]
    np.testing.assert_allclose(ltf.dpo(*f_args, beta=beta, reduction="none"), closed, rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_dpo_gradient_tuple_and_constant_references(reduction):
    (c, r, cr, rr), kw = make_case("dpo", 1)
    g_c, g_r = lnp.dpo_grad(c, r, cr, rr, **kw, reduction=reduction)
    for g, i in ((g_c, 0), (g_r, 1)):

        def f(x, i=i):
            args = [c, r, cr, rr]
            args[i] = x
            return float(np.sum(lnp.dpo(*args, **kw, reduction=reduction)))

        np.testing.assert_allclose(g, numerical_grad(f, [c, r][i]), atol=1e-8)
    ts = [torch.tensor(a, requires_grad=True) for a in (c, r, cr, rr)]
    lt.dpo(*ts, **kw, reduction=reduction).sum().backward()
    np.testing.assert_allclose(ts[0].grad.numpy(), g_c, rtol=1e-12)
    np.testing.assert_allclose(ts[1].grad.numpy(), g_r, rtol=1e-12)
    assert ts[2].grad is None and ts[3].grad is None  # the reference model is a constant
    vs = [tf.Variable(a) for a in (c, r, cr, rr)]
    with tf.GradientTape() as tape:
        out = tf.reduce_sum(ltf.dpo(*vs, **kw, reduction=reduction))
    grads = tape.gradient(out, vs)
    np.testing.assert_allclose(grads[0].numpy(), g_c, rtol=1e-12)
    np.testing.assert_allclose(grads[1].numpy(), g_r, rtol=1e-12)
    assert grads[2] is None and grads[3] is None


@pytest.mark.parametrize("backend", [lnp, lt, ltf])
def test_dpo_beta_must_be_positive(backend):
    conv = {lnp: np.asarray, lt: torch.tensor, ltf: tf.constant}[backend]
    args = [conv([-1.0]), conv([-2.0]), conv([-1.5]), conv([-1.5])]
    backend.dpo(*args, beta=1e-9)
    for beta in (0.0, -0.1):
        with pytest.raises(LossInputError, match="beta > 0"):
            backend.dpo(*args, beta=beta)


# ---- distillation_kl -----------------------------------------------------------------------
@pytest.mark.parametrize("temperature", [0.5, 1.0, 4.0])
def test_distillation_kl_matches_torch_kl_div_batchmean_times_t_squared(temperature):
    (teacher, student), _ = make_case("distillation_kl", 0)
    t = temperature
    ref = (
        F.kl_div(
            F.log_softmax(torch.tensor(student) / t, -1),
            F.softmax(torch.tensor(teacher) / t, -1),
            reduction="batchmean",
        )
        * t**2
    )
    for got in (
        lnp.distillation_kl(teacher, student, temperature=t),
        lt.distillation_kl(torch.tensor(teacher), torch.tensor(student), temperature=t),
        ltf.distillation_kl(tf.constant(teacher), tf.constant(student), temperature=t),
    ):
        np.testing.assert_allclose(np.asarray(got), ref.numpy(), rtol=1e-12)


def test_distillation_kl_gradient_is_t_times_q_minus_p_over_n():
    (teacher, student), kw = make_case("distillation_kl", 1)
    t, n = kw["temperature"], teacher.shape[0]

    def softmax(z):
        e = np.exp(z - z.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)

    expected = t * (softmax(student / t) - softmax(teacher / t)) / n
    g = lnp.distillation_kl_grad(teacher, student, temperature=t)
    np.testing.assert_allclose(g, expected, rtol=1e-12)
    fd = numerical_grad(lambda x: float(lnp.distillation_kl(teacher, x, temperature=t)), student)
    np.testing.assert_allclose(g, fd, atol=1e-8)
    x = torch.tensor(student, requires_grad=True)
    lt.distillation_kl(torch.tensor(teacher), x, temperature=t).backward()
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-10)


@pytest.mark.parametrize("backend", [lnp, lt, ltf])
def test_distillation_kl_temperature_must_be_positive(backend):
    conv = {lnp: np.asarray, lt: torch.tensor, ltf: tf.constant}[backend]
    z = conv([[1.0, 0.0, -1.0]])
    backend.distillation_kl(z, z, temperature=1e-3)
    for t in (0.0, -1.0):
        with pytest.raises(LossInputError, match="temperature > 0"):
            backend.distillation_kl(z, z, temperature=t)
