"""Peak memory and time of the loss step: naive vs chunked linear cross-entropy.

Usage::

    python benchmarks/bench_chunked_ce.py              # full run: N=4096, H=1024, V in 8k/32k/128k
    python benchmarks/bench_chunked_ce.py --device cuda
    python benchmarks/bench_chunked_ce.py --quick      # tiny smoke run (used by the test suite)

The *loss step* is the forward and backward pass of the output layer and the loss, from the
hidden states ``hidden (N, H)`` and the output weight ``weight (V, H)`` (both requiring
gradients) to their gradients, in float32:

- naive:   ``torch.nn.functional.cross_entropy(hidden @ weight.T, y).backward()``
- chunked: ``lossbook.torch.chunked_cross_entropy(hidden, weight, y, chunk_size=c).backward()``

Every (V, method) runs in a **fresh subprocess**, so one configuration's peak cannot hide
another's, and reports:

- *time*: the median of the timed steps after the untimed first step (below); by default
  3 timed steps for V <= 16384, 2 for V <= 65536 and 1 above, so that the full run stays
  within 8 minutes on 2 CPU cores (one naive step at V = 128k takes tens of seconds);
- *tensor peak* (the number the targets use): on CUDA, ``torch.cuda.max_memory_allocated()``
  minus the memory allocated before the step; on CPU, torch's profiler with
  ``profile_memory=True`` records every allocation and free of the CPU allocator with its
  size and time stamp; the running sum of those events over the step, maximised, is the
  peak of live tensor bytes above what existed before the step (the inputs). It counts
  every temporary, including those freed inside an operator, and nothing that is not a
  tensor;
- *RSS delta* (CPU only): the process's peak resident set size during the first step
  minus its RSS just before. The kernel's high-water mark ``VmHWM`` is reset through
  ``/proc/self/clear_refs`` (Linux) right before the step, so the inputs' creation does not
  count. It includes what the tensor count misses (allocator slack, BLAS / OpenMP buffers,
  first-touch of freshly mapped pages) and is noisier.

Both memory numbers come from the first step of the fresh process (the profiler's own
bookkeeping is a few hundred small events); that step is also the warm-up.

The measured peaks follow ``naive ~ 3·N·V`` floats (the saved log-softmax, its incoming
gradient and the gradient of the logits) and ``chunked ~ V·H + N·H + chunk·V`` floats (the two
gradients, which every method must produce, and one chunk of logits), so the memory ratio
cannot fall below about ``H / (3N + H)`` however small the chunks. The targets at V = 32k are:
tensor peak of the chunked step <= 1/8 of the naive one, time <= 1.5x naive. The default chunk
size here is 256 rows; with the function's default of 1024 rows and N = 4096 there are only 4
chunks and the ratio is about 0.18 (see the chapter "Losses at scale").
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import lossbook.torch as lt  # noqa: E402

MEMORY_TARGET = 1 / 8  # chunked peak / naive peak at V = 32k
TIME_TARGET = 1.5  # chunked time / naive time at V = 32k
TARGET_V = 32768
MIB = 2**20


# ---- the worker: one (V, method) in its own process ------------------------------------------
def _proc_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    """Reset the kernel's RSS high-water mark (Linux >= 4.0); False if not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _profiled_peak_bytes(step) -> int:
    """Peak of live CPU tensor bytes during ``step()``, from the profiler's memory events."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        step()
    events = sorted(
        (e.start_ns(), e.nbytes())
        for e in prof.profiler.kineto_results.events()
        if e.name() == "[memory]" and e.device_type() == torch.autograd.DeviceType.CPU
    )
    live = peak = 0
    for _, nbytes in events:  # + for an allocation, - for a free
        live += nbytes
        peak = max(peak, live)
    return peak


@contextlib.contextmanager
def _quiet_stderr():
    """The profiler's C++ side logs to file descriptor 2; silence it in the worker."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def worker(cfg: dict) -> dict:
    device = torch.device(cfg["device"])
    if cfg.get("threads"):
        torch.set_num_threads(cfg["threads"])
    n, h, v, chunk = cfg["n"], cfg["h"], cfg["v"], cfg["chunk"]
    g = torch.Generator(device="cpu").manual_seed(0)
    hidden = torch.randn(n, h, generator=g).to(device).requires_grad_()
    weight = (torch.randn(v, h, generator=g) / h**0.5).to(device).requires_grad_()
    y = torch.randint(0, v, (n,), generator=g).to(device)
    cuda = device.type == "cuda"
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    out = {}

    def step():
        hidden.grad = weight.grad = None
        if cfg["method"] == "naive":
            loss = F.cross_entropy(hidden @ weight.T, y)
        else:
            loss = lt.chunked_cross_entropy(hidden, weight, y, chunk_size=chunk)
        loss.backward()
        out["loss"] = float(loss.detach())  # one sync, inside the step for both methods

    def clear():
        hidden.grad = weight.grad = None

    # 1. first step, in the fresh process: process RSS delta and tensor peak (CPU), or the
    #    CUDA allocator's peak; it is also the warm-up of the timed steps
    clear()
    sync()
    if cuda:
        torch.cuda.reset_peak_memory_stats(device)
        base = torch.cuda.memory_allocated(device)
        step()
        sync()
        out["peak_bytes"] = torch.cuda.max_memory_allocated(device) - base
        out["rss_bytes"] = None
    else:
        rss0 = _proc_kib("VmRSS")
        ok = _reset_peak_rss()
        with _quiet_stderr():
            out["peak_bytes"] = _profiled_peak_bytes(step)
        hwm = _proc_kib("VmHWM")
        out["rss_bytes"] = (hwm - rss0) * 1024 if ok and rss0 and hwm else None
    # 2. timing: the step above was the warm-up
    times = []
    for _ in range(cfg["repeats"]):
        clear()
        sync()
        t0 = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - t0)
    out["ms"] = statistics.median(times) * 1e3
    return out


# ---- the driver ---------------------------------------------------------------------------------
def run_config(cfg: dict, timeout: float) -> dict | None:
    """Run one configuration in a fresh interpreter; None if it failed or timed out."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(cfg)]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("{")]
    if r.returncode != 0 or not lines:
        tail = (r.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"failed (exit {r.returncode}): {tail}"}
    return json.loads(lines[-1])


def _fmt_mib(b) -> str:
    if b is None:
        return "-"
    return f"{b / MIB:.1f}" if b < 100 * MIB else f"{b / MIB:.0f}"


def bench(
    device: str,
    vocabs,
    n: int,
    h: int,
    chunk: int,
    repeats: int,
    threads: int | None,
    timeout: float,
):
    rows = []
    for v in vocabs:
        res = {}
        for method in ("naive", "chunked"):
            cfg = dict(
                method=method,
                device=device,
                n=n,
                h=h,
                v=v,
                chunk=chunk,
                repeats=repeats or (3 if v <= 16384 else 2 if v <= 65536 else 1),
                threads=threads,
            )
            res[method] = run_config(cfg, timeout)
        rows.append((v, res["naive"], res["chunked"]))
    return rows


def format_table(rows, device: str) -> list[str]:
    rss = device.startswith("cpu")
    head = (
        f"{'V':>7} {'naive ms':>9} {'chunked ms':>10} {'time x':>6} "
        f"{'naive MiB':>9} {'chunked MiB':>11} {'mem x':>6}"
    )
    if rss:
        head += f" {'naive RSS':>9} {'chunk RSS':>9}"
    head += "  target"
    lines = [head, "-" * len(head)]
    for v, a, b in rows:
        if "error" in a or "error" in b:
            bad = a if "error" in a else b
            which = "naive" if "error" in a else "chunked"
            line = f"{v:>7} {which} {bad['error']}"
            if "error" not in b:
                line += f"; chunked {b['ms']:.0f} ms, peak {_fmt_mib(b['peak_bytes'])} MiB"
            lines.append(line)
            continue
        tr, mr = b["ms"] / a["ms"], b["peak_bytes"] / a["peak_bytes"]
        line = (
            f"{v:>7} {a['ms']:>9.0f} {b['ms']:>10.0f} {tr:>6.2f} "
            f"{_fmt_mib(a['peak_bytes']):>9} {_fmt_mib(b['peak_bytes']):>11} {mr:>6.3f}"
        )
        if rss:
            line += f" {_fmt_mib(a['rss_bytes']):>9} {_fmt_mib(b['rss_bytes']):>9}"
        if v == TARGET_V:
            ok = mr <= MEMORY_TARGET and tr <= TIME_TARGET
            line += (
                f"  {'met' if ok else 'NOT met'} (mem {mr:.3f} <= {MEMORY_TARGET:.3f}: "
                f"{'yes' if mr <= MEMORY_TARGET else 'no'}, time {tr:.2f} <= {TIME_TARGET}: "
                f"{'yes' if tr <= TIME_TARGET else 'no'})"
            )
        else:
            line += "  -"
        if abs(a["loss"] - b["loss"]) > 1e-4 * max(1.0, abs(a["loss"])):
            line += f"  LOSS MISMATCH {a['loss']:.6f} vs {b['loss']:.6f}"
        lines.append(line)
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--tokens", type=int, default=None, help="N (default 4096)")
    parser.add_argument("--hidden", type=int, default=None, help="H (default 1024)")
    parser.add_argument(
        "--vocab", type=int, nargs="+", default=None, help="V values (default 8192 32768 131072)"
    )
    parser.add_argument("--chunk-size", type=int, default=256, help="rows per chunk")
    parser.add_argument(
        "--repeats", type=int, default=None, help="timed steps (median); default by V"
    )
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per config")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return 0
    n = args.tokens or (256 if args.quick else 4096)
    h = args.hidden or (64 if args.quick else 1024)
    vocabs = args.vocab or ([512, 2048] if args.quick else [8192, 32768, 131072])
    repeats = args.repeats or (2 if args.quick else None)
    chunk = min(args.chunk_size, 64) if args.quick else args.chunk_size
    print(
        f"naive vs chunked linear cross-entropy, loss step (forward + backward), "
        f"device={args.device}, float32, N={n}, H={h}, chunk_size={chunk}, "
        f"torch {torch.__version__}, threads={args.threads or torch.get_num_threads()}, "
        f"timed steps: {repeats or '3 / 2 / 1 for V <= 16k / 64k / above'} (median), "
        "one fresh process per configuration"
    )
    memory = (
        "torch.cuda.max_memory_allocated"
        if args.device.startswith("cuda")
        else "tensor peak from torch.profiler memory events; RSS = peak RSS delta of the process"
    )
    print(f"memory: {memory}; MiB = 2**20 bytes")
    t0 = time.perf_counter()
    rows = bench(args.device, vocabs, n, h, chunk, repeats, args.threads, args.timeout)
    for line in format_table(rows, args.device):
        print(line)
    print(f"total wall time {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
