"""Numerical checks that the chapters and the tests share.

Two implementations of the same formula agree only up to rounding, and the last digits of that
rounding depend on the CPU (AVX-512 or AVX2, fused multiply-adds, the order of a vectorised sum).
A printed ``1.7e-18`` is therefore not reproducible from one machine to the next, and it says
nothing a reader needs. These helpers print a *bound* and a *verdict* instead, and raise when the
bound is broken, so a notebook that stops agreeing fails instead of printing a new number.

Examples
--------
>>> import numpy as np
>>> from lossbook.check import agree, maxdiff, numerical_grad
>>> agree([0.1 + 0.2], [0.3])
'max |diff| < 1e-12: True'
>>> float(maxdiff([1.0, 2.0], [1.0, 2.5]))
0.5
>>> g = numerical_grad(lambda x: float(np.sum(x**2)), np.array([1.0, -2.0]))
>>> agree(g, [2.0, -4.0], tol=1e-6)
'max |diff| < 1e-06: True'
>>> with expect_error(ZeroDivisionError):
...     1 / 0
ZeroDivisionError: division by zero
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

__all__ = ["agree", "as_numpy", "expect_error", "maxdiff", "numerical_grad", "report"]


def as_numpy(x: Any) -> np.ndarray:
    """A float64 NumPy copy of ``x`` (NumPy array, list, scalar, torch or TensorFlow tensor)."""
    if hasattr(x, "detach"):  # torch
        x = x.detach().cpu().double().numpy()
    elif hasattr(x, "numpy") and not isinstance(x, np.ndarray):  # tensorflow
        x = x.numpy()
    return np.asarray(x, dtype=np.float64)


def maxdiff(a: Any, b: Any) -> float:
    """The largest absolute elementwise difference between ``a`` and ``b`` (same shape)."""
    a, b = as_numpy(a), as_numpy(b)
    if a.shape != b.shape:
        raise ValueError(
            f"maxdiff: a has shape {a.shape} but b has shape {b.shape}; compare equal shapes"
        )
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b)))


def agree(a: Any, b: Any, tol: float = 1e-12, *, rel: bool = False) -> str:
    """Check ``max |a - b| < tol`` and return the verdict as text; raise if it fails.

    Parameters
    ----------
    a, b:
        Arrays or tensors of the same shape.
    tol:
        The bound. Choose it from the precision of the computation: about ``1e-12`` for two
        float64 computations of the same formula, ``1e-6`` when one side is float32.
    rel:
        Compare ``max |a - b| / max(1, max |b|)`` instead, for values far from 1.

    Returns
    -------
    str
        ``"max |diff| < 1e-12: True"`` (or ``"max rel diff < ..."`` with ``rel=True``).

    Raises
    ------
    AssertionError
        With the measured difference, when the bound is broken.
    """
    d = maxdiff(a, b)
    label = "max |diff|"
    if rel:
        d /= max(1.0, float(np.max(np.abs(as_numpy(b)))) if as_numpy(b).size else 1.0)
        label = "max rel diff"
    if not d < tol:
        raise AssertionError(f"{label} = {d:.3g} is not below {tol:.0e}")
    return f"{label} < {tol:.0e}: True"


def report(results: dict[str, Any], reference: Any, tol: float = 1e-12) -> None:
    """Print ``reference`` (rounded to 6 decimals) once, then the verdict of :func:`agree` for
    each named result: how the chapters show that NumPy, PyTorch, TensorFlow and the
    frameworks' built-ins compute the same number. Raises if a result breaks ``tol``.

    >>> report({"float32": np.float32(0.1) + np.float32(0.2)}, 0.3, tol=1e-6)
    reference value  0.3
    float32          max |diff| < 1e-06: True
    """
    shown = np.array2string(np.round(as_numpy(reference), 6) + 0.0, separator=", ")  # no "-0."
    width = max(len("reference value"), *(len(label) for label in results)) + 2
    print(f"{'reference value':<{width}s}{shown}")
    for label, value in results.items():
        print(f"{label:<{width}s}{agree(value, reference, tol=tol)}")


def numerical_grad(f: Callable[[np.ndarray], float], x: Any, h: float = 1e-6) -> np.ndarray:
    """Central finite differences of a scalar function ``f`` at ``x`` (float64).

    The error is :math:`O(h^2)` from truncation plus :math:`O(\\epsilon / h)` from rounding;
    with ``h = 1e-6`` in float64 expect agreement with an exact gradient to about ``1e-8``.
    """
    x = as_numpy(x).copy()
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        up = float(f(x))
        flat[i] = old - h
        down = float(f(x))
        flat[i] = old
        gflat[i] = (up - down) / (2 * h)
    return grad


@contextmanager
def expect_error(*types: type[BaseException], lines: int = 1) -> Iterator[None]:
    """Run a block that must fail, and print the error as one short line instead of a traceback.

    A chapter that shows a mistake wants the reader to see the message, not a 30-line stack
    trace with the paths of the machine that built the book. Inside ``with expect_error():``
    the exception is caught and printed as ``TypeName: first line of the message``.

    Parameters
    ----------
    *types:
        The exception types expected (default: any ``Exception``). Another type propagates.
    lines:
        How many lines of the message to print (default 1).

    Raises
    ------
    AssertionError
        When the block raises nothing: a mistake that no longer fails must not pass silently.

    Examples
    --------
    >>> with expect_error(ValueError):
    ...     int("three")
    ValueError: invalid literal for int() with base 10: 'three'
    """
    caught: tuple[type[BaseException], ...] = types or (Exception,)
    try:
        yield
    except caught as exc:
        message = "\n".join(str(exc).strip().splitlines()[:lines])
        print(f"{type(exc).__name__}: {message}")
    else:
        expected = ", ".join(t.__name__ for t in types) or "an exception"
        raise AssertionError(f"expected {expected}, but the block raised nothing")
