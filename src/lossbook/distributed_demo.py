"""A real ``torch.distributed`` run for the chapter "Losses at scale": token-level loss
normalisation under data parallelism.

Two CPU processes (backend ``gloo``, rendezvous on ``127.0.0.1`` and a free port) each hold
a shard of a padded batch of sequences with a *different* number of real tokens. Each rank
computes the token cross-entropy of a tiny output layer with
:func:`lossbook.torch.chunked_cross_entropy` (padding ignored with ``ignore_index=-100``) and
then combines the ranks in two ways:

- **wrong**: all-reduce the per-rank *mean* losses and divide by the world size (what you get
  from ``loss = mean over my tokens`` followed by DDP's gradient averaging);
- **right**: all-reduce the per-rank *sums* and *token counts*, divide sum by count; for the
  gradient, scale each rank's summed loss by ``world_size / global_count`` before the
  averaging all-reduce of the gradients.

:func:`run` starts the two processes in a fresh interpreter (``python -m
lossbook.distributed_demo``), captures everything they print (gloo may log to stderr) and
returns the numbers as a dict, together with the single-process reference computed on the
whole batch in the calling process.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

PAD = -100


def make_batch(lengths=(8, 7, 2, 1), seq_len=8, hidden=4, vocab=6, seed=0):
    """A padded batch: ``hidden (B, L, H)``, targets ``(B, L)`` with ``PAD`` after each
    sequence's length, and the output weight ``(V, H)``; deterministic in ``seed``."""
    g = torch.Generator().manual_seed(seed)
    h = torch.randn(len(lengths), seq_len, hidden, generator=g, dtype=torch.float64)
    y = torch.randint(0, vocab, (len(lengths), seq_len), generator=g)
    for i, n in enumerate(lengths):
        y[i, n:] = PAD
    w = torch.randn(vocab, hidden, generator=g, dtype=torch.float64)
    return h, y, w


def global_reference(lengths=(8, 7, 2, 1), **kw) -> dict:
    """The single-process answer: mean token loss over the whole batch and its gradient
    with respect to the output weight."""
    from .torch import chunked_cross_entropy

    h, y, w = make_batch(lengths, **kw)
    w = w.requires_grad_()
    loss = chunked_cross_entropy(h.reshape(-1, h.shape[-1]), w, y.reshape(-1), ignore_index=PAD)
    (grad,) = torch.autograd.grad(loss, w)
    return {"loss": float(loss.detach()), "grad": grad.tolist(), "tokens": int((y != PAD).sum())}


def _worker(rank: int, world_size: int, port: int, out_dir: str, lengths, kw) -> None:
    import torch.distributed as dist

    from .torch import chunked_cross_entropy

    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    try:
        h, y, w = make_batch(tuple(lengths), **kw)
        per_rank = len(lengths) // world_size
        rows = slice(rank * per_rank, (rank + 1) * per_rank)  # this rank's sequences
        h_r = h[rows].reshape(-1, h.shape[-1])
        y_r = y[rows].reshape(-1)
        w = w.requires_grad_()

        def ce(reduction):
            return chunked_cross_entropy(h_r, w, y_r, ignore_index=PAD, reduction=reduction)

        def all_reduce(t):
            t = t.detach().clone()
            dist.all_reduce(t, op=dist.ReduceOp.SUM)
            return t

        count = (y_r != PAD).sum().to(torch.float64)
        global_count = all_reduce(count)

        # wrong: average the per-rank means (and what DDP does with their gradients)
        local_mean = ce("mean")
        (g_mean,) = torch.autograd.grad(local_mean, w)
        wrong_loss = all_reduce(local_mean) / world_size
        wrong_grad = all_reduce(g_mean) / world_size

        # right: sum and count; scale the local sum so that DDP's averaging is exact
        local_sum = ce("sum")
        right_loss = all_reduce(local_sum) / global_count
        (g_scaled,) = torch.autograd.grad(local_sum * world_size / global_count, w)
        right_grad = all_reduce(g_scaled) / world_size

        result = {
            "rank": rank,
            "tokens": int(count),
            "local_mean": float(local_mean.detach()),
            "local_sum": float(local_sum.detach()),
            "wrong_loss": float(wrong_loss),
            "right_loss": float(right_loss),
            "wrong_grad": wrong_grad.tolist(),
            "right_grad": right_grad.tolist(),
        }
        Path(out_dir, f"rank{rank}.json").write_text(json.dumps(result))
    finally:
        dist.destroy_process_group()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv=None) -> int:
    """Entry point of the child interpreter: spawn the ranks, print one JSON line."""
    import torch.multiprocessing as mp

    args = json.loads((argv or sys.argv[1:])[0])
    world_size, lengths, kw = args["world_size"], args["lengths"], args["kw"]
    with tempfile.TemporaryDirectory() as out_dir:
        mp.spawn(
            _worker,
            args=(world_size, _free_port(), out_dir, lengths, kw),
            nprocs=world_size,
            join=True,
        )
        ranks = [json.loads(Path(out_dir, f"rank{r}.json").read_text()) for r in range(world_size)]
    print("RESULT " + json.dumps(ranks))
    return 0


def run(lengths=(8, 7, 2, 1), world_size=2, timeout=120, **kw) -> dict:
    """Run the two-process demo; return ``{"ranks": [...], "reference": {...}}``.

    ``lengths`` are the real lengths of the sequences (split evenly over the ranks in
    order); ``kw`` go to :func:`make_batch`. The child's output, including anything gloo
    logs, is captured; on failure it is raised in a ``RuntimeError``.
    """
    if len(lengths) % world_size:
        raise ValueError("len(lengths) must be a multiple of world_size")
    payload = json.dumps({"world_size": world_size, "lengths": list(lengths), "kw": kw})
    env = dict(os.environ, PYTHONWARNINGS="ignore", OMP_NUM_THREADS="1")
    r = subprocess.run(
        [sys.executable, "-m", "lossbook.distributed_demo", payload],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("RESULT ")]
    if r.returncode != 0 or not lines:
        raise RuntimeError(f"distributed demo failed (exit {r.returncode}):\n{r.stderr[-2000:]}")
    return {
        "ranks": json.loads(lines[-1][len("RESULT ") :]),
        "reference": global_reference(tuple(lengths), **kw),
    }


if __name__ == "__main__":
    sys.exit(main())
