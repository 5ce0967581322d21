"""Follow the reader's install path for real and run every chapter in it.

    python scripts/reader_check.py [--venv /tmp/lossbook-reader-venv] [--reuse] [NOTEBOOK ...]

1. Creates a fresh virtual environment (an existing one at that path is deleted first) and
   installs what the README tells readers, with the current releases from the package index:
   ``pip install -r requirements.txt`` then ``pip install -e ".[book,torch,tensorflow]"``.
   No lock file and no ``--find-links`` are added (the pip configuration of the machine, if
   any, still applies; the script prints it).
2. Registers a kernelspec inside that environment (``ipykernel install --sys-prefix``) and
   executes every notebook in ``notebooks/`` with nbclient, run by that environment's Python,
   each in a fresh kernel whose working directory is ``notebooks/``. Executed copies go to a
   temporary folder, never into ``notebooks/``. Outputs are not compared: a cell error fails
   (except in cells tagged ``raises-exception``, as in nbval), and so do a dead kernel and a
   cell timeout.
3. Prints a table (notebook, seconds, result) and the versions that were resolved, and exits
   non-zero if any notebook failed.

It downloads several GB (PyTorch from PyPI brings its CUDA libraries), so it is not part of
``make test``; ``make reader-check`` runs it. Run it on a dependency bump and before a release.
Only the standard library is used here, so that the same file also runs, under the new
environment's Python, as the per-notebook runner (``--run-notebook``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
DEFAULT_VENV = Path(tempfile.gettempdir()) / "lossbook-reader-venv"
KERNEL_NAME = "lossbook-reader"
EXTRAS = "book,torch,tensorflow"
# distribution names whose resolved versions are reported (first installed one wins)
VERSIONS = {
    "numpy": ["numpy"],
    "torch": ["torch"],
    "tensorflow": ["tensorflow", "tensorflow-cpu"],
    "keras": ["keras"],
    "matplotlib": ["matplotlib"],
    "scikit-learn": ["scikit-learn"],
    "pandas": ["pandas"],
    "scipy": ["scipy"],
}
KERNEL_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0"}
KERNEL_ENV_UNSET = ("MPLBACKEND", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")


def log(msg: str) -> None:
    print(msg, flush=True)


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    log("$ " + " ".join(str(c) for c in cmd))
    return subprocess.run([str(c) for c in cmd], check=True, **kw)


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def clean_env() -> dict[str, str]:
    env = dict(os.environ)
    for key in KERNEL_ENV_UNSET:
        env.pop(key, None)
    env.update(KERNEL_ENV)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


# --------------------------------------------------------------------------- install


def make_venv(venv: Path, python: str) -> None:
    if venv.exists():
        if not (venv / "pyvenv.cfg").exists() and any(venv.iterdir()):
            sys.exit(f"{venv} exists and is not a virtual environment; not deleting it")
        log(f"removing the previous {venv}")
        shutil.rmtree(venv)
    run([python, "-m", "venv", venv])


def show_pip_config(py: Path, env: dict[str, str]) -> None:
    """What the machine's pip configuration adds (indexes, find-links, constraints)."""
    pip_env = {k: v for k, v in env.items() if k.startswith("PIP_")}
    out = subprocess.run(
        [py, "-m", "pip", "config", "list"], capture_output=True, text=True, env=env
    ).stdout.strip()
    log("pip configuration in effect (this script adds none):")
    for key, value in sorted(pip_env.items()):
        log(f"  env {key}={value}")
    for line in out.splitlines():
        log(f"  {line}")
    if not pip_env and not out:
        log("  (none)")


def install(venv: Path, env: dict[str, str], report_dir: Path) -> dict[str, str]:
    """The README's two commands. Returns {distribution: download URL} from pip's report."""
    py = venv_python(venv)
    show_pip_config(py, env)
    run([py, "-m", "pip", "install", "-q", "--upgrade", "pip"], env=env)
    sources: dict[str, str] = {}
    steps = [
        ["-r", ROOT / "requirements.txt"],
        ["-e", f".[{EXTRAS}]"],  # run in the repository root, as the README says
    ]
    for i, args in enumerate(steps):
        report = report_dir / f"pip-report-{i}.json"
        run([py, "-m", "pip", "install", "-q", "--report", report, *args], env=env, cwd=ROOT)
        try:
            for item in json.loads(report.read_text())["install"]:
                name = item["metadata"]["name"].lower()
                sources[name] = item.get("download_info", {}).get("url", "?")
        except (OSError, KeyError, ValueError):
            pass
    # The harness itself (nbclient runs the notebooks, ipykernel is the kernel). Jupyterlab in
    # requirements.txt brings both; install them only if a future release stops doing so.
    missing = [
        m
        for m in ("nbclient", "ipykernel")
        if subprocess.run([py, "-c", f"import {m}"], env=env, capture_output=True).returncode
    ]
    if missing:
        log(f"note: requirements.txt did not bring {missing}; installing them for the harness")
        run([py, "-m", "pip", "install", "-q", *missing], env=env)
    return sources


def register_kernel(venv: Path, env: dict[str, str]) -> None:
    """A kernelspec inside the venv, so that its nbclient starts the venv's own Python."""
    cmd = ["-m", "ipykernel", "install", "--sys-prefix", "--name", KERNEL_NAME]
    cmd += ["--display-name", "Python 3 (lossbook reader check)"]
    run([venv_python(venv), *cmd], env=env, stdout=subprocess.DEVNULL)


VERSION_PROBE = """
import json, platform, sys
from importlib import metadata
wanted = json.loads(sys.argv[1])
out = {"python": platform.python_version()}
for label, dists in wanted.items():
    for d in dists:
        try:
            v = metadata.version(d)
        except metadata.PackageNotFoundError:
            continue
        out[label] = v if d == dists[0] else f"{v} ({d})"
        break
    else:
        out[label] = "not installed"
try:
    import torch
    out["torch"] += f" (CUDA {torch.version.cuda})" if torch.version.cuda else " (CPU only)"
except Exception as exc:
    out["torch"] += f" (import failed: {exc!r})"
print(json.dumps(out))
"""


def resolved_versions(venv: Path, env: dict[str, str]) -> dict[str, str]:
    r = subprocess.run(
        [venv_python(venv), "-c", VERSION_PROBE, json.dumps(VERSIONS)],
        capture_output=True,
        text=True,
        env=env,
    )
    if r.returncode:
        return {"error": r.stderr.strip()[-500:]}
    return json.loads(r.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- execute


def _poll_in_slices(channel, slice_s: float = 1.0) -> None:
    """Make ``channel.get_msg`` wait in short polls instead of one long one.

    pyzmq's asyncio poll can miss the wake-up for a message that is already in the socket
    (seen here: nbclient waited 30 min for an execute_reply that sat in the shell socket after
    an ipywidgets cell; nbclient issue #312). A fresh poll sees such a message at once.
    """
    from queue import Empty

    get_msg = channel.get_msg

    async def sliced_get_msg(timeout: float | None = None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = slice_s if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                return await get_msg(timeout=min(slice_s, left))
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    channel.get_msg = sliced_get_msg


def polling_client_class():
    """nbclient's NotebookClient whose kernel channels poll in short slices (see above)."""
    from nbclient import NotebookClient

    class PollingClient(NotebookClient):
        async def async_start_new_kernel_client(self):
            kc = await super().async_start_new_kernel_client()
            _poll_in_slices(kc.shell_channel)
            _poll_in_slices(kc.iopub_channel)
            return kc

    return PollingClient


def run_notebook(nb_path: str, out_path: str, timeout: int) -> None:
    """Runs under the reader venv's Python: execute one notebook, print one JSON line."""
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    Client = polling_client_class()

    nb = nbformat.read(nb_path, as_version=4)
    current = {"index": None}

    def on_cell_execute(cell, cell_index, **kw):
        current["index"] = cell_index

    client = Client(
        nb,
        timeout=timeout,
        kernel_name=KERNEL_NAME,
        allow_errors=False,  # cells tagged raises-exception may still error (nbclient default)
        resources={"metadata": {"path": str(Path(nb_path).parent)}},
        on_cell_execute=on_cell_execute,
    )
    result = {"ok": True, "detail": "ok"}
    try:
        client.execute()
    except DeadKernelError:
        result = {"ok": False, "detail": f"kernel died in cell {current['index']}"}
    except CellTimeoutError:
        result = {"ok": False, "detail": f"timeout ({timeout} s) in cell {current['index']}"}
    except CellExecutionError as exc:
        detail = f"{exc.ename}: {exc.evalue}".strip().splitlines()[0][:160]
        result = {"ok": False, "detail": f"error in cell {current['index']}: {detail}"}
    except Exception as exc:  # kernel failed to start, etc.
        result = {"ok": False, "detail": f"{type(exc).__name__}: {exc}".splitlines()[0][:160]}
    finally:
        nbformat.write(nb, out_path)
    print("RESULT " + json.dumps(result), flush=True)


def execute_all(
    venv: Path, notebooks: list[Path], out_dir: Path, timeout: int, env: dict[str, str]
) -> list[tuple[str, float, bool, str]]:
    rows = []
    for nb in notebooks:
        log(f"executing {nb.name} ...")
        t0 = time.perf_counter()
        r = subprocess.run(
            [
                venv_python(venv),
                Path(__file__).resolve(),
                "--run-notebook",
                nb,
                out_dir / nb.name,
                "--timeout",
                str(timeout),
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=nb.parent,
        )
        dt = time.perf_counter() - t0
        lines = [x for x in r.stdout.splitlines() if x.startswith("RESULT ")]
        if lines:
            res = json.loads(lines[-1][len("RESULT ") :])
            ok, detail = res["ok"], res["detail"]
        else:
            ok, detail = False, f"runner failed (exit {r.returncode}): {r.stderr.strip()[-300:]}"
        if not ok and r.stderr.strip():
            tail = "\n    ".join(r.stderr.strip().splitlines()[-15:])
            log(f"  stderr (last lines):\n    {tail}")
        log(f"  {nb.name}: {'ok' if ok else 'FAILED'} in {dt:.0f} s ({detail})")
        rows.append((nb.name, dt, ok, detail))
    return rows


def print_report(rows, versions: dict[str, str], sources: dict[str, str], out_dir: Path) -> None:
    width = max([len("notebook")] + [len(r[0]) for r in rows])
    log("")
    log(f"{'notebook':<{width}}  {'seconds':>7}  result")
    log(f"{'-' * width}  {'-' * 7}  {'-' * 6}")
    for name, dt, ok, detail in rows:
        log(f"{name:<{width}}  {dt:>7.1f}  {'ok' if ok else 'FAILED: ' + detail}")
    log("")
    log("resolved versions:")
    for key, value in versions.items():
        log(f"  {key:<13} {value}")
    if "torch" in sources:
        log(f"  torch wheel   {sources['torch']}")
    log(f"executed notebooks: {out_dir}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")
    ap.add_argument("--venv", type=Path, default=DEFAULT_VENV, help=f"default: {DEFAULT_VENV}")
    ap.add_argument("--python", default=sys.executable, help="interpreter for the new venv")
    ap.add_argument(
        "--reuse",
        action="store_true",
        help="reuse an existing venv as it is (no install); for re-running after a fix",
    )
    ap.add_argument("--timeout", type=int, default=600, help="per-cell timeout in seconds")
    ap.add_argument("--run-notebook", nargs=2, metavar=("NB", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.run_notebook:
        run_notebook(*args.run_notebook, timeout=args.timeout)
        return 0

    notebooks = [p.resolve() for p in args.notebooks] or sorted(NOTEBOOK_DIR.glob("*.ipynb"))
    venv = args.venv.resolve()
    env = clean_env()
    out_dir = Path(tempfile.mkdtemp(prefix="lossbook-reader-out-"))
    t0 = time.perf_counter()
    sources: dict[str, str] = {}
    if args.reuse and venv_python(venv).exists():
        log(f"reusing {venv} as it is")
    else:
        make_venv(venv, args.python)
        sources = install(venv, env, out_dir)
    register_kernel(venv, env)
    t_install = time.perf_counter() - t0
    log(f"environment ready in {t_install:.0f} s")
    versions = resolved_versions(venv, env)
    rows = execute_all(venv, notebooks, out_dir, args.timeout, env)
    print_report(rows, versions, sources, out_dir)
    failed = [r[0] for r in rows if not r[2]]
    total = time.perf_counter() - t0
    log(f"install {t_install:.0f} s, total {total:.0f} s")
    if failed:
        log(f"FAILED: {len(failed)} of {len(rows)} notebooks: {', '.join(failed)}")
        return 1
    log(f"all {len(rows)} notebooks ran in the reader's environment")
    return 0


if __name__ == "__main__":
    sys.exit(main())
