"""lossbook.torch.chunked_cross_entropy: the same numbers as the naive loss, no (N, V) tensor."""

from __future__ import annotations

import doctest
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch.utils._python_dispatch import TorchDispatchMode

import lossbook
import lossbook.torch as lt
from lossbook import LossInputError
from lossbook.torch import chunked

ROOT = Path(__file__).resolve().parent.parent
N, H, V = 13, 6, 11


def _problem(dtype=torch.float64, n=N, h=H, v=V, ignore=False, seed=0):
    g = torch.Generator().manual_seed(seed)
    hidden = torch.randn(n, h, generator=g, dtype=torch.float64).to(dtype).requires_grad_()
    weight = torch.randn(v, h, generator=g, dtype=torch.float64).to(dtype).requires_grad_()
    bias = torch.randn(v, generator=g, dtype=torch.float64).to(dtype).requires_grad_()
    y = torch.randint(0, v, (n,), generator=g)
    if ignore:
        y[::4] = -100
    return hidden, weight, bias, y


def _grads(out, inputs, seed=1):
    g = torch.randn(out.shape, generator=torch.Generator().manual_seed(seed), dtype=out.dtype)
    return torch.autograd.grad(out, inputs, g)


@pytest.mark.parametrize("chunk_size", [1, 4, 5, 13, 1024])  # 4 and 5 do not divide N = 13
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_value_and_gradients_match_the_naive_loss(chunk_size, reduction, dtype):
    hidden, weight, _, y = _problem(dtype)
    out = lt.chunked_cross_entropy(hidden, weight, y, chunk_size=chunk_size, reduction=reduction)
    ref = lt.cross_entropy(y, hidden @ weight.T, reduction=reduction)
    assert out.dtype == dtype and out.shape == ref.shape
    tol = 1e-12 if dtype == torch.float64 else 2e-5
    torch.testing.assert_close(out, ref, rtol=tol, atol=tol)
    for a, b in zip(_grads(out, (hidden, weight)), _grads(ref, (hidden, weight)), strict=True):
        torch.testing.assert_close(a, b, rtol=tol, atol=tol)


@pytest.mark.parametrize("chunk_size", [3, 8])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("ignore", [False, True])
def test_ignore_index_label_smoothing_and_bias_match_torch(
    chunk_size, reduction, smoothing, ignore
):
    hidden, weight, bias, y = _problem(ignore=ignore)
    kw = dict(label_smoothing=smoothing, reduction=reduction)
    out = lt.chunked_cross_entropy(
        hidden,
        weight,
        y,
        chunk_size=chunk_size,
        bias=bias,
        ignore_index=-100 if ignore else None,
        **kw,
    )
    ref = F.cross_entropy(hidden @ weight.T + bias, y, ignore_index=-100, **kw)
    torch.testing.assert_close(out, ref, rtol=1e-12, atol=1e-12)
    inputs = (hidden, weight, bias)
    for a, b in zip(_grads(out, inputs), _grads(ref, inputs), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)
    if ignore and reduction == "none":
        assert (out[y == -100] == 0).all()


def test_ignored_rows_get_no_gradient_and_mean_divides_by_the_kept_rows():
    hidden, weight, _, y = _problem(ignore=True)
    out = lt.chunked_cross_entropy(hidden, weight, y, ignore_index=-100)
    kept = y != -100
    ref = lt.cross_entropy(y[kept], hidden[kept] @ weight.T)
    torch.testing.assert_close(out, ref, rtol=1e-12, atol=1e-12)
    (gh,) = torch.autograd.grad(out, hidden)
    assert (gh[~kept] == 0).all() and (gh[kept] != 0).any()


def test_ignore_index_inside_the_class_range_and_all_rows_ignored():
    hidden, weight, _, y = _problem()
    out = lt.chunked_cross_entropy(hidden, weight, y, ignore_index=3)
    ref = F.cross_entropy(hidden @ weight.T, y, ignore_index=3)
    torch.testing.assert_close(out, ref, rtol=1e-12, atol=1e-12)
    y_all = torch.full((N,), -1)
    nan_ours = lt.chunked_cross_entropy(hidden, weight, y_all, ignore_index=-1)
    nan_torch = F.cross_entropy(hidden @ weight.T, y_all, ignore_index=-1)
    assert torch.isnan(nan_ours) and torch.isnan(nan_torch)  # 0/0, as in PyTorch
    s = lt.chunked_cross_entropy(hidden, weight, y_all, ignore_index=-1, reduction="sum")
    assert float(s.detach()) == 0.0


def test_gradcheck_float64():
    hidden, weight, bias, y = _problem(n=7, h=3, v=5, ignore=True)

    def f(h, w, b):
        return lt.chunked_cross_entropy(
            h, w, y, chunk_size=3, bias=b, ignore_index=-100, label_smoothing=0.2
        )

    assert torch.autograd.gradcheck(f, (hidden, weight, bias))


@pytest.mark.parametrize("half", [torch.bfloat16, torch.float16])
def test_half_inputs_compute_in_float32(half):
    hidden, weight, bias, y = _problem(half)
    out = lt.chunked_cross_entropy(hidden, weight, y, bias=bias, chunk_size=4)
    assert out.dtype == torch.float32
    z = hidden.float() @ weight.float().T + bias.float()
    torch.testing.assert_close(out, F.cross_entropy(z, y), rtol=1e-5, atol=1e-5)
    gh, gw, gb = torch.autograd.grad(out, (hidden, weight, bias))
    assert gh.dtype == gw.dtype == gb.dtype == half  # gradients in the inputs' dtype
    assert all(torch.isfinite(g.float()).all() for g in (gh, gw, gb))


def test_only_the_inputs_that_need_it_get_a_gradient():
    hidden, weight, _, y = _problem()
    w = weight.detach()
    out = lt.chunked_cross_entropy(hidden, w, y, chunk_size=4)
    out.backward()
    ref = torch.autograd.grad(lt.cross_entropy(y, hidden @ w.T), hidden)[0]
    torch.testing.assert_close(hidden.grad, ref, rtol=1e-12, atol=1e-12)
    assert w.grad is None


# ---- validation -------------------------------------------------------------------------------
def _call(**change):
    hidden, weight, bias, y = _problem()
    kw = dict(hidden=hidden, weight=weight, y_true=y)
    kw.update(change)
    args = (kw.pop("hidden"), kw.pop("weight"), kw.pop("y_true"))
    return lt.chunked_cross_entropy(*args, **kw)


@pytest.mark.parametrize(
    "change, words",
    [
        (dict(reduction="avg"), ["reduction", "'avg'"]),
        (dict(label_smoothing=1.5), ["label_smoothing", "[0, 1]"]),
        (dict(chunk_size=0), ["chunk_size", "> 0"]),
        (dict(chunk_size=-3), ["chunk_size", "> 0"]),
        (dict(chunk_size=2.5), ["chunk_size", "integer"]),
        (dict(chunk_size=True), ["chunk_size", "integer"]),
        (dict(ignore_index=-1.0), ["ignore_index", "integer"]),
        (dict(hidden=torch.ones(N, H, dtype=torch.int64)), ["hidden", "floating", "int64"]),
        (dict(weight=torch.ones(V, H, dtype=torch.int32)), ["weight", "floating"]),
        (dict(bias=torch.ones(V, dtype=torch.int64)), ["bias", "floating"]),
        (dict(y_true=torch.zeros(N)), ["y_true", "integer class indices", ".long()"]),
        (dict(hidden=torch.ones(2, N, H)), ["hidden", "(N, H)", "flatten"]),
        (dict(weight=torch.ones(V * H)), ["weight", "(V, H)"]),
        (dict(hidden=torch.ones(0, H)), ["hidden", "non-empty"]),
        (dict(weight=torch.ones(0, H)), ["weight", "non-empty"]),
        (dict(weight=torch.ones(H, V)), ["weight", "(V, H)", "transposed"]),
        (dict(y_true=torch.zeros(N, 1, dtype=torch.int64)), ["y_true", "(N,)", f"({N},)"]),
        (dict(bias=torch.ones(V + 1)), ["bias", "(V,)"]),
        (dict(hidden=torch.full((N, H), float("nan"))), ["hidden", "finite"]),
        (dict(weight=torch.full((V, H), float("inf"))), ["weight", "finite"]),
        (dict(y_true=torch.full((N,), V)), ["y_true", f"0 and {V - 1}", "ignore_index"]),
        (dict(y_true=torch.full((N,), -100)), ["y_true", f"0 and {V - 1}"]),
        (
            dict(y_true=torch.tensor([-100] * (N - 1) + [V]), ignore_index=-100),
            ["y_true", f"0 and {V - 1}", "ignore_index=-100", f"[{V}, {V}]"],
        ),
    ],
)
def test_bad_input_raises_a_message_naming_the_argument(change, words):
    with pytest.raises(LossInputError) as err:
        _call(**change)
    msg = str(err.value)
    assert msg.startswith("chunked_cross_entropy ")
    for w in words:
        assert w in msg, (w, msg)


def test_value_checks_can_be_switched_off():
    with lossbook.validation(False):
        out = _call(hidden=torch.full((N, H), float("nan")))
    assert torch.isnan(out)


# ---- memory: no (N, V) tensor, ever ------------------------------------------------------------
class _BiggestOutput(TorchDispatchMode):
    """Records the largest tensor any operator returns (forward and backward)."""

    def __init__(self):
        super().__init__()
        self.biggest = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in out if isinstance(out, (tuple, list)) else (out,):
            if isinstance(t, torch.Tensor):
                self.biggest = max(self.biggest, t.numel())
        return out


def _saved_and_created(fn, hidden, weight):
    saved = []

    def pack(t):
        saved.append(t.numel())
        return t

    mode = _BiggestOutput()
    with mode:
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            loss = fn()
        loss.backward()
    return max(saved), mode.biggest


@pytest.mark.parametrize("impl", ["chunked", "naive"])
def test_no_tensor_of_n_times_v_elements_is_saved_or_created(impl):
    n, h, v, chunk = 64, 8, 50, 16  # N·V = 3200 > V·H = 400, N·H = 512, chunk·V = 800
    hidden, weight, _, y = _problem(torch.float32, n=n, h=h, v=v)
    if impl == "chunked":
        fn = lambda: lt.chunked_cross_entropy(hidden, weight, y, chunk_size=chunk)  # noqa: E731
    else:
        fn = lambda: F.cross_entropy(hidden @ weight.T, y)  # noqa: E731
    biggest_saved, biggest_created = _saved_and_created(fn, hidden, weight)
    if impl == "chunked":
        assert biggest_saved < n * v and biggest_created < n * v
        assert biggest_created <= chunk * v
        assert biggest_saved == max(n * h, v * h)  # hidden and weight themselves
    else:  # the check would catch the naive implementation
        assert biggest_saved >= n * v and biggest_created >= n * v


def test_docstring_examples():
    res = doctest.testmod(chunked, optionflags=doctest.ELLIPSIS)
    assert res.attempted > 0 and res.failed == 0


def test_exported_from_lossbook_torch_but_not_a_catalog_loss():
    assert "chunked_cross_entropy" in lt.__all__
    assert "chunked_cross_entropy" not in {e.name for e in lossbook.catalog}


@pytest.mark.slow
def test_benchmark_quick_smoke():
    r = subprocess.run(
        [sys.executable, "benchmarks/bench_chunked_ce.py", "--quick", "--vocab", "512"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert any("naive ms" in ln and "mem x" in ln for ln in lines), r.stdout
    row = next(ln for ln in lines if ln.strip().startswith("512 "))
    assert "failed" not in row and "MISMATCH" not in row, row


@pytest.mark.slow
def test_distributed_demo_two_gloo_processes():
    from lossbook import distributed_demo

    res = distributed_demo.run(lengths=(8, 7, 2, 1), world_size=2)
    ref, ranks = res["reference"], res["ranks"]
    assert [r["tokens"] for r in ranks] == [15, 3] and ref["tokens"] == 18
    for r in ranks:
        assert abs(r["right_loss"] - ref["loss"]) < 1e-12
        assert abs(r["wrong_loss"] - ref["loss"]) > 0.1  # the mean of means is biased here
        right = torch.tensor(r["right_grad"], dtype=torch.float64)
        torch.testing.assert_close(right, torch.tensor(ref["grad"], dtype=torch.float64))
