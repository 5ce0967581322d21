"""Small training loops for the book's demos: PyTorch (:func:`fit_torch`) and Keras (:func:`fit_keras`).

Both take a loss in **lossbook's order**, ``loss_fn(y_true, y_pred)`` -- any function of
:mod:`lossbook.torch` / :mod:`lossbook.tensorflow` or a lambda around one -- and return a
:class:`History`, ``{metric: [one value per epoch]}``, which :func:`lossbook.plot.history`
draws. A framework built-in with its own order is adapted with :func:`torch_builtin`.

Decisions
---------
* **Validation before training.** The loss is run once on the first batch (model output
  against labels) before any optimisation step, so a bad loss / label combination -- hinge
  with 0/1 labels, ``cross_entropy`` with float labels, BCE with integer labels, an
  ``(N, 1)`` output against ``(N,)`` targets -- raises :class:`~lossbook.LossInputError`
  at once, not after an epoch (or never, inside a Keras graph, where value checks cannot run).
* **What is recorded.** ``loss`` is the mean training loss over the epoch's batches
  (weighted by batch size), computed while training as Keras does. ``val_loss`` and every
  metric are computed at the end of the epoch with the model in eval mode on the whole
  training set (``<name>``) and validation set (``val_<name>``).
* **Seeding.** ``seed`` seeds Python, NumPy and the framework (dropout); mini-batch order
  comes from ``np.random.default_rng(seed)``. The model's initial weights are *not* reset:
  build it after :func:`lossbook.setup` or with ``mlp(..., seed=...)``. Same seed, same
  model, same data: identical history on CPU (GPU kernels may differ in the last bits).
* **Devices.** :func:`choose_device` picks ``cuda``, then ``mps``, then ``cpu``; the model
  and the (small) data set are moved to the device once.
* **Mixed precision** (:func:`fit_torch` only) is used on CUDA: ``torch.autocast`` with
  bfloat16 where the GPU supports it, else float16 with a ``GradScaler``. The model output
  is cast to float32 before the loss, so every loss is computed in float32. **On CPU and
  MPS ``mixed_precision=True`` is accepted and is a no-op** (full float32): CPU bfloat16
  autocast is slower than float32 on most CPUs and would change the book's printed numbers.
  ``History.precision`` says what was used.
* **scale.** Demos are sized for two CPU cores. ``scale`` (an integer >= 1) multiplies the
  number of epochs; notebooks may also multiply data set sizes by :func:`default_scale`,
  which reads the ``LOSSBOOK_SCALE`` environment variable (default 1).
* **Progress.** ``progress=True`` shows a tqdm bar over epochs, written to stdout (the book's
  notebooks must not write to stderr; the book passes ``progress=False``).
"""

from __future__ import annotations

import contextlib
import math
import numbers
import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ._errors import LossInputError
from ._setup import quiet_tensorflow, seed_everything

__all__ = [
    "History",
    "choose_device",
    "default_scale",
    "fit_keras",
    "fit_torch",
    "keras_mlp",
    "mlp",
    "torch_builtin",
]

_OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop", "adagrad")


# ---- History -----------------------------------------------------------------------------
class History(dict):
    """Per-epoch training record: a ``dict`` ``{metric: [value per epoch]}``.

    Keys: ``"loss"`` always; ``"val_loss"`` with validation data; each metric ``name`` and
    ``"val_<name>"``. Being a plain ``dict`` of lists, it compares equal to another history
    with the same values and goes straight into :func:`lossbook.plot.history`
    (``plot.history({"mse": h1, "huber": h2})``).

    Attributes
    ----------
    backend : str
        ``"torch"`` or ``"keras"``.
    device : str
        Where training ran (``"cpu"``, ``"cuda:0"``, ...).
    precision : str
        ``"float32"``, ``"bfloat16 autocast"`` or ``"float16 autocast + GradScaler"``.
    seconds : float
        Wall-clock training time (volatile: print it on a ``[timing]`` line).

    Examples
    --------
    >>> h = History({"loss": [1.0, 0.5, 0.25]})
    >>> h.epochs, h.initial(), h.final(), h.best()
    (3, 1.0, 0.25, 0.25)
    >>> h
    History(epochs=3, loss: 1 -> 0.25)
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.backend = ""
        self.device = ""
        self.precision = "float32"
        self.seconds = float("nan")

    def _values(self, metric: str) -> list[float]:
        if metric not in self:
            raise KeyError(f"History has no metric {metric!r}; it has {sorted(self)}.")
        if not self[metric]:
            raise ValueError(f"History has no epochs recorded for {metric!r}.")
        return self[metric]

    @property
    def epochs(self) -> int:
        """Number of epochs recorded."""
        return len(self.get("loss", []))

    def initial(self, metric: str = "loss") -> float:
        """The metric after the first epoch."""
        return float(self._values(metric)[0])

    def final(self, metric: str = "loss") -> float:
        """The metric after the last epoch."""
        return float(self._values(metric)[-1])

    def best(self, metric: str = "loss", mode: str = "min") -> float:
        """The smallest (``mode="min"``) or largest (``mode="max"``) value of the metric."""
        if mode not in ("min", "max"):
            raise ValueError(f"History.best expects mode in {{'min', 'max'}}; got {mode!r}.")
        vals = self._values(metric)
        return float(min(vals) if mode == "min" else max(vals))

    def __repr__(self) -> str:
        parts = [f"{k}: {self.initial(k):.4g} -> {self.final(k):.4g}" for k in self if self[k]]
        return f"History(epochs={self.epochs}" + "".join(", " + p for p in parts) + ")"


# ---- checks ------------------------------------------------------------------------------
def _fail(func: str, msg: str) -> LossInputError:
    return LossInputError(f"{func} {msg}")


def _check_int(func: str, name: str, value: Any, *, minimum: int = 1) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise _fail(func, f"expects {name} to be an integer >= {minimum}; got {value!r}.")
    return int(value)


def _check_nonneg(func: str, name: str, value: Any, *, positive: bool = False) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (value > 0 if positive else value >= 0)
    if not ok:
        bound = "> 0" if positive else ">= 0"
        raise _fail(func, f"expects {name} to be a finite number {bound}; got {value!r}.")
    return float(value)


def _check_lengths(func: str, pairs: list[tuple[str, Any]]) -> None:
    lengths = [(name, len(a)) for name, a in pairs if a is not None]
    if len({n for _, n in lengths}) > 1:
        got = ", ".join(f"{name} {n}" for name, n in lengths)
        raise _fail(
            func,
            f"expects the same number of samples (first axis) in {' and '.join(n for n, _ in lengths)}; "
            f"got {got}. Features and targets must be aligned row by row.",
        )
    if lengths and lengths[0][1] == 0:
        raise _fail(func, f"expects a non-empty {lengths[0][0]}; got 0 samples.")


def _check_val(func: str, X_val: Any, y_val: Any, has_y: bool) -> None:
    if X_val is None and y_val is not None:
        raise _fail(func, "got y_val without X_val. Pass both, or neither.")
    if X_val is not None and has_y and y_val is None:
        raise _fail(func, "got X_val without y_val. Pass both, or neither.")


def _rethrow(func: str, err: LossInputError, where: str) -> LossInputError:
    new = LossInputError(
        f"{err} [{func} ran the loss on {where} before training, to check the loss and "
        "label combination; no epoch has run.]"
    )
    new.__cause__ = err
    return new


def default_scale() -> int:
    """The demos' size multiplier: ``int(os.environ["LOSSBOOK_SCALE"])``, default 1.

    The book is executed with scale 1 (two CPU cores); on a GPU a reader may export
    ``LOSSBOOK_SCALE=10`` and pass ``scale=default_scale()`` to the training functions
    (and multiply data set sizes by it).

    Examples
    --------
    >>> default_scale() >= 1
    True
    """
    raw = os.environ.get("LOSSBOOK_SCALE", "1")
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise _fail("default_scale", f"expects LOSSBOOK_SCALE to be an integer >= 1; got {raw!r}.")
    return value


# ---- devices -----------------------------------------------------------------------------
def choose_device(device: Any = None, *, _caller: str = "choose_device"):
    """The torch device to train on.

    Parameters
    ----------
    device : None, str or torch.device
        ``None`` picks the best available: ``cuda``, then ``mps`` (Apple GPUs), then
        ``cpu``. An explicit ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"`` is checked:
        an unknown name or a device that is not available raises
        :class:`~lossbook.LossInputError` naming ``device`` and the fix.

    Returns
    -------
    torch.device

    Examples
    --------
    >>> from lossbook.train import choose_device
    >>> choose_device("cpu")
    device(type='cpu')
    >>> choose_device().type in ("cuda", "mps", "cpu")
    True
    """
    import torch

    if device is None:
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        dev = None
    if dev is None or dev.type not in ("cpu", "cuda", "mps"):
        raise _fail(
            _caller,
            f"expects device to be None, 'cpu', 'cuda', 'cuda:N' or 'mps'; got {device!r}. "
            "Pass device=None to pick the best available device.",
        )
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise _fail(
                _caller,
                f"got device={device!r}, but CUDA is not available here (torch "
                f"{torch.__version__}, built with CUDA {torch.version.cuda}). "
                "Pass device='cpu' or device=None (best available), or install a CUDA build "
                "of PyTorch on a machine with an NVIDIA GPU.",
            )
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise _fail(
                _caller,
                f"got device={device!r}, but only {torch.cuda.device_count()} CUDA device(s) "
                "exist. Pass device='cuda' (the current one) or a valid index.",
            )
    if dev.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise _fail(
                _caller,
                f"got device={device!r}, but MPS (Apple GPU) is not available here. "
                "Pass device='cpu' or device=None (best available).",
            )
    return dev


# ---- models ------------------------------------------------------------------------------
def _torch_squeeze():
    import torch.nn as nn

    class SqueezeLast(nn.Module):
        """``(N, 1) -> (N,)``: one output per sample, the shape elementwise losses expect."""

        def forward(self, x):
            return x.squeeze(-1)

    return SqueezeLast()


def mlp(
    in_features: int,
    hidden: int,
    out_features: int | None,
    *,
    depth: int = 1,
    activation: str = "relu",
    dropout: float = 0.0,
    seed: int | None = None,
):
    """A PyTorch multilayer perceptron: ``depth`` hidden layers of width ``hidden``.

    Parameters
    ----------
    in_features, hidden : int
    out_features : int or None
        Width of the output layer. ``None`` means one output per sample, **squeezed** to
        shape ``(N,)`` -- what elementwise regression and binary losses need against
        targets of shape ``(N,)`` (lossbook never broadcasts ``(N, 1)`` against ``(N,)``).
    depth : int >= 0, default 1
        Number of hidden layers; ``depth=0`` is a linear model (``hidden`` is ignored).
    activation : {"relu", "tanh", "gelu"}, default "relu"
    dropout : float in [0, 1), default 0.0
        Dropout after each hidden activation.
    seed : int, optional
        Seed for the initial weights (drawn under ``torch.random.fork_rng``, so the global
        RNG is untouched). ``None`` uses the global RNG.

    Returns
    -------
    torch.nn.Sequential

    Examples
    --------
    >>> import torch
    >>> from lossbook.train import mlp
    >>> net = mlp(2, 16, None, seed=0)
    >>> net(torch.zeros(5, 2)).shape
    torch.Size([5])
    >>> mlp(64, 32, 10, depth=2, seed=0)(torch.zeros(3, 64)).shape
    torch.Size([3, 10])
    """
    import torch
    import torch.nn as nn

    f = "mlp"
    in_features = _check_int(f, "in_features", in_features)
    depth = _check_int(f, "depth", depth, minimum=0)
    if depth:
        hidden = _check_int(f, "hidden", hidden)
    acts = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU}
    if activation not in acts:
        raise _fail(f, f"expects activation in {set(acts)}; got {activation!r}.")
    if not (isinstance(dropout, numbers.Real) and 0 <= dropout < 1):
        raise _fail(f, f"expects dropout in [0, 1); got {dropout!r}.")
    out = 1 if out_features is None else _check_int(f, "out_features", out_features)

    def build():
        layers: list[nn.Module] = []
        width = in_features
        for _ in range(depth):
            layers += [nn.Linear(width, hidden), acts[activation]()]
            if dropout:
                layers.append(nn.Dropout(dropout))
            width = hidden
        layers.append(nn.Linear(width, out))
        if out_features is None:
            layers.append(_torch_squeeze())
        return nn.Sequential(*layers)

    if seed is None:
        return build()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


def keras_mlp(
    in_features: int,
    hidden: int,
    out_features: int | None,
    *,
    depth: int = 1,
    activation: str = "relu",
    seed: int | None = None,
):
    """The Keras twin of :func:`mlp` (``out_features=None`` gives outputs of shape ``(N,)``).

    ``seed`` seeds the initialisers (``keras.utils.set_random_seed``, which also seeds
    Python, NumPy and TensorFlow globally).

    Examples
    --------
    >>> import numpy as np
    >>> from lossbook.train import keras_mlp
    >>> net = keras_mlp(64, 32, 10, seed=0)
    >>> tuple(net(np.zeros((3, 64), dtype="float32")).shape)
    (3, 10)
    """
    quiet_tensorflow()
    import keras

    f = "keras_mlp"
    in_features = _check_int(f, "in_features", in_features)
    depth = _check_int(f, "depth", depth, minimum=0)
    if depth:
        hidden = _check_int(f, "hidden", hidden)
    if activation not in ("relu", "tanh", "gelu"):
        raise _fail(f, f"expects activation in {{'relu', 'tanh', 'gelu'}}; got {activation!r}.")
    out = 1 if out_features is None else _check_int(f, "out_features", out_features)
    if seed is not None:
        keras.utils.set_random_seed(seed)
    layers: list[Any] = [keras.Input((in_features,))]
    layers += [keras.layers.Dense(hidden, activation=activation) for _ in range(depth)]
    layers.append(keras.layers.Dense(out))
    if out_features is None:
        layers.append(keras.layers.Reshape(()))
    return keras.Sequential(layers)


def torch_builtin(fn: Callable, **kwargs: Any) -> Callable:
    """Adapt a PyTorch built-in loss ``fn(input, target)`` to lossbook's ``(y_true, y_pred)``.

    Examples
    --------
    >>> import torch, torch.nn.functional as F
    >>> from lossbook.train import torch_builtin
    >>> loss = torch_builtin(F.mse_loss)
    >>> round(float(loss(torch.tensor([1.0, 2.0]), torch.tensor([1.5, 2.0]))), 4)
    0.125
    >>> loss = torch_builtin(torch.nn.HuberLoss(delta=0.5))
    >>> round(float(loss(torch.tensor([0.0]), torch.tensor([2.0]))), 4)
    0.875
    """

    def loss(y_true, y_pred):
        return fn(y_pred, y_true, **kwargs)

    loss.__name__ = f"torch_builtin({getattr(fn, '__name__', type(fn).__name__)})"
    return loss


# ---- PyTorch loop ------------------------------------------------------------------------
def _amp_dtype(func: str, mixed_precision: Any, dev):
    """(autocast dtype or None, use GradScaler, description)."""
    import torch

    allowed = (False, True, None, "bf16", "bfloat16", "fp16", "float16")
    if isinstance(mixed_precision, (bool, type(None))) or mixed_precision in allowed[3:]:
        pass
    else:
        raise _fail(
            func,
            f"expects mixed_precision in {{False, True, 'bf16', 'fp16'}}; got {mixed_precision!r}.",
        )
    if not mixed_precision or dev.type != "cuda":
        return None, False, "float32"
    if mixed_precision is True:
        mixed_precision = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    if mixed_precision in ("bf16", "bfloat16"):
        return torch.bfloat16, False, "bfloat16 autocast"
    return torch.float16, True, "float16 autocast + GradScaler"


def _make_optimizer(func, optimizer, params, lr, momentum, weight_decay):
    import torch

    if callable(optimizer) and not isinstance(optimizer, str):
        if isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer):
            return optimizer(params, lr=lr, weight_decay=weight_decay)
        return optimizer(params)
    name = str(optimizer).lower()
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, weight_decay=weight_decay)
    raise _fail(
        func,
        f"expects optimizer in {set(_OPTIMIZERS)}, a torch.optim.Optimizer class, or a "
        f"callable params -> optimizer; got {optimizer!r}.",
    )


def _to_torch(a: Any, float_dtype):
    """Features/targets to a tensor: floating -> ``float_dtype``, integers -> int64, else kept."""
    import torch

    t = a if isinstance(a, torch.Tensor) else torch.as_tensor(np.asarray(a))
    if t.is_floating_point():
        return t.to(float_dtype)
    if t.dtype in (torch.int8, torch.int16, torch.int32, torch.uint8):
        return t.long()
    return t


def _progress_bar(enabled: bool, total: int, desc: str):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="epoch", file=sys.stdout, dynamic_ncols=True)


def _call_loss(loss_fn, y, out):
    return loss_fn(out) if y is None else loss_fn(y, out)


def _check_scalar_loss(func: str, loss: Any) -> None:
    import torch

    if not isinstance(loss, torch.Tensor) or loss.ndim != 0:
        shape = tuple(loss.shape) if isinstance(loss, torch.Tensor) else type(loss).__name__
        raise _fail(
            func,
            f"expects loss_fn to return a scalar tensor; got {shape}. "
            "Use reduction='mean' (the default) or 'sum'.",
        )


def fit_torch(
    model,
    loss_fn: Callable,
    X: Any,
    y: Any = None,
    *,
    epochs: int,
    batch_size: int | None = None,
    lr: float = 1e-2,
    optimizer: Any = "adam",
    momentum: float = 0.0,
    weight_decay: float = 0.0,
    device: Any = None,
    seed: int = 0,
    progress: bool = True,
    metrics: Mapping[str, Callable[[Any, np.ndarray], float]] | None = None,
    X_val: Any = None,
    y_val: Any = None,
    mixed_precision: bool | str = False,
    scale: int = 1,
) -> History:
    """Train a PyTorch ``nn.Module`` with a lossbook loss; return its :class:`History`.

    Parameters
    ----------
    model : torch.nn.Module
        Moved to the chosen device (in place) and trained in place.
    loss_fn : callable
        ``loss_fn(y_true, y_pred) -> scalar tensor`` in lossbook's order: any
        :mod:`lossbook.torch` loss, a ``lambda`` around one (to set parameters), or a
        PyTorch built-in adapted with :func:`torch_builtin`. With ``y=None`` it is called
        as ``loss_fn(y_pred)`` (metric-learning losses on the model's output, e.g.
        ``lambda e: lossbook.torch.triplet(e[:, 0], e[:, 1], e[:, 2])``).
    X : array or tensor, ``(N, ...)``
        Features; floating arrays are cast to the model's floating dtype (float32).
    y : array or tensor, ``(N, ...)``, optional
        Targets. Floating targets are cast like ``X``; integer targets become int64
        (class indices); nothing else is converted, so that a wrong dtype reaches the loss
        and is reported.
    epochs : int
        Number of passes over the data (times ``scale``).
    batch_size : int, optional
        Mini-batch size; ``None`` is full-batch gradient descent. Batches are reshuffled
        every epoch with ``np.random.default_rng(seed)``.
    lr : float, default 1e-2
    optimizer : {"adam", "adamw", "sgd", "rmsprop", "adagrad"}, an optimizer class or a
        callable ``params -> optimizer``; default ``"adam"``.
    momentum : float, default 0.0
        For ``"sgd"`` and ``"rmsprop"``.
    weight_decay : float, default 0.0
    device : None, str or torch.device
        See :func:`choose_device` (``None``: cuda, then mps, then cpu).
    seed : int, default 0
        Seeds Python, NumPy, torch (dropout) and the batch order. The initial weights are
        the model's: build it with a seed too.
    progress : bool, default True
        A tqdm bar over epochs on stdout; ``False`` prints nothing.
    metrics : dict name -> callable(y_true, y_pred), optional
        NumPy functions of the targets and the model output (float32) over the whole
        training set, recorded at the end of each epoch as ``name`` (and ``val_name``).
    X_val, y_val : optional
        Validation data: records ``val_loss`` (and ``val_<metric>``) per epoch.
    mixed_precision : bool or {"bf16", "fp16"}, default False
        On CUDA: autocast (bfloat16 if supported, else float16 with a GradScaler; a string
        forces one); the output is cast to float32 before the loss. On CPU / MPS a no-op
        (float32): see the module docstring.
    scale : int >= 1, default 1
        Multiplies ``epochs`` (see :func:`default_scale`).

    Returns
    -------
    History
        ``{"loss": [...], "val_loss": [...], <metrics>...}``, one value per epoch.

    Raises
    ------
    LossInputError
        Before any training step: bad arguments, ``X`` / ``y`` lengths that differ, an
        unavailable device, or a loss that rejects the first batch (model output vs.
        labels) or returns a non-scalar or non-finite value.

    Examples
    --------
    >>> import lossbook.torch as lt
    >>> from lossbook.data import linear_with_outliers
    >>> from lossbook.train import fit_torch, mlp
    >>> x, y, _ = linear_with_outliers(200, seed=0)
    >>> model = mlp(1, 0, None, depth=0, seed=0)         # a linear model y = w·x + b
    >>> h = fit_torch(model, lt.mae, x, y, epochs=150, lr=0.1, progress=False)
    >>> h.final() < h.initial(), h.epochs
    (True, 150)
    >>> round(model[0].weight.item(), 1), round(model[0].bias.item(), 1)
    (1.9, 3.0)
    """
    import torch

    func = "fit_torch"
    epochs = _check_int(func, "epochs", epochs)
    scale = _check_int(func, "scale", scale)
    lr = _check_nonneg(func, "lr", lr, positive=True)
    momentum = _check_nonneg(func, "momentum", momentum)
    weight_decay = _check_nonneg(func, "weight_decay", weight_decay)
    if batch_size is not None:
        batch_size = _check_int(func, "batch_size", batch_size)
    if not isinstance(model, torch.nn.Module):
        raise _fail(func, f"expects model to be a torch.nn.Module; got {type(model).__name__}.")
    if not callable(loss_fn):
        raise _fail(func, f"expects a callable loss_fn(y_true, y_pred); got {loss_fn!r}.")
    _check_val(func, X_val, y_val, y is not None)
    _check_lengths(func, [("X", X), ("y", y)])
    if X_val is not None:
        _check_lengths(func, [("X_val", X_val), ("y_val", y_val)])
    dev = choose_device(device, _caller=func)
    amp_dtype, use_scaler, precision = _amp_dtype(func, mixed_precision, dev)
    metrics = dict(metrics or {})

    seed_everything(seed)
    model.to(dev)
    fdtype = next((p.dtype for p in model.parameters() if p.is_floating_point()), torch.float32)
    Xt = _to_torch(X, fdtype).to(dev)
    yt = None if y is None else _to_torch(y, fdtype).to(dev)
    Xv = None if X_val is None else _to_torch(X_val, fdtype).to(dev)
    yv = None if y_val is None else _to_torch(y_val, fdtype).to(dev)
    n = len(Xt)
    bs = n if batch_size is None else min(batch_size, n)

    def autocast():
        if amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=dev.type, dtype=amp_dtype)

    def forward(xb):
        with autocast():
            out = model(xb)
        if isinstance(out, torch.Tensor) and out.dtype in (torch.float16, torch.bfloat16):
            out = out.float()  # every loss is computed in float32
        return out

    def checked_loss(y_b, out, where):
        try:
            loss = _call_loss(loss_fn, y_b, out)
        except LossInputError as err:
            raise _rethrow(func, err, where) from err
        _check_scalar_loss(func, loss)
        if not bool(torch.isfinite(loss.detach())):
            raise _fail(
                func,
                f"got a non-finite loss ({float(loss)}) on {where}, before training. "
                "Check the data for NaN/inf and that the loss suits the model's output.",
            )
        return loss

    opt = _make_optimizer(func, optimizer, model.parameters(), lr, momentum, weight_decay)

    # ---- validate before any training step ----
    was_training = model.training
    model.eval()
    with torch.no_grad():
        checked_loss(None if yt is None else yt[:bs], forward(Xt[:bs]), "the first batch")
        if Xv is not None:
            m = min(bs, len(Xv))
            checked_loss(
                None if yv is None else yv[:m], forward(Xv[:m]), "the first validation batch"
            )
    model.train(was_training)

    scaler = torch.amp.GradScaler(dev.type) if use_scaler else None
    rng = np.random.default_rng(seed)
    y_np = (
        None
        if y is None
        else (y.detach().cpu().numpy() if isinstance(y, torch.Tensor) else np.asarray(y))
    )
    yv_np = (
        None
        if y_val is None
        else (
            y_val.detach().cpu().numpy() if isinstance(y_val, torch.Tensor) else np.asarray(y_val)
        )
    )

    def evaluate(Xe, ye):
        model.eval()
        outs, total = [], torch.zeros((), device=dev, dtype=torch.float64)
        with torch.no_grad():
            for start in range(0, len(Xe), bs):
                xb = Xe[start : start + bs]
                out = forward(xb)
                yb = None if ye is None else ye[start : start + bs]
                total += _call_loss(loss_fn, yb, out).double() * len(xb)
                if metrics:
                    outs.append(out.float().cpu().numpy())
        model.train()
        pred = np.concatenate(outs) if outs else None
        return float(total) / len(Xe), pred

    hist = History()
    hist.backend, hist.device, hist.precision = "torch", str(dev), precision
    total_epochs = epochs * scale
    bar = _progress_bar(progress, total_epochs, "fit_torch")
    t0 = time.perf_counter()
    model.train()
    try:
        for _ in range(total_epochs):
            order = torch.as_tensor(rng.permutation(n), device=dev) if bs < n else None
            running = torch.zeros((), device=dev, dtype=torch.float64)
            for start in range(0, n, bs):
                idx = order[start : start + bs] if order is not None else slice(start, start + bs)
                xb = Xt[idx]
                yb = None if yt is None else yt[idx]
                opt.zero_grad(set_to_none=True)
                loss = _call_loss(loss_fn, yb, forward(xb))
                if scaler is not None:
                    scaler.scale(loss).backward()
                    scaler.step(opt)
                    scaler.update()
                else:
                    loss.backward()
                    opt.step()
                running += loss.detach().double() * len(xb)
            hist.setdefault("loss", []).append(float(running) / n)
            if metrics:
                _, pred = evaluate(Xt, yt)
                for name, fn in metrics.items():
                    hist.setdefault(name, []).append(float(fn(y_np, pred)))
            if Xv is not None:
                vloss, vpred = evaluate(Xv, yv)
                hist.setdefault("val_loss", []).append(vloss)
                for name, fn in metrics.items():
                    hist.setdefault(f"val_{name}", []).append(float(fn(yv_np, vpred)))
            if bar is not None:
                bar.set_postfix(loss=f"{hist['loss'][-1]:.4g}", refresh=False)
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    hist.seconds = time.perf_counter() - t0
    return hist


# ---- Keras loop --------------------------------------------------------------------------
def fit_keras(
    model,
    loss_fn: Callable,
    X: Any,
    y: Any,
    *,
    epochs: int,
    batch_size: int | None = None,
    lr: float = 1e-2,
    optimizer: str = "adam",
    seed: int = 0,
    progress: bool = False,
    metrics: Mapping[str, Callable[[Any, np.ndarray], float]] | None = None,
    X_val: Any = None,
    y_val: Any = None,
    scale: int = 1,
) -> History:
    """Train a Keras model with a :mod:`lossbook.tensorflow` loss; return its :class:`History`.

    The loss is compiled in lossbook's order ``loss_fn(y_true, y_pred)`` through a
    ``keras.losses.Loss`` subclass that calls it directly (Keras's own wrapper for plain
    functions would squeeze or expand ranks, hiding an ``(N, 1)`` vs ``(N,)`` mismatch).
    Keras 3 casts ``y_true`` to float32 before the loss; when ``y`` holds integers the
    wrapper casts it back to int64, as :func:`lossbook.tensorflow.cross_entropy`'s
    docstring asks. The loss is first run eagerly on the first batch (where lossbook's value
    checks can run; inside ``fit``'s graph only structural checks do), so a bad
    loss / label combination raises :class:`~lossbook.LossInputError` before training.

    Parameters
    ----------
    model : keras.Model
        Compiled here (any previous compilation is replaced).
    loss_fn : callable ``(y_true, y_pred) -> scalar tf.Tensor``
    X, y : arrays, first axes of equal length
        Floating features are cast to float32.
    epochs : int
    batch_size : int, optional
        ``None`` is full batch (unlike Keras's default of 32), as in :func:`fit_torch`.
    lr : float, default 1e-2
    optimizer : {"adam", "adamw", "sgd", "rmsprop", "adagrad"}, default "adam"
    seed : int, default 0
        ``keras.utils.set_random_seed(seed)`` (Python, NumPy, TensorFlow; shuffling).
    progress : bool, default False
        Keras's progress output (``verbose=2``, one line per epoch); quiet otherwise.
    metrics, X_val, y_val, scale :
        As in :func:`fit_torch`.

    Returns
    -------
    History
        Same keys as :func:`fit_torch`: ``loss`` (mean over the epoch's batches),
        ``val_loss`` and metrics.

    Examples
    --------
    >>> import lossbook.tensorflow as ltf
    >>> from lossbook.data import digits
    >>> from lossbook.train import fit_keras, keras_mlp
    >>> X_tr, X_te, y_tr, y_te = digits(seed=0)
    >>> h = fit_keras(keras_mlp(64, 32, 10, seed=0), ltf.cross_entropy, X_tr, y_tr,
    ...               epochs=3, batch_size=256)
    >>> sorted(h), h.epochs, h.final() < h.initial()
    (['loss'], 3, True)
    """
    func = "fit_keras"
    epochs = _check_int(func, "epochs", epochs)
    scale = _check_int(func, "scale", scale)
    lr = _check_nonneg(func, "lr", lr, positive=True)
    if batch_size is not None:
        batch_size = _check_int(func, "batch_size", batch_size)
    if not callable(loss_fn):
        raise _fail(func, f"expects a callable loss_fn(y_true, y_pred); got {loss_fn!r}.")
    if y is None:
        raise _fail(func, "expects targets y; got None.")
    _check_val(func, X_val, y_val, True)
    _check_lengths(func, [("X", X), ("y", y)])
    if X_val is not None:
        _check_lengths(func, [("X_val", X_val), ("y_val", y_val)])
    opts = {"adam", "adamw", "sgd", "rmsprop", "adagrad"}
    if optimizer not in opts:
        raise _fail(func, f"expects optimizer in {opts}; got {optimizer!r}.")
    metrics = dict(metrics or {})

    quiet_tensorflow()
    import keras
    import tensorflow as tf

    def as_np(a):
        a = np.asarray(a)
        return a.astype(np.float32) if np.issubdtype(a.dtype, np.floating) else a

    X, y = as_np(X), as_np(y)
    Xv = None if X_val is None else as_np(X_val)
    yv = None if y_val is None else as_np(y_val)
    int_labels = np.issubdtype(y.dtype, np.integer)
    n = len(X)
    bs = n if batch_size is None else min(batch_size, n)

    keras.utils.set_random_seed(seed)
    seed_everything(seed)

    # ---- validate before any training step (eagerly, so value checks run) ----
    def check(Xe, ye, where):
        out = model(Xe[:bs], training=False)
        try:
            loss = loss_fn(tf.convert_to_tensor(ye[:bs]), out)
        except LossInputError as err:
            raise _rethrow(func, err, where) from err
        if tuple(loss.shape) != ():
            raise _fail(
                func,
                f"expects loss_fn to return a scalar; got shape {tuple(loss.shape)}. "
                "Use reduction='mean' (the default) or 'sum'.",
            )
        if not bool(tf.math.is_finite(loss)):
            raise _fail(func, f"got a non-finite loss ({float(loss)}) on {where}, before training.")

    check(X, y, "the first batch")
    if Xv is not None:
        check(Xv, yv, "the first validation batch")

    class LossbookLoss(keras.losses.Loss):
        def __init__(self):
            super().__init__(name=getattr(loss_fn, "__name__", "lossbook_loss"))

        def call(self, y_true, y_pred):
            if int_labels:
                y_true = tf.cast(y_true, tf.int64)  # Keras cast the indices to float32
            return loss_fn(y_true, y_pred)

    opt_cls = {
        "adam": keras.optimizers.Adam,
        "adamw": keras.optimizers.AdamW,
        "sgd": keras.optimizers.SGD,
        "rmsprop": keras.optimizers.RMSprop,
        "adagrad": keras.optimizers.Adagrad,
    }[optimizer]
    model.compile(optimizer=opt_cls(learning_rate=lr), loss=LossbookLoss())

    callbacks = []
    hist = History()
    if metrics:

        class _Metrics(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                for Xe, ye, prefix in ((X, y, ""), (Xv, yv, "val_")):
                    if Xe is None:
                        continue
                    pred = np.asarray(self.model.predict(Xe, batch_size=bs, verbose=0))
                    for name, fn in metrics.items():
                        hist.setdefault(prefix + name, []).append(float(fn(ye, pred)))

        callbacks.append(_Metrics())

    t0 = time.perf_counter()
    kh = model.fit(
        X,
        y,
        epochs=epochs * scale,
        batch_size=bs,
        shuffle=True,
        validation_data=None if Xv is None else (Xv, yv),
        validation_batch_size=bs,
        verbose=2 if progress else 0,
        callbacks=callbacks,
    )
    seconds = time.perf_counter() - t0
    record = History()
    record["loss"] = [float(v) for v in kh.history["loss"]]
    if "val_loss" in kh.history:
        record["val_loss"] = [float(v) for v in kh.history["val_loss"]]
    record.update(hist)
    record.backend, record.device, record.precision = "keras", _keras_device(tf), "float32"
    record.seconds = seconds
    return record


def _keras_device(tf) -> str:
    return "gpu" if tf.config.list_logical_devices("GPU") else "cpu"
