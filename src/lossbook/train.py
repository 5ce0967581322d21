"""Small training loops for the book's demos: PyTorch (:func:`fit_torch`) and Keras (:func:`fit_keras`).

Both take a loss in **lossbook's order**, ``loss_fn(y_true, y_pred)`` -- any function of
:mod:`lossbook.torch` / :mod:`lossbook.tensorflow` or a lambda around one -- and return a
:class:`History`, ``{metric: [one value per epoch]}``, which :func:`lossbook.plot.history`
draws. A framework built-in with its own order is adapted with :func:`torch_builtin`.

:func:`fit_torch` is the loop the chapters write by hand (shuffle, forward, loss, backward,
optional gradient clipping, step), plus what a demo needs around it; each of those parts is a
small helper of this module:

* **Devices** (:func:`choose_device`): ``cuda``, then ``mps``, then ``cpu``. ``fit_torch``
  trains where the model is unless ``device=`` is given (then the model is moved there), and
  every evaluation helper (:func:`predict`, the per-epoch metrics, the first-batch check)
  moves its inputs to the model's device and brings the outputs back to the CPU as NumPy
  arrays, so training on a GPU and evaluating afterwards never mixes devices.
* **Batching**: the data are moved to the device once; the batch order of each epoch is a
  permutation from ``np.random.default_rng(seed)``.
* **Mixed precision** (:func:`precision_policy`, CUDA only): bfloat16 autocast where the GPU
  computes bfloat16 natively (compute capability >= 8, Ampere and later), else float16
  autocast with a ``GradScaler``. ``torch.cuda.is_bf16_supported()`` is not used: it also
  reports GPUs that only emulate bfloat16 (T4, V100), where it is slow. The model output is
  cast to float32 before the loss. On CPU and MPS the option is a no-op (full precision), so
  the book's printed numbers do not change; ``History.precision`` says what was used.
* **Validation before training.** The loss is run once on the first batch before any
  optimisation step, so a bad loss / label combination -- hinge with 0/1 labels,
  ``cross_entropy`` with float labels, an ``(N, 1)`` output against ``(N,)`` targets -- raises
  :class:`~lossbook.LossInputError` at once, not after an epoch. Bad *arguments* of the
  training functions raise a plain :class:`ValueError` naming the argument and the fix.
* **What is recorded.** ``loss`` is the mean training loss over the epoch's batches (weighted
  by batch size), computed while training as Keras does. ``val_loss`` and every metric are
  computed at the end of the epoch with the model in eval mode, on the whole training set
  (``<name>``) and the validation set (``val_<name>``).
* **Seeding.** ``seed`` seeds Python, NumPy, the framework (dropout) and the batch order. The
  initial weights are the model's: build it with ``mlp(..., seed=...)``.
* **Size.** Demos are sized for two CPU cores. :func:`scale` reads the ``LOSSBOOK_SCALE``
  environment variable (default 1); a demo multiplies its epochs or data sizes by it.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from ._errors import LossInputError
from ._setup import quiet_tensorflow, seed_everything

__all__ = [
    "History",
    "Precision",
    "choose_device",
    "fit_keras",
    "fit_torch",
    "keras_mlp",
    "mlp",
    "predict",
    "precision_policy",
    "scale",
    "torch_builtin",
]

_OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop", "adagrad")
Metrics = Mapping[str, Callable[[Any, np.ndarray], float]]


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


# ---- argument checks: plain ValueError, naming the argument and the fix -------------------
def _fail(func: str, msg: str) -> ValueError:
    return ValueError(f"{func} {msg}")


def _check_int(func: str, name: str, value: Any, *, minimum: int = 1) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise _fail(
            func,
            f"expects {name} to be an integer >= {minimum}; got {value!r}. Pass e.g. {name}={max(minimum, 1)}.",
        )
    return int(value)


def _check_positive(func: str, name: str, value: Any, *, allow_zero: bool = False) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (value >= 0 if allow_zero else value > 0)
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise _fail(func, f"expects {name} to be a finite number {bound}; got {value!r}.")
    return float(value)


def _check_data(func: str, X: Any, y: Any, validation_data: Any, *, y_required: bool) -> tuple:
    """Check lengths; return ``(X_val, y_val)`` (``(None, None)`` without validation data)."""
    if y_required and y is None:
        raise _fail(func, "expects targets y; got None.")
    _check_lengths(func, [("X", X), ("y", y)])
    if validation_data is None:
        return None, None
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise _fail(
            func,
            "expects validation_data to be a pair (X_val, y_val); got "
            f"{type(validation_data).__name__}. Pass validation_data=(X_val, y_val)"
            + (" (y_val=None when y is None)." if not y_required else "."),
        )
    X_val, y_val = validation_data
    if (y is None) != (y_val is None):
        raise _fail(
            func,
            "expects validation_data=(X_val, y_val) to have targets exactly when y has; got "
            f"y {'None' if y is None else 'given'} and y_val {'None' if y_val is None else 'given'}.",
        )
    _check_lengths(func, [("X_val", X_val), ("y_val", y_val)])
    return X_val, y_val


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


def _rethrow(func: str, err: LossInputError, where: str) -> LossInputError:
    new = LossInputError(
        f"{err} [{func} ran the loss on {where} before training, to check the loss and "
        "label combination; no epoch has run.]"
    )
    new.__cause__ = err
    return new


def scale() -> int:
    """The demos' size multiplier: ``int(os.environ["LOSSBOOK_SCALE"])``, default 1.

    The book is executed with scale 1 on two CPU cores. A demo multiplies its number of
    epochs or its data set sizes by ``scale()``, so ``LOSSBOOK_SCALE=10`` makes every demo
    bigger without editing it.

    Raises
    ------
    ValueError
        If ``LOSSBOOK_SCALE`` is set to anything but an integer >= 1.

    Examples
    --------
    >>> from lossbook.train import scale
    >>> scale() >= 1
    True
    """
    raw = os.environ.get("LOSSBOOK_SCALE", "1")
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise _fail(
            "lossbook.train.scale",
            f"expects the environment variable LOSSBOOK_SCALE to be an integer >= 1; got {raw!r}. "
            "Unset it (scale 1) or export e.g. LOSSBOOK_SCALE=10.",
        )
    return value


# ---- devices -----------------------------------------------------------------------------
def choose_device(device: Any = None, *, _caller: str = "choose_device"):
    """The torch device to train on.

    Parameters
    ----------
    device : None, str or torch.device
        ``None`` picks the best available: ``cuda``, then ``mps`` (Apple GPUs), then
        ``cpu``. An explicit ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"`` is checked:
        an unknown name or a device that is not available raises :class:`ValueError`
        naming ``device`` and the fix.

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

    mps = getattr(torch.backends, "mps", None)
    mps_ok = mps is not None and mps.is_available()
    if device is None:
        if torch.cuda.is_available():
            return torch.device("cuda")
        return torch.device("mps" if mps_ok else "cpu")
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
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise _fail(
            _caller,
            f"got device={device!r}, but CUDA is not available here (torch "
            f"{torch.__version__}, built with CUDA {torch.version.cuda}). "
            "Pass device='cpu' or device=None (best available), or install a CUDA build "
            "of PyTorch on a machine with an NVIDIA GPU.",
        )
    if dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count():
        raise _fail(
            _caller,
            f"got device={device!r}, but only {torch.cuda.device_count()} CUDA device(s) "
            "exist. Pass device='cuda' (the current one) or a valid index.",
        )
    if dev.type == "mps" and not mps_ok:
        raise _fail(
            _caller,
            f"got device={device!r}, but MPS (Apple GPU) is not available here. "
            "Pass device='cpu' or device=None (best available).",
        )
    return dev


def model_device(model):
    """The device of a torch model's first parameter (``cpu`` for a model without any)."""
    import torch

    p = next(iter(model.parameters()), None)
    return torch.device("cpu") if p is None else p.device


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


# ---- mixed precision ---------------------------------------------------------------------
class Precision(NamedTuple):
    """What :func:`precision_policy` chose: the autocast dtype (or None), whether a
    ``GradScaler`` is needed, and a description for ``History.precision``."""

    autocast_dtype: Any
    grad_scaler: bool
    name: str


_FULL = Precision(None, False, "full precision")
_BF16 = "bfloat16 autocast"
_FP16 = "float16 autocast + GradScaler"


def precision_policy(device, mixed_precision: bool | str = False, *, _caller="precision_policy"):
    """The mixed-precision setting :func:`fit_torch` uses on ``device``.

    Parameters
    ----------
    device : torch.device
    mixed_precision : bool or {"bf16", "fp16"}, default False
        ``False``: full precision. ``True``: on CUDA, bfloat16 autocast when the GPU's
        compute capability is 8.0 or higher (``torch.cuda.get_device_capability``; Ampere and
        later compute bfloat16 natively), else float16 autocast with a ``GradScaler``. A
        string forces one. On CPU and MPS every value is a no-op.

    Returns
    -------
    Precision

    Examples
    --------
    >>> import torch
    >>> from lossbook.train import precision_policy
    >>> precision_policy(torch.device("cpu"), True).name
    'full precision'
    """
    import torch

    if not (isinstance(mixed_precision, bool) or mixed_precision in ("bf16", "fp16")):
        raise _fail(
            _caller,
            f"expects mixed_precision in {{False, True, 'bf16', 'fp16'}}; got {mixed_precision!r}.",
        )
    if mixed_precision is False or device.type != "cuda":
        return _FULL
    if mixed_precision is True:
        major, _ = torch.cuda.get_device_capability(device)
        mixed_precision = "bf16" if major >= 8 else "fp16"
    if mixed_precision == "bf16":
        return Precision(torch.bfloat16, False, _BF16)
    return Precision(torch.float16, True, _FP16)


def _autocast(device, policy: Precision):
    import torch

    if policy.autocast_dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=policy.autocast_dtype)


# ---- tensors, batches and evaluation -----------------------------------------------------
def _as_tensor(a: Any, float_dtype, device):
    """Floating -> ``float_dtype``, small integers -> int64, anything else kept; on ``device``."""
    import torch

    t = a if isinstance(a, torch.Tensor) else torch.as_tensor(np.asarray(a))
    if t.is_floating_point():
        t = t.to(float_dtype)
    elif t.dtype in (torch.int8, torch.int16, torch.int32, torch.uint8):
        t = t.long()
    return t.to(device)


def _float_dtype(model):
    import torch

    return next((p.dtype for p in model.parameters() if p.is_floating_point()), torch.float32)


def _forward(model, xb, policy: Precision):
    """The model output, float32 if autocast made it half precision (losses run in float32)."""
    import torch

    with _autocast(xb.device, policy):
        out = model(xb)
    if out.dtype in (torch.float16, torch.bfloat16):
        out = out.float()
    return out


def _forward_batches(model, X, batch_size: int | None, policy: Precision = _FULL) -> Iterator:
    """Eval-mode, no-grad outputs of ``model`` over ``X`` in order, batch by batch.

    Each batch is moved to the **model's** device first (every evaluation goes through
    here); yields ``(slice, output on the model's device)``.
    """
    import torch

    dev, dtype = model_device(model), _float_dtype(model)
    X = _as_tensor(X, dtype, dev)
    bs = len(X) if batch_size is None else batch_size
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            for start in range(0, len(X), bs):
                yield slice(start, start + bs), _forward(model, X[start : start + bs], policy)
    finally:
        model.train(was_training)


def _numpy(t) -> np.ndarray:
    return t.detach().cpu().numpy()


def predict(model, X: Any, *, batch_size: int | None = None) -> np.ndarray:
    """The model's outputs on ``X`` as a NumPy array: eval mode, no gradients.

    ``X`` is moved to the model's device (wherever :func:`fit_torch` trained it) and the
    outputs are brought back to the CPU, so the same code runs after training on a GPU.
    Floating inputs are cast to the model's dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from lossbook.train import mlp, predict
    >>> predict(mlp(2, 4, 3, seed=0), np.zeros((5, 2))).shape
    (5, 3)
    """
    outs = [_numpy(out) for _, out in _forward_batches(model, X, batch_size)]
    return np.concatenate(outs) if outs else np.zeros((0,))


def _evaluate(model, loss_fn, X, y, batch_size, policy) -> tuple[float, np.ndarray]:
    """Mean loss over ``X`` (weighted by batch size) and the outputs, on the model's device."""
    yt = None if y is None else _as_tensor(y, _float_dtype(model), model_device(model))
    total, outs = 0.0, []
    for sl, out in _forward_batches(model, X, batch_size, policy):
        total += float(_call_loss(loss_fn, None if yt is None else yt[sl], out).double()) * len(out)
        outs.append(_numpy(out))
    return total / len(X), np.concatenate(outs)


def _call_loss(loss_fn, y, out):
    return loss_fn(out) if y is None else loss_fn(y, out)


def _check_loss_runs(func: str, model, loss_fn, X, y, batch_size, policy, where: str) -> None:
    """Run the loss once on the first batch, before any step: bad combinations fail here."""
    import torch

    dev = model_device(model)
    _, out = next(_forward_batches(model, X[:batch_size], None, policy))
    yb = None if y is None else _as_tensor(y[:batch_size], _float_dtype(model), dev)
    try:
        loss = _call_loss(loss_fn, yb, out)
    except LossInputError as err:
        raise _rethrow(func, err, where) from err
    if not isinstance(loss, torch.Tensor) or loss.ndim != 0:
        shape = tuple(loss.shape) if isinstance(loss, torch.Tensor) else type(loss).__name__
        raise _fail(
            func,
            f"expects loss_fn to return a scalar tensor; got {shape}. "
            "Use reduction='mean' (the default) or 'sum'.",
        )
    if not bool(torch.isfinite(loss)):
        raise _fail(
            func,
            f"got a non-finite loss ({float(loss)}) on {where}, before training. "
            "Check the data for NaN/inf and that the loss suits the model's output.",
        )


# ---- optimiser and progress --------------------------------------------------------------
def _make_optimizer(func, optimizer, params, lr, weight_decay):
    import torch

    if isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer):
        return optimizer(params, lr=lr, weight_decay=weight_decay)
    if callable(optimizer):
        return optimizer(params)
    classes = {
        "adam": torch.optim.Adam,
        "adamw": torch.optim.AdamW,
        "sgd": torch.optim.SGD,
        "rmsprop": torch.optim.RMSprop,
        "adagrad": torch.optim.Adagrad,
    }
    if optimizer not in classes:
        raise _fail(
            func,
            f"expects optimizer in {set(_OPTIMIZERS)}, a torch.optim.Optimizer class, or a "
            f"callable params -> optimizer (e.g. lambda p: torch.optim.SGD(p, lr=0.1, "
            f"momentum=0.9)); got {optimizer!r}.",
        )
    return classes[optimizer](params, lr=lr, weight_decay=weight_decay)


def _progress_bar(enabled: bool, total: int, desc: str):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="epoch", file=sys.stdout, dynamic_ncols=True)


def _record(hist: History, prefix: str, loss: float | None, y, out, metrics: Metrics) -> None:
    if loss is not None:
        hist.setdefault(f"{prefix}loss", []).append(loss)
    y_np = None if y is None else (_numpy(y) if hasattr(y, "detach") else np.asarray(y))
    for name, fn in metrics.items():
        hist.setdefault(prefix + name, []).append(float(fn(y_np, out)))


# ---- PyTorch loop ------------------------------------------------------------------------
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
    weight_decay: float = 0.0,
    clip_grad_norm: float | None = None,
    validation_data: tuple | None = None,
    metrics: Metrics | None = None,
    device: Any = None,
    mixed_precision: bool | str = False,
    seed: int = 0,
    progress: bool = False,
) -> History:
    """Train a PyTorch ``nn.Module`` with a lossbook loss; return its :class:`History`.

    Parameters
    ----------
    model : torch.nn.Module
        Trained in place, in its own dtype (``.double()`` trains in float64).
    loss_fn : callable
        ``loss_fn(y_true, y_pred) -> scalar tensor`` in lossbook's order: any
        :mod:`lossbook.torch` loss, a ``lambda`` around one, or a PyTorch built-in adapted
        with :func:`torch_builtin`. With ``y=None`` it is called as ``loss_fn(y_pred)``
        (e.g. ``lambda e: lossbook.torch.triplet(e[:, 0], e[:, 1], e[:, 2])``).
    X, y : arrays or tensors, first axes of equal length (``y`` optional)
        Floating arrays are cast to the model's floating dtype; integer targets become
        int64 (class indices); nothing else is converted, so a wrong dtype reaches the loss.
    epochs : int
    batch_size : int, optional
        ``None`` is full-batch gradient descent.
    lr : float, default 1e-2
    optimizer : {"adam", "adamw", "sgd", "rmsprop", "adagrad"}, an optimizer class, or a
        callable ``params -> optimizer`` (for anything else, e.g. momentum); default "adam".
    weight_decay : float, default 0.0
    clip_grad_norm : float, optional
        Clip the global gradient norm to this value before each step
        (``torch.nn.utils.clip_grad_norm_``).
    validation_data : (X_val, y_val), optional
        Records ``val_loss`` (and ``val_<metric>``) per epoch.
    metrics : dict name -> callable(y_true, outputs), optional
        NumPy functions of the targets and the model's outputs, recorded at the end of each
        epoch on the training set (``name``) and the validation set (``val_name``).
    device : None, str or torch.device
        ``None``: train where the model is. Otherwise the model is moved there (see
        :func:`choose_device`; ``choose_device()`` picks cuda, then mps, then cpu).
    mixed_precision : bool or {"bf16", "fp16"}, default False
        See :func:`precision_policy` (CUDA only; a no-op on CPU and MPS).
    seed : int, default 0
        Seeds Python, NumPy, torch (dropout) and the batch order.
    progress : bool, default False
        A tqdm bar over epochs on stdout.

    Returns
    -------
    History

    Raises
    ------
    ValueError
        Before any training step, for a bad argument; :class:`~lossbook.LossInputError` when
        the loss rejects the first batch (model output vs. labels).

    Examples
    --------
    >>> import lossbook.torch as lt
    >>> from lossbook.data import linear_with_outliers
    >>> from lossbook.train import fit_torch, mlp
    >>> x, y, _ = linear_with_outliers(200, seed=0)
    >>> model = mlp(1, 0, None, depth=0, seed=0)         # a linear model y = w·x + b
    >>> h = fit_torch(model, lt.mae, x, y, epochs=150, lr=0.1)
    >>> h.final() < h.initial(), h.epochs
    (True, 150)
    >>> round(model[0].weight.item(), 1), round(model[0].bias.item(), 1)
    (1.9, 3.0)
    """
    import torch

    f = "fit_torch"
    epochs = _check_int(f, "epochs", epochs)
    lr = _check_positive(f, "lr", lr)
    weight_decay = _check_positive(f, "weight_decay", weight_decay, allow_zero=True)
    if clip_grad_norm is not None:
        clip_grad_norm = _check_positive(f, "clip_grad_norm", clip_grad_norm)
    if not isinstance(model, torch.nn.Module):
        raise _fail(f, f"expects model to be a torch.nn.Module; got {type(model).__name__}.")
    if not callable(loss_fn):
        raise _fail(f, f"expects a callable loss_fn(y_true, y_pred); got {loss_fn!r}.")
    X_val, y_val = _check_data(f, X, y, validation_data, y_required=False)
    n = len(X)
    bs = n if batch_size is None else min(_check_int(f, "batch_size", batch_size), n)
    dev = model_device(model) if device is None else choose_device(device, _caller=f)
    policy = precision_policy(dev, mixed_precision, _caller=f)
    opt = _make_optimizer(f, optimizer, model.parameters(), lr, weight_decay)
    metrics = dict(metrics or {})

    seed_everything(seed)
    model.to(dev)
    _check_loss_runs(f, model, loss_fn, X, y, bs, policy, "the first batch")
    if X_val is not None:
        _check_loss_runs(f, model, loss_fn, X_val, y_val, bs, policy, "the first validation batch")

    dtype = _float_dtype(model)
    Xt = _as_tensor(X, dtype, dev)
    yt = None if y is None else _as_tensor(y, dtype, dev)
    scaler = torch.amp.GradScaler(dev.type) if policy.grad_scaler else None
    rng = np.random.default_rng(seed)
    hist = History()
    hist.backend, hist.device, hist.precision = "torch", str(dev), policy.name
    bar = _progress_bar(progress, epochs, f)
    t0 = time.perf_counter()
    try:
        for _ in range(epochs):
            model.train()
            order = (
                torch.as_tensor(rng.permutation(n), device=dev)
                if bs < n
                else torch.arange(n, device=dev)
            )
            running = 0.0
            for start in range(0, n, bs):
                idx = order[start : start + bs]
                loss = _call_loss(
                    loss_fn, None if yt is None else yt[idx], _forward(model, Xt[idx], policy)
                )
                opt.zero_grad(set_to_none=True)
                (scaler.scale(loss) if scaler else loss).backward()
                if scaler:
                    scaler.unscale_(opt)
                if clip_grad_norm is not None:
                    torch.nn.utils.clip_grad_norm_(model.parameters(), clip_grad_norm)
                if scaler:
                    scaler.step(opt)
                    scaler.update()
                else:
                    opt.step()
                running += float(loss.detach().double()) * len(idx)
            hist.setdefault("loss", []).append(running / n)
            if metrics:
                _record(
                    hist, "", None, y, _evaluate(model, loss_fn, Xt, yt, bs, policy)[1], metrics
                )
            if X_val is not None:
                vloss, vout = _evaluate(model, loss_fn, X_val, y_val, bs, policy)
                _record(hist, "val_", vloss, y_val, vout, metrics)
            if bar is not None:
                bar.set_postfix(loss=f"{hist['loss'][-1]:.4g}", refresh=False)
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    hist.seconds = time.perf_counter() - t0
    return hist


# ---- Keras loop --------------------------------------------------------------------------
def _keras_loss(loss_fn: Callable, int_labels: bool):
    """``loss_fn`` as a ``keras.losses.Loss`` that calls it directly, in lossbook's order.

    Keras's wrapper for plain functions squeezes or expands ranks (hiding an ``(N, 1)`` vs
    ``(N,)`` mismatch), and Keras 3 casts ``y_true`` to float32: integer labels are cast back
    to int64, as :func:`lossbook.tensorflow.cross_entropy` asks.
    """
    import keras
    import tensorflow as tf

    class LossbookLoss(keras.losses.Loss):
        def __init__(self):
            super().__init__(name=getattr(loss_fn, "__name__", "lossbook_loss"))

        def call(self, y_true, y_pred):
            return loss_fn(tf.cast(y_true, tf.int64) if int_labels else y_true, y_pred)

    return LossbookLoss()


def _keras_check_loss_runs(f: str, model, loss_fn, X, y, bs: int, where: str) -> None:
    """Run the loss eagerly on the first batch, where lossbook's value checks can run."""
    import tensorflow as tf

    try:
        loss = loss_fn(tf.convert_to_tensor(y[:bs]), model(X[:bs], training=False))
    except LossInputError as err:
        raise _rethrow(f, err, where) from err
    if tuple(loss.shape) != ():
        raise _fail(
            f,
            f"expects loss_fn to return a scalar; got shape {tuple(loss.shape)}. "
            "Use reduction='mean' (the default) or 'sum'.",
        )
    if not bool(tf.math.is_finite(loss)):
        raise _fail(f, f"got a non-finite loss ({float(loss)}) on {where}, before training.")


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
    clip_grad_norm: float | None = None,
    validation_data: tuple | None = None,
    metrics: Metrics | None = None,
    seed: int = 0,
    progress: bool = False,
) -> History:
    """Train a Keras model with a :mod:`lossbook.tensorflow` loss; return its :class:`History`.

    The model is compiled here, once, with the loss in lossbook's order and a fresh optimiser
    (``global_clipnorm=clip_grad_norm``), then trained with ``model.fit``. The loss is first
    run eagerly on the first batch (inside ``fit``'s graph only structural checks run), so a
    bad loss / label combination raises :class:`~lossbook.LossInputError` before training.
    Keras trains on whatever device TensorFlow sees.

    Parameters
    ----------
    model : keras.Model
    loss_fn : callable ``(y_true, y_pred) -> scalar tf.Tensor``
    X, y : arrays, first axes of equal length
        Floating arrays are cast to float32 (Keras casts them to its ``floatx``).
    epochs, batch_size, lr, clip_grad_norm, validation_data, metrics, seed, progress :
        As in :func:`fit_torch` (``batch_size=None`` is full batch, unlike Keras's 32;
        ``progress=True`` is Keras's one line per epoch).
    optimizer : {"adam", "adamw", "sgd", "rmsprop", "adagrad"}, default "adam"

    Returns
    -------
    History
        Same keys as :func:`fit_torch`.

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
    f = "fit_keras"
    epochs = _check_int(f, "epochs", epochs)
    lr = _check_positive(f, "lr", lr)
    if clip_grad_norm is not None:
        clip_grad_norm = _check_positive(f, "clip_grad_norm", clip_grad_norm)
    if not callable(loss_fn):
        raise _fail(f, f"expects a callable loss_fn(y_true, y_pred); got {loss_fn!r}.")
    X_val, y_val = _check_data(f, X, y, validation_data, y_required=True)
    if optimizer not in _OPTIMIZERS:
        raise _fail(f, f"expects optimizer in {set(_OPTIMIZERS)}; got {optimizer!r}.")
    n = len(X)
    bs = n if batch_size is None else min(_check_int(f, "batch_size", batch_size), n)
    metrics = dict(metrics or {})

    quiet_tensorflow()
    import keras
    import tensorflow as tf

    def as_np(a):
        a = np.asarray(a)
        return a.astype(np.float32) if np.issubdtype(a.dtype, np.floating) else a

    X, y = as_np(X), as_np(y)
    val = None if X_val is None else (as_np(X_val), as_np(y_val))
    keras.utils.set_random_seed(seed)
    seed_everything(seed)
    _keras_check_loss_runs(f, model, loss_fn, X, y, bs, "the first batch")
    if val is not None:
        _keras_check_loss_runs(f, model, loss_fn, *val, bs, "the first validation batch")

    opt_cls = {
        "adam": keras.optimizers.Adam,
        "adamw": keras.optimizers.AdamW,
        "sgd": keras.optimizers.SGD,
        "rmsprop": keras.optimizers.RMSprop,
        "adagrad": keras.optimizers.Adagrad,
    }[optimizer]
    model.compile(
        optimizer=opt_cls(learning_rate=lr, global_clipnorm=clip_grad_norm),
        loss=_keras_loss(loss_fn, np.issubdtype(y.dtype, np.integer)),
    )
    record = History()

    class _Metrics(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            for data, prefix in (((X, y), ""), (val, "val_")):
                if data is not None:
                    out = np.asarray(self.model.predict(data[0], batch_size=bs, verbose=0))
                    _record(record, prefix, None, data[1], out, metrics)

    t0 = time.perf_counter()
    kh = model.fit(
        X,
        y,
        epochs=epochs,
        batch_size=bs,
        shuffle=True,
        validation_data=val,
        validation_batch_size=bs,
        verbose=2 if progress else 0,
        callbacks=[_Metrics()] if metrics else [],
    )
    seconds = time.perf_counter() - t0
    hist = History(
        {k: [float(v) for v in kh.history[k]] for k in ("loss", "val_loss") if k in kh.history}
    )
    hist.update(record)
    hist.backend, hist.precision, hist.seconds = "keras", "full precision", seconds
    hist.device = "gpu" if tf.config.list_logical_devices("GPU") else "cpu"
    return hist
