"""Convert NumPy test inputs to each backend and call the same loss there."""

from __future__ import annotations

import importlib

import numpy as np

BACKENDS = ("numpy", "torch", "tensorflow")


def module(backend: str):
    return importlib.import_module(f"lossbook.{backend}")


def convert(backend: str, x):
    """NumPy array (or scalar / None) -> native array of the backend, keeping int vs float."""
    if x is None or isinstance(x, (int, float)) or backend == "numpy":
        return x
    x = np.asarray(x)
    if backend == "torch":
        import torch

        return torch.as_tensor(x)
    import tensorflow as tf

    return tf.convert_to_tensor(x)


def to_numpy(x):
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    if hasattr(x, "numpy"):
        return x.numpy()
    return np.asarray(x)


def call(backend: str, name: str, args, kwargs, reduction: str = "mean"):
    fn = getattr(module(backend), name)
    args = [convert(backend, a) for a in args]
    kwargs = {k: convert(backend, v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    return fn(*args, **kwargs, reduction=reduction)
