"""lossbook: loss functions for deep learning, in NumPy, PyTorch and TensorFlow.

The package behind the *lossbook* executable book::

    import lossbook
    lossbook.setup(seed=0)              # seeds, quiet TensorFlow, plotting defaults
    import lossbook.numpy as lnp
    lnp.mse([1.0, 2.0], [1.5, 2.0])     # targets first, predictions second

Submodules: :mod:`lossbook.numpy` (reference + analytic gradients), :mod:`lossbook.torch`,
:mod:`lossbook.tensorflow` (imported on first use), and :data:`lossbook.catalog`.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._errors import LossInputError
from ._setup import setup
from ._validate import set_validation, validation
from .catalog import Catalog, LossSpec, catalog

__version__ = "0.1.0"

__all__ = [
    "Catalog",
    "LossInputError",
    "LossSpec",
    "catalog",
    "set_validation",
    "setup",
    "validation",
]

_LAZY = {"numpy", "torch", "tensorflow", "plot", "data", "train"}


def __getattr__(name: str) -> Any:
    # lossbook.torch / lossbook.tensorflow import heavy frameworks: load them on first use.
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'lossbook' has no attribute {name!r}")
