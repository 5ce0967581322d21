"""Forward + backward time of lossbook.torch against the PyTorch built-ins.

Usage::

    python benchmarks/bench_losses.py            # full run (cuda if available, else cpu)
    python benchmarks/bench_losses.py --device cpu
    python benchmarks/bench_losses.py --quick    # small smoke run (used by the test suite)

Each row times one forward + backward pass of the built-in, of lossbook.torch with value
checks ON (the default) and of lossbook.torch inside ``lossbook.validation(False)``; the
three run interleaved in one process (the order rotates every repeat) after a warm-up. The
table reports the median times and, as the ratio, the median over the repeats of lossbook's
time divided by the built-in's time in the same repeat (a paired comparison: a slow stretch
of a shared machine slows all three variants of a repeat and cancels out). The target is
lossbook / built-in <= 1.10 with validation ON. The last row compares ``lossbook.numpy.mse``
with a pure-Python loop.

torchvision cannot be installed here, so the focal baseline is torchvision's
``sigmoid_focal_loss`` written out in plain torch ops (below).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import lossbook  # noqa: E402
import lossbook.torch as lt  # noqa: E402
from lossbook import examples  # noqa: E402

TARGET = 1.10


def torchvision_sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0, reduction="mean"):
    """torchvision.ops.sigmoid_focal_loss (v0.20), verbatim apart from the name."""
    p = torch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    if reduction == "mean":
        loss = loss.mean()
    elif reduction == "sum":
        loss = loss.sum()
    return loss


def _cases(n: int, n_ce: int, n_classes: int, device: torch.device):
    # the inputs come from lossbook.examples, the one source of example inputs
    def tensors(name, size, **kw):
        (y, x), _ = examples.benchmark_case(name, size, 0, **kw)
        return torch.as_tensor(y).to(device), torch.as_tensor(x).to(device).requires_grad_()

    y_reg, p_reg = tensors("mse", n)
    y_bin, z_bin = tensors("binary_cross_entropy_with_logits", n)
    y_ce, z_ce = tensors("cross_entropy", n_ce, n_classes=n_classes)
    return [
        ("mse", f"N={n:g}", p_reg, lambda: F.mse_loss(p_reg, y_reg), lambda: lt.mse(y_reg, p_reg)),
        (
            "bce_with_logits",
            f"N={n:g}",
            z_bin,
            lambda: F.binary_cross_entropy_with_logits(z_bin, y_bin),
            lambda: lt.binary_cross_entropy_with_logits(y_bin, z_bin),
        ),
        (
            "cross_entropy",
            f"N={n_ce},C={n_classes}",
            z_ce,
            lambda: F.cross_entropy(z_ce, y_ce),
            lambda: lt.cross_entropy(y_ce, z_ce),
        ),
        (
            "focal",
            f"N={n:g}",
            z_bin,
            lambda: torchvision_sigmoid_focal_loss(z_bin, y_bin),
            lambda: lt.focal(y_bin, z_bin),
        ),
    ]


def _timer(fn, leaf, device, validate=True):
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)

    def run() -> float:
        leaf.grad = None
        with lossbook.validation(validate):
            sync()
            t0 = time.perf_counter()
            fn().backward()
            sync()
            return time.perf_counter() - t0

    return run


def bench_torch(device: torch.device, quick: bool, repeats: int, warmup: int):
    n, n_ce, n_classes = (10_000, 256, 100) if quick else (1_000_000, 8192, 1000)
    rows = []
    for name, size, leaf, builtin, ours in _cases(n, n_ce, n_classes, device):
        runners = {
            "builtin": _timer(builtin, leaf, device),
            "on": _timer(ours, leaf, device, validate=True),
            "off": _timer(ours, leaf, device, validate=False),
        }
        keys = list(runners)
        warm = []
        for _ in range(warmup):
            for k in keys:
                t = runners[k]()
                if k == "builtin":
                    warm.append(t)
        # at least `repeats` repeats, more for faster cases (about 2.5 s per variant, at most
        # 500), so that the median is not at the mercy of a few scheduler hiccups
        n_rep = repeats
        if not quick:
            n_rep = max(repeats, min(500, int(2.5 / max(statistics.median(warm), 1e-6))))
        times = {k: [] for k in keys}
        for r in range(n_rep):
            order = keys[r % 3 :] + keys[: r % 3]  # rotate so no variant always runs first
            for k in order:
                times[k].append(runners[k]())
        med = {k: statistics.median(v) * 1e3 for k, v in times.items()}
        # the ratio of each repeat's lossbook time to the built-in time of the same repeat
        # (run next to it), then the median: paired, so a slow stretch of the machine that
        # hits all three variants of a repeat cancels out
        ratio = {
            k: statistics.median(a / b for a, b in zip(times[k], times["builtin"], strict=True))
            for k in ("on", "off")
        }
        rows.append((name, size, med["builtin"], med["on"], med["off"], ratio, n_rep))
    return rows


def bench_numpy(quick: bool, repeats: int):
    n = 1_000 if quick else 100_000
    rng = np.random.default_rng(0)
    y, p = rng.normal(size=n), rng.normal(size=n)
    yl, pl = y.tolist(), p.tolist()

    def loop():
        s = 0.0
        for a, b in zip(yl, pl, strict=True):
            s += (a - b) ** 2
        return s / len(yl)

    import lossbook.numpy as lnp

    if not hasattr(lnp, "mse"):
        return None
    assert abs(float(lnp.mse(y, p)) - loop()) < 1e-9 * max(1.0, loop())
    t_loop, t_np = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        loop()
        t_loop.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        lnp.mse(y, p)
        t_np.append(time.perf_counter() - t0)
    return n, statistics.median(t_loop) * 1e3, statistics.median(t_np) * 1e3


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats")
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats (>= 20)")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    repeats = args.repeats or (3 if args.quick else 25)
    warmup = 1 if args.quick else 5

    print(
        f"lossbook.torch vs built-ins, forward+backward, device={device}, "
        f"torch {torch.__version__}, threads={torch.get_num_threads()}, "
        f"median of >= {repeats} (interleaved, {warmup} warm-up)"
    )
    header = (
        f"{'loss':<16} {'size':<16} {'builtin ms':>10} {'lossbook ms':>11} {'ratio':>6} "
        f"{'no-val ms':>9} {'ratio':>6}  target<={TARGET}"
    )
    print(header)
    print("-" * len(header))
    for name, size, b, on, off, ratio, n_rep in bench_torch(device, args.quick, repeats, warmup):
        ok = "yes" if ratio["on"] <= TARGET else "NO"
        print(
            f"{name:<16} {size:<16} {b:>10.3f} {on:>11.3f} {ratio['on']:>6.3f} "
            f"{off:>9.3f} {ratio['off']:>6.3f}  {ok:<4} ({n_rep} repeats)"
        )
    res = bench_numpy(args.quick, max(3, repeats // 5))
    if res is None:
        print("\nlossbook.numpy.mse is not available: numpy row skipped")
    else:
        n, t_loop, t_np = res
        print(
            f"\nlossbook.numpy.mse vs pure-Python loop, N={n:g}: loop {t_loop:.3f} ms, "
            f"lossbook.numpy {t_np:.3f} ms, ratio lossbook/loop {t_np / t_loop:.4f} "
            f"({t_loop / t_np:.0f}x faster)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
