"""Run every check of `make test`, stage by stage, and print each stage's wall time.

Usage: python scripts/run_checks.py [stage ...]   (default: all stages, in order)
Stages: lint, unit, nbval, build-book, browser-check.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PY = sys.executable


def _build_book() -> list[list[str]]:
    shutil.rmtree(ROOT / "_build" / "html", ignore_errors=True)
    shutil.rmtree(ROOT / "_build" / ".doctrees", ignore_errors=True)
    return [
        [PY, "scripts/gen_pages.py", "--check"],
        [str(VENV_BIN / "jupyter-book"), "build", "-W", "-n", "--keep-going", "."],
    ]


STAGES = {
    "lint": lambda: [
        [PY, "-m", "ruff", "check", "."],
        [PY, "-m", "ruff", "format", "--check", "src", "tests", "scripts", "benchmarks"],
    ],
    "unit": lambda: [
        [
            PY,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests",
            "--doctest-modules",
            "src/lossbook",
        ],
    ],
    "nbval": lambda: [
        [
            PY,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbval",
            "--nbval-current-env",
            "--nbval-sanitize-with",
            "tests/nbval_sanitize.cfg",
            "notebooks/",
        ],
    ],
    "build-book": _build_book,
    "browser-check": lambda: [[PY, "scripts/check_site.py"]],
}


def main(argv: list[str]) -> int:
    names = argv or list(STAGES)
    unknown = [n for n in names if n not in STAGES]
    if unknown:
        print(f"unknown stage(s): {unknown}; known: {list(STAGES)}")
        return 2
    # No MPLBACKEND here: the nbval kernels need the inline backend to reproduce figures.
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", TF_ENABLE_ONEDNN_OPTS="0")
    env.pop("MPLBACKEND", None)
    results: list[tuple[str, float, bool]] = []
    total = time.perf_counter()
    for name in names:
        if name == "browser-check" and any(n == "build-book" and not ok for n, _, ok in results):
            results.append((name, 0.0, False))
            print("\n=== browser-check skipped: the book did not build", flush=True)
            continue
        print(f"\n=== {name}", flush=True)
        t0 = time.perf_counter()
        ok = True
        for cmd in STAGES[name]():
            print("$ " + " ".join(cmd), flush=True)
            if subprocess.run(cmd, cwd=ROOT, env=env).returncode != 0:
                ok = False
                break
        results.append((name, time.perf_counter() - t0, ok))
    print("\n=== stage times (wall clock)")
    for name, secs, ok in results:
        print(f"  {name:<14} {secs:8.1f} s   {'ok' if ok else 'FAILED'}")
    print(f"  {'total':<14} {time.perf_counter() - total:8.1f} s")
    failed = [n for n, _, ok in results if not ok]
    if failed:
        print(f"FAILED stages: {', '.join(failed)}")
        return 1
    print("all stages passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
