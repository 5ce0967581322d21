"""One call that every notebook makes first: ``lossbook.setup(seed=0)``."""

from __future__ import annotations

import os
import random
import sys
import warnings

_TF_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0"}

#: The one place that pins CPU kernel dispatch and thread counts for the book's notebooks.
#: ``make notebooks`` (which stores the outputs), strict nbval (which compares them) and
#: :func:`setup` all use it, so a stored output is computed by the same kernels on any x86-64
#: machine with AVX2, Intel or AMD, with or without AVX-512: PyTorch's own kernels at their AVX2
#: level, NumPy's SIMD loops at their AVX2 level (names for NumPy 2.x and 1.x), the OpenBLAS that
#: NumPy ships at its Haswell (AVX2 + FMA) kernels instead of SkylakeX (AVX-512) ones, MKL and
#: oneDNN at AVX2 in MKL's reproducible mode, and one thread everywhere (a parallel sum adds in another order
#: with another thread count). NumPy reads its variable when it is imported, so only a process
#: started with this environment (nbval, ``make notebooks``) gets NumPy pinned; :func:`setup` sets
#: what can still change inside a running kernel.
PINNED_ENV = {
    "ATEN_CPU_CAPABILITY": "avx2",
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR AVX512F AVX512CD AVX512_SKX "
    "AVX512_CLX AVX512_CNL",
    "MKL_CBWR": "AVX2",
    "MKL_ENABLE_INSTRUCTIONS": "AVX2",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "OPENBLAS_CORETYPE": "Haswell",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "PYTHONHASHSEED": "0",
    **_TF_ENV,
}

#: A second, deliberately different dispatch for the same machine: scalar PyTorch kernels, NumPy
#: at its x86-64-v2 baseline, OpenBLAS's SSE (Nehalem) kernels, MKL in its SSE-compatible path. Strict nbval passes under both
#: (``make test`` runs both), which shows that no stored output depends on the instruction set.
BASELINE_DISPATCH_ENV = {
    **PINNED_ENV,
    "ATEN_CPU_CAPABILITY": "default",
    "NPY_DISABLE_CPU_FEATURES": "X86_V3 "
    + PINNED_ENV["NPY_DISABLE_CPU_FEATURES"]
    + " AVX2 FMA3 F16C AVX512_KNL AVX512_KNM",
    "OPENBLAS_CORETYPE": "Nehalem",
    "MKL_CBWR": "COMPATIBLE",
    "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
    "ONEDNN_MAX_CPU_ISA": "SSE41",
}


def pin_environment() -> None:
    """Apply :data:`PINNED_ENV` where the variables are not set yet, and pin torch's threads.

    Variables that a library has already read (NumPy's, once NumPy is imported) cannot change
    any more; the rest take effect, and PyTorch gets the thread count even if already imported.
    """
    for key, value in PINNED_ENV.items():
        os.environ.setdefault(key, value)
    if "torch" in sys.modules:
        import torch

        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


def _guard_tensorflow_then_torch_optim() -> None:
    # With the standard (CUDA) wheels of both frameworks, creating a torch optimizer after
    # `import tensorflow` imports torch._dynamo -> triton, which segfaults; importing it first avoids it.
    if "tensorflow" not in sys.modules and all(_installed(m) for m in ("torch", "tensorflow")):
        import torch._dynamo  # noqa: F401


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def quiet_tensorflow() -> None:
    """Silence TensorFlow's C++ start-up logs. Must run before TensorFlow is imported."""
    for key, value in _TF_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy, and PyTorch / TensorFlow if they are installed."""
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - seeds the legacy global RNG readers may use
    try:
        import torch
    except ImportError:
        pass
    else:
        torch.manual_seed(seed)
    if "tensorflow" in sys.modules:  # importing TF just to seed it would cost seconds
        import tensorflow as tf

        tf.random.set_seed(seed)
        try:
            import keras

            keras.utils.set_random_seed(seed)
        except Exception:  # pragma: no cover - keras missing or too old
            pass


def setup(seed: int = 0, *, tensorflow: bool = False, plots: bool = True) -> None:
    """Prepare a notebook: quiet TensorFlow, pin kernels and threads, seed every RNG, set plots.

    Call it first, before importing TensorFlow: it pins the CPU kernels and thread counts
    (:data:`PINNED_ENV`), and when both PyTorch and TensorFlow are installed it imports
    ``torch._dynamo`` before TensorFlow, which avoids a known segfault of the standard wheels.

    Parameters
    ----------
    seed:
        Seed for Python, NumPy, PyTorch and (if imported) TensorFlow/Keras.
    tensorflow:
        Import TensorFlow now (quietly) so that it is seeded too.
    plots:
        Apply lossbook's matplotlib style (sizes and fonts that read well in the book).
    """
    quiet_tensorflow()
    pin_environment()
    _guard_tensorflow_then_torch_optim()
    warnings.filterwarnings("ignore", message=".*np.find_common_type.*")
    if tensorflow:
        import tensorflow as tf  # noqa: F401

        tf.get_logger().setLevel("ERROR")
    seed_everything(seed)
    if plots:
        try:
            from .plot import use_style
        except ImportError:  # matplotlib is optional for the package
            return
        use_style()
