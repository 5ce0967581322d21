"""Environment for the whole test suite (the only place that sets it up). The import
paths of this process (src/, tests/, scripts/) come from pytest's ``pythonpath`` setting in
pyproject.toml; subprocesses (scripts, benchmarks, notebooks) get src/ through PYTHONPATH,
so that they test this checkout's package, not an installed one."""

import os
from pathlib import Path

_SRC = str(Path(__file__).resolve().parents[1] / "src")

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ["PYTHONPATH"] = os.pathsep.join(
    [_SRC, *(p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != _SRC)]
)
