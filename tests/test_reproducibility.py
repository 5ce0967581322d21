"""The pinned kernel dispatch of the notebooks (lossbook._setup.PINNED_ENV) really takes effect,
the baseline dispatch really differs, and lossbook.setup() applies what it can in a kernel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lossbook._setup import BASELINE_DISPATCH_ENV, PINNED_ENV

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import run_checks  # noqa: E402

PROBE = """
import json, numpy, torch
from numpy._core._multiarray_umath import __cpu_features__ as f
from threadpoolctl import threadpool_info
blas = sorted({i.get("architecture") for i in threadpool_info() if i.get("internal_api") == "openblas"})
print(json.dumps({"torch": torch.backends.cpu.get_cpu_capability(), "threads": torch.get_num_threads(),
                  "np_avx2": f.get("X86_V3", f.get("AVX2")), "np_avx512": f.get("X86_V4", f.get("AVX512F")),
                  "openblas": blas}))
"""


def _probe(env: dict[str, str]) -> dict:
    full = {
        k: v
        for k, v in os.environ.items()
        if k not in PINNED_ENV and k not in BASELINE_DISPATCH_ENV
    }
    full.update(env)
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=full, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def _cpu_has_avx2() -> bool:
    from numpy._core._multiarray_umath import __cpu_features__ as f

    return bool(f.get("AVX2"))


def test_notebook_stages_run_under_the_pinned_and_the_baseline_dispatch():
    assert run_checks.STAGE_ENV["nbval"] is PINNED_ENV
    assert run_checks.STAGE_ENV["notebooks"] is PINNED_ENV  # what stores the outputs
    assert run_checks.STAGE_ENV["nbval-baseline"] is BASELINE_DISPATCH_ENV
    assert (
        list(run_checks.STAGES).index("nbval-baseline")
        == list(run_checks.STAGES).index("nbval") + 1
    )
    differs = {k for k in PINNED_ENV if BASELINE_DISPATCH_ENV[k] != PINNED_ENV[k]}
    assert {
        "ATEN_CPU_CAPABILITY",
        "NPY_DISABLE_CPU_FEATURES",
        "OPENBLAS_CORETYPE",
        "MKL_CBWR",
    } <= differs


@pytest.mark.skipif(not _cpu_has_avx2(), reason="the pins are AVX2 levels; this CPU has no AVX2")
def test_pinned_environment_takes_effect():
    got = _probe(PINNED_ENV)
    # NumPy's OpenBLAS at its AVX2 kernels, not SkylakeX (AVX-512) ones where the CPU has them
    assert got == {
        "torch": "AVX2",
        "threads": 1,
        "np_avx2": True,
        "np_avx512": False,
        "openblas": ["Haswell"],
    }, got


@pytest.mark.skipif(not _cpu_has_avx2(), reason="needs a CPU with AVX2 to differ from the baseline")
def test_baseline_dispatch_takes_effect():
    got = _probe(BASELINE_DISPATCH_ENV)
    assert got == {
        "torch": "DEFAULT",
        "threads": 1,
        "np_avx2": False,
        "np_avx512": False,
        "openblas": ["Nehalem"],
    }, got


def test_setup_pins_threads_and_imports_dynamo_before_tensorflow():
    code = """
import os, sys, torch
import lossbook
lossbook.setup(seed=0, plots=False)
print(torch.get_num_threads(), os.environ["ATEN_CPU_CAPABILITY"], "torch._dynamo" in sys.modules)
"""
    env = {k: v for k, v in os.environ.items() if k not in PINNED_ENV}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    threads, capability, dynamo = out.stdout.split()
    assert (threads, capability) == ("1", "avx2")
    assert dynamo == "True"  # tensorflow is installed here, so the guard must have run
