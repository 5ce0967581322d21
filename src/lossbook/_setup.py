"""One call that every notebook makes first: ``lossbook.setup(seed=0)``."""

from __future__ import annotations

import os
import random
import sys
import warnings

_TF_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0"}


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
    """Prepare a notebook: quiet TensorFlow, seed every RNG, set plotting defaults.

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
