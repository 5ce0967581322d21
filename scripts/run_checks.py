"""Run every check of `make test`, stage by stage, and print each stage's wall time.

Usage: python scripts/run_checks.py [stage ...]   (default: all stages, in order)
Stages: lint, unit, nbval, nbval-baseline, build-book, browser-check.
Not in the default run: ``notebooks [NB ...]`` re-executes notebooks in place (``make notebooks``).

The notebook stages run under ``lossbook._setup.PINNED_ENV`` (kernel dispatch and threads pinned,
the one place that says how). ``nbval-baseline`` runs strict nbval again under
``BASELINE_DISPATCH_ENV``, a different instruction set on the same machine: both must reproduce
the stored outputs, which shows that none of them depends on the CPU.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
from lossbook._setup import BASELINE_DISPATCH_ENV, PINNED_ENV  # noqa: E402

VENV_BIN = Path(sys.executable).parent
PY = sys.executable


def _build_book() -> list[list[str]]:
    shutil.rmtree(ROOT / "_build" / "html", ignore_errors=True)
    shutil.rmtree(ROOT / "_build" / ".doctrees", ignore_errors=True)
    return [
        [str(VENV_BIN / "jupyter-book"), "build", "-W", "-n", "--keep-going", "."],
    ]


def _package() -> list[list[str]]:
    """The release artefacts build, and their metadata would render on PyPI."""
    shutil.rmtree(ROOT / "_build" / "dist", ignore_errors=True)
    shutil.rmtree(ROOT / "build", ignore_errors=True)  # setuptools' staging folder
    twine_check = (
        "import glob, subprocess, sys; files = sorted(glob.glob('_build/dist/*')); "
        "assert len(files) == 2, files; "
        "import shutil; shutil.rmtree('build', ignore_errors=True); "
        "sys.exit(subprocess.call([sys.executable, '-m', 'twine', 'check', '--strict', *files]))"
    )
    return [
        [PY, "-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir", "_build/dist", "."],
        [PY, "-c", twine_check],
    ]


def _workers() -> list[str]:
    """pytest-xdist workers: one per core (at most 4), each notebook or test file kept in one
    worker. Every kernel is pinned to one thread, so two cores run two notebooks at once."""
    try:
        import xdist  # noqa: F401
    except ImportError:
        return []
    n = min(4, os.cpu_count() or 1)
    return ["-n", str(n), "--dist", "loadfile"] if n > 1 else []


def _nbval(*paths: str) -> list[str]:
    return [
        PY,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        *_workers(),
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        "tests/nbval_sanitize.cfg",
        *(paths or ["notebooks/"]),
    ]


def _execute(*paths: str) -> list[list[str]]:
    notebooks = paths or tuple(
        sorted(str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("*.ipynb"))
    )
    # In-place, fresh kernel, no per-cell timing; polls around nbclient's hang (see the script).
    return [[PY, "scripts/execute_notebooks.py", *notebooks]]


def _strip_timing(path: Path) -> None:
    """Drop per-cell execution timestamps, so that re-executing rewrites only what changed."""
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("execution", None)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


#: The environment of each stage, on top of the caller's (no MPLBACKEND: the nbval kernels
#: need the inline backend to reproduce figures).
STAGE_ENV = {"nbval": PINNED_ENV, "nbval-baseline": BASELINE_DISPATCH_ENV, "notebooks": PINNED_ENV}

STAGES = {
    "lint": lambda: [
        [PY, "-m", "ruff", "check", "."],
        [PY, "-m", "ruff", "format", "--check", "src", "tests", "scripts", "benchmarks"],
    ],
    "package": _package,
    "unit": lambda: [
        [
            PY,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            *_workers(),
            "tests",
            "--doctest-modules",
            "src/lossbook",
        ],
    ],
    "nbval": lambda: [_nbval()],
    "nbval-baseline": lambda: [_nbval()],
    "build-book": _build_book,
    "browser-check": lambda: [[PY, "scripts/check_site.py"]],
}


def _environment(stage: str) -> dict[str, str]:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", TF_ENABLE_ONEDNN_OPTS="0")
    env.pop("MPLBACKEND", None)
    env.update(STAGE_ENV.get(stage, {}))
    return env


def main(argv: list[str]) -> int:
    if argv[:1] == ["notebooks"]:  # make notebooks [NB=...]: execute in place, pinned
        env = _environment("notebooks")
        for nb in argv[1:] or sorted((ROOT / "notebooks").glob("*.ipynb")):
            _strip_timing(Path(nb))
        return max(subprocess.run(cmd, cwd=ROOT, env=env).returncode for cmd in _execute(*argv[1:]))
    if argv[:1] in (["nbval"], ["nbval-baseline"]) and argv[1:]:  # strict nbval of some notebooks
        return subprocess.run(_nbval(*argv[1:]), cwd=ROOT, env=_environment(argv[0])).returncode
    names = argv or list(STAGES)
    unknown = [n for n in names if n not in STAGES]
    if unknown:
        print(f"unknown stage(s): {unknown}; known: {list(STAGES)}")
        return 2
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
            if subprocess.run(cmd, cwd=ROOT, env=_environment(name)).returncode != 0:
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
