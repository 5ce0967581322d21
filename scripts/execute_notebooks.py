"""Execute notebooks in place, each in a fresh kernel, top to bottom (what `make notebooks` runs).

Usage: python scripts/execute_notebooks.py NOTEBOOK [NOTEBOOK ...]

The environment (pinned kernel dispatch and threads) comes from scripts/run_checks.py. Unlike
`jupyter nbconvert --execute`, the kernel client polls its channels in short slices: nbclient can
otherwise wait forever for a reply that is already in the socket after an ipywidgets cell
(nbclient issue #312; seen here on chapter 03). No per-cell timing metadata is recorded, and a
notebook that fails is left as it was. Exit status 1 if any notebook failed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from reader_check import polling_client_class

TIMEOUT_S = 600


def execute(path: Path) -> str | None:
    """Execute one notebook in place; return None, or a one-line reason it failed."""
    import nbformat

    Client = polling_client_class()
    nb = nbformat.read(path, as_version=4)
    client = Client(
        nb,
        timeout=TIMEOUT_S,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    try:
        client.execute()
    except Exception as exc:  # a cell error, a timeout, a dead kernel: keep the old file
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:200] if str(exc).strip() else ''}"
    nbformat.write(nb, path)
    return None


def main(argv: list[str]) -> int:
    failed = 0
    for name in argv:
        t0 = time.perf_counter()
        error = execute(Path(name))
        took = time.perf_counter() - t0
        if error:
            failed += 1
            print(f"FAILED {name} ({took:.0f} s): {error}", flush=True)
        else:
            print(f"executed {name} ({took:.0f} s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
