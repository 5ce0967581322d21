"""The Rosetta stone: how to call each framework's built-in loss so it computes lossbook's loss.

``ROSETTA[name]["torch"]`` and ``ROSETTA[name]["keras"]`` are :class:`Builtin` records (or
``None`` where the framework has no built-in). Each record holds a small adapter that takes
lossbook's inputs (targets first, class axis last, lossbook's keyword parameters) and calls the
built-in the way it must be called to compute the same thing, plus the facts a reader needs:
argument order, default reduction, logits or probabilities, eps handling, label convention,
and ``agrees``:

- ``True``: agrees with lossbook (to ``tol``) on every valid lossbook input;
- ``"conditions"``: agrees inside the stated ``conditions`` (which the example inputs of
  :func:`example` satisfy) and differs outside them (:func:`edge_case` gives inputs that show it);
- ``False``: differs even on typical inputs.

The built-ins' dotted paths come from :data:`lossbook.catalog` (``torch_builtin`` /
``keras_builtin``); this module never retypes them.

Examples
--------
>>> from lossbook import rosetta
>>> args, kwargs = rosetta.example("huber")
>>> ours, theirs = rosetta.compare("huber", "torch", args, kwargs)
>>> abs(ours - theirs) < 1e-12
True
>>> rosetta.ROSETTA["quantile"]["torch"] is None
True
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .catalog import catalog

FRAMEWORKS = ("torch", "keras")


@dataclass(frozen=True)
class Builtin:
    """One framework built-in and how to make it compute lossbook's loss."""

    loss: str  # lossbook name
    framework: str  # "torch" or "keras"
    call: Callable[[tuple, dict], float]  # adapter: (lossbook args, lossbook kwargs) -> mean value
    how: str  # the call, as code
    argument_order: str
    default_reduction: str
    inputs: str  # what the built-in expects by default: logits, probabilities, ...
    eps: str  # eps / clipping the built-in applies
    labels: str  # label convention
    agrees: bool | str  # True, False or "conditions"
    conditions: str  # where it agrees and where (and how) it differs
    tol: float = 1e-9  # relative tolerance of "agrees" in float64
    fixed: dict[str, Any] | None = None  # lossbook kwargs the built-in cannot express: must equal
    requires: str | None = None  # extra package the built-in lives in

    @property
    def path(self) -> str:
        spec = catalog[self.loss]
        return spec.torch_builtin if self.framework == "torch" else spec.keras_builtin

    def available(self) -> bool:
        """Whether the package holding the built-in can be imported here."""
        if self.requires is None:
            return True
        try:
            importlib.import_module(self.requires)
        except ImportError:
            return False
        return True

    def supports(self, kwargs: dict) -> bool:
        """Whether the built-in can express these lossbook keyword arguments."""
        return all(_same(kwargs.get(k, v), v) for k, v in (self.fixed or {}).items())


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return bool(np.all(np.asarray(a) == np.asarray(b)))


# ---------------------------------------------------------------- helpers of the adapters


def _t(x: Any):
    import torch

    x = np.asarray(x)
    return torch.as_tensor(x if x.dtype.kind in "iu" else x.astype(np.float64))


def _k(x: Any):
    import tensorflow as tf

    return tf.constant(np.asarray(x, dtype=np.float64))


def _keras(cls: str, **kw):
    import keras

    return getattr(keras.losses, cls)(dtype="float64", **kw)


def _scalar(x: Any) -> float:
    return float(x.detach().cpu()) if hasattr(x, "detach") else float(np.asarray(x))


def _F():
    import torch.nn.functional as F

    return F


def _class_axis_to_dim1(x):
    # lossbook (and Keras) keep the class axis last; torch wants it on dim 1: (N, C, d1, ...)
    return x.movedim(-1, 1) if x.dim() > 2 else x


def _one_hot(y, n_classes: int) -> np.ndarray:
    return np.eye(n_classes)[np.asarray(y)]


# ---------------------------------------------------------------- adapters: PyTorch


def _torch_mse(args, kw):
    y, yhat = args
    return _F().mse_loss(_t(yhat), _t(y))


def _torch_mae(args, kw):
    y, yhat = args
    return _F().l1_loss(_t(yhat), _t(y))


def _torch_huber(args, kw):
    y, yhat = args
    return _F().huber_loss(_t(yhat), _t(y), delta=kw.get("delta", 1.0))


def _torch_smooth_l1(args, kw):
    y, yhat = args
    return _F().smooth_l1_loss(_t(yhat), _t(y), beta=kw.get("beta", 1.0))


def _torch_poisson(args, kw):
    y, yhat = args
    # torch computes input - target * log(input + eps) when log_input=False: the same 1e-8
    return _F().poisson_nll_loss(
        _t(yhat), _t(y), log_input=kw.get("log_input", False), full=False, eps=1e-8
    )


def _torch_gaussian(args, kw):
    y, mean, var = args
    return _F().gaussian_nll_loss(_t(mean), _t(y), _t(var), full=False, eps=1e-6)


def _torch_bce(args, kw):
    y, p = args
    return _F().binary_cross_entropy(_t(p), _t(y))


def _torch_bce_logits(args, kw):
    y, z = args
    pw = kw.get("pos_weight")
    return _F().binary_cross_entropy_with_logits(
        _t(z), _t(y), pos_weight=None if pw is None else _t(pw)
    )


def _torch_focal(args, kw):
    from torchvision.ops import sigmoid_focal_loss

    y, z = args
    alpha = kw.get("alpha", 0.25)
    return sigmoid_focal_loss(
        _t(z),
        _t(y),
        alpha=-1.0 if alpha is None else alpha,
        gamma=kw.get("gamma", 2.0),
        reduction="mean",
    )


def _torch_cross_entropy(args, kw):
    y, z = args
    w = kw.get("weight")
    target = _t(y)
    if target.is_floating_point():  # probability rows: class axis moves too
        target = _class_axis_to_dim1(target)
    return _F().cross_entropy(
        _class_axis_to_dim1(_t(z)),
        target,
        weight=None if w is None else _t(w),
        label_smoothing=kw.get("label_smoothing", 0.0),
    )


def _torch_nll(args, kw):
    y, logp = args
    w = kw.get("weight")
    return _F().nll_loss(_class_axis_to_dim1(_t(logp)), _t(y), weight=None if w is None else _t(w))


def _torch_multi_margin(args, kw):
    y, s = args
    s = _t(s)
    # torch accepts (C,) or (N, C) only: flatten any leading axes
    return _F().multi_margin_loss(
        s.reshape(-1, s.shape[-1]), _t(y).reshape(-1), p=1, margin=kw.get("margin", 1.0)
    )


def _torch_kl(args, kw):
    p, q = args
    p, q = _t(p), _t(q)
    c = p.shape[-1]
    # input = log q (log-probabilities), target = p; 'batchmean' divides the sum by dim 0 only,
    # so flatten the leading axes to rows first
    return _F().kl_div(q.reshape(-1, c).log(), p.reshape(-1, c), reduction="batchmean")


def _torch_margin_ranking(args, kw):
    y, s1, s2 = args
    return _F().margin_ranking_loss(_t(s1), _t(s2), _t(y), margin=kw.get("margin", 0.0))


def _torch_triplet(args, kw):
    a, p, n = args
    return _F().triplet_margin_loss(_t(a), _t(p), _t(n), margin=kw.get("margin", 1.0), p=2)


def _torch_cosine(args, kw):
    y, x1, x2 = args
    return _F().cosine_embedding_loss(_t(x1), _t(x2), _t(y), margin=kw.get("margin", 0.0))


# ---------------------------------------------------------------- adapters: Keras


def _keras_simple(cls: str, **fixed):
    def call(args, kw):
        y, yhat = args
        return _keras(cls, **fixed)(_k(y), _k(yhat))

    return call


def _keras_huber(args, kw):
    y, yhat = args
    return _keras("Huber", delta=kw.get("delta", 1.0))(_k(y), _k(yhat))


def _keras_bce_logits(args, kw):
    y, z = args
    return _keras("BinaryCrossentropy", from_logits=True)(_k(y), _k(z))


def _keras_hinge(cls: str):
    def call(args, kw):
        y, s = args
        # Keras averages the last axis per sample: give a 1-D input a trailing axis of size 1
        return _keras(cls)(_k(y)[..., None], _k(s)[..., None])

    return call


def _keras_focal(args, kw):
    y, z = args
    alpha = kw.get("alpha", 0.25)
    loss = _keras(
        "BinaryFocalCrossentropy",
        apply_class_balancing=alpha is not None,
        alpha=0.25 if alpha is None else alpha,
        gamma=kw.get("gamma", 2.0),
        from_logits=True,
    )
    return loss(_k(y), _k(z))


def _keras_cross_entropy(args, kw):
    y, z = args
    z = np.asarray(z)
    y = np.asarray(y)
    rows = _one_hot(y, z.shape[-1]) if y.dtype.kind in "iu" else y
    loss = _keras(
        "CategoricalCrossentropy", from_logits=True, label_smoothing=kw.get("label_smoothing", 0.0)
    )
    return loss(_k(rows), _k(z))


def _keras_softmax_focal(args, kw):
    y, z = args
    z = np.asarray(z)
    loss = _keras(
        "CategoricalFocalCrossentropy", alpha=1.0, gamma=kw.get("gamma", 2.0), from_logits=True
    )
    return loss(_k(_one_hot(y, z.shape[-1])), _k(z))


def _keras_dice(args, kw):
    y, p = args
    axes = tuple(range(1, np.ndim(p)))
    return _keras("Dice", axis=axes)(_k(y), _k(p))


# ---------------------------------------------------------------- the table

_DIM1 = "class axis on dim 1: (N, C, d1, ...)"
_LAST = "class axis last"


def _b(loss: str, framework: str, call, how: str, **facts) -> Builtin:
    return Builtin(loss=loss, framework=framework, call=call, how=how, **facts)


def _build() -> dict[str, dict[str, Builtin | None]]:
    T, K = "torch", "keras"
    pt_order = "(input, target)"
    k_order = "(y_true, y_pred)"
    pt_mean = "'mean'"
    k_mean = "'sum_over_batch_size' (last axis averaged per sample first)"
    real = "real values"
    entries: list[Builtin] = [
        # ---- regression
        _b(
            "mse",
            T,
            _torch_mse,
            "F.mse_loss(y_pred, y_true)",
            argument_order=pt_order,
            default_reduction=pt_mean,
            inputs=real,
            eps="none",
            labels="-",
            agrees=True,
            conditions="always",
        ),
        _b(
            "mse",
            K,
            _keras_simple("MeanSquaredError"),
            "MeanSquaredError()(y_true, y_pred)",
            argument_order=k_order,
            default_reduction=k_mean,
            inputs=real,
            eps="none",
            labels="-",
            agrees=True,
            conditions="always (the mean of per-sample means)",
        ),
        _b(
            "mae",
            T,
            _torch_mae,
            "F.l1_loss(y_pred, y_true)",
            argument_order=pt_order,
            default_reduction=pt_mean,
            inputs=real,
            eps="none",
            labels="-",
            agrees=True,
            conditions="always",
        ),
        _b(
            "mae",
            K,
            _keras_simple("MeanAbsoluteError"),
            "MeanAbsoluteError()(y_true, y_pred)",
            argument_order=k_order,
            default_reduction=k_mean,
            inputs=real,
            eps="none",
            labels="-",
            agrees=True,
            conditions="always",
        ),
        _b(
            "huber",
            T,
            _torch_huber,
            "F.huber_loss(y_pred, y_true, delta=delta)",
            argument_order=pt_order,
            default_reduction=pt_mean,
            inputs=real,
            eps="none",
            labels="-",
            agrees=True,
            conditions="always; SmoothL1Loss(beta) is HuberLoss(delta=beta) / beta, not Huber",
        ),
        _b(
            "huber",
            K,
            _keras_huber,
            "Huber(delta=delta)(y_true, y_pred)",
            argument_order=k_order,
            default_reduction=k_mean,
            inputs=real,
            eps="none",
            labels="-",
            agrees=True,
            conditions="always",
        ),
        _b(
            "smooth_l1",
            T,
            _torch_smooth_l1,
            "F.smooth_l1_loss(y_pred, y_true, beta=beta)",
            argument_order=pt_order,
            default_reduction=pt_mean,
            inputs=real,
            eps="none",
            labels="-",
            agrees=True,
            conditions="always; beta = 0 is L1 in both",
        ),
        _b(
            "log_cosh",
            K,
            _keras_simple("LogCosh"),
            "LogCosh()(y_true, y_pred)",
            argument_order=k_order,
            default_reduction=k_mean,
            inputs=real,
            eps="none",
            labels="-",
            agrees=True,
            tol=1e-8,
            conditions="to about 2e-9: Keras subtracts log 2 computed in float32",
        ),
        _b(
            "poisson_nll",
            T,
            _torch_poisson,
            "F.poisson_nll_loss(y_pred, y_true, log_input=log_input, eps=1e-8)",
            argument_order=pt_order,
            default_reduction=pt_mean,
            inputs="log-rates (log_input=True by default)",
            eps="log(input + eps), eps=1e-8, only when log_input=False",
            labels="counts >= 0",
            agrees=True,
            conditions="always, once log_input is passed explicitly",
        ),
        _b(
            "poisson_nll",
            K,
            _keras_simple("Poisson"),
            "Poisson()(y_true, y_pred)",
            argument_order=k_order,
            default_reduction=k_mean,
            inputs="rates",
            eps="log(y_pred + 1e-7)",
            labels="counts >= 0",
            agrees="conditions",
            conditions="rates well above 1e-7 and log_input=False (eps 1e-7 vs lossbook's 1e-8; "
            "Keras has no log-input mode)",
            tol=1e-6,
            fixed={"log_input": False},
        ),
        _b(
            "gaussian_nll",
            T,
            _torch_gaussian,
            "F.gaussian_nll_loss(mean, y_true, var)",
            argument_order="(input, target, var)",
            default_reduction=pt_mean,
            inputs="mean, var",
            eps="var clamped at 1e-6 (no gradient through the clamp)",
            labels="-",
            agrees=True,
            conditions="values always (gradients differ where var < 1e-6)",
        ),
        # ---- binary
        _b(
            "binary_cross_entropy",
            T,
            _torch_bce,
            "F.binary_cross_entropy(p, y_true)",
            argument_order=pt_order,
            default_reduction=pt_mean,
            inputs="probabilities",
            eps="no clip; each log clamped at -100",
            labels="float targets in [0, 1]",
            agrees="conditions",
            conditions="p in [eps, 1 - eps]; at p = 0 or 1 torch gives 100 per wrong element "
            "where lossbook's clip gives -log(1e-7) = 16.12",
            fixed={"eps": 1e-7},
        ),
        _b(
            "binary_cross_entropy",
            K,
            _keras_simple("BinaryCrossentropy"),
            "BinaryCrossentropy()(y_true, p)",
            argument_order=k_order,
            default_reduction=k_mean,
            inputs="probabilities (from_logits=False)",
            eps="p clipped to [1e-7, 1 - 1e-7]",
            labels="targets in [0, 1]",
            agrees=True,
            conditions="always with lossbook's default eps = 1e-7",
            fixed={"eps": 1e-7},
        ),
        _b(
            "binary_cross_entropy_with_logits",
            T,
            _torch_bce_logits,
            "F.binary_cross_entropy_with_logits(logits, y_true, pos_weight=pos_weight)",
            argument_order=pt_order,
            default_reduction=pt_mean,
            inputs="logits",
            eps="none (stable log-sigmoid)",
            labels="float targets in [0, 1]",
            agrees=True,
            conditions="always, pos_weight included",
        ),
        _b(
            "binary_cross_entropy_with_logits",
            K,
            _keras_bce_logits,
            "BinaryCrossentropy(from_logits=True)(y_true, logits)",
            argument_order=k_order,
            default_reduction=k_mean,
            inputs="probabilities unless from_logits=True",
            eps="none with from_logits=True",
            labels="targets in [0, 1]",
            agrees="conditions",
            conditions="pos_weight=None (Keras has no pos_weight; use sample_weight or class "
            "weights)",
            fixed={"pos_weight": None},
        ),
        _b(
            "hinge",
            K,
            _keras_hinge("Hinge"),
            "Hinge()(y_true, scores)",
            argument_order=k_order,
            default_reduction=k_mean,
            inputs="raw scores",
            eps="none",
            labels="-1/+1; 0/1 silently converted to -1/+1",
            agrees=True,
            conditions="always on -1/+1 labels (lossbook raises on 0/1, Keras converts them)",
        ),
        _b(
            "squared_hinge",
            K,
            _keras_hinge("SquaredHinge"),
            "SquaredHinge()(y_true, scores)",
            argument_order=k_order,
            default_reduction=k_mean,
            inputs="raw scores",
            eps="none",
            labels="-1/+1; 0/1 silently converted to -1/+1",
            agrees=True,
            conditions="always on -1/+1 labels (lossbook raises on 0/1, Keras converts them)",
        ),
        _b(
            "focal",
            T,
            _torch_focal,
            "torchvision.ops.sigmoid_focal_loss(logits, y_true, alpha, gamma, reduction='mean')",
            argument_order=pt_order,
            default_reduction="'none' (!)",
            inputs="logits",
            eps="none",
            labels="float targets in [0, 1]",
            agrees=True,
            conditions="always (alpha=None here is alpha=-1 there)",
            tol=1e-7,
            requires="torchvision",
        ),
        _b(
            "focal",
            K,
            _keras_focal,
            "BinaryFocalCrossentropy(apply_class_balancing=True, alpha, gamma, "
            "from_logits=True)(y_true, logits)",
            argument_order=k_order,
            default_reduction=k_mean,
            inputs="probabilities unless from_logits=True",
            eps="none: the BCE is computed from the logits kept with sigmoid's output",
            labels="targets in [0, 1]; no alpha unless apply_class_balancing=True",
            agrees=True,
            conditions="always, with apply_class_balancing=True (default False: no alpha); "
            "no saturation even at |z| = 1000 (Keras 3, TensorFlow backend)",
        ),
        # ---- multiclass
        _b(
            "cross_entropy",
            T,
            _torch_cross_entropy,
            "F.cross_entropy(logits.movedim(-1, 1), y_true, weight, label_smoothing)",
            argument_order=pt_order,
            default_reduction=pt_mean + " (weighted: / sum w[y_i])",
            inputs="logits",
            eps="none (log-softmax)",
            labels="int64 indices or probability rows; ignore_index=-100",
            agrees=True,
            conditions="always, weight and label smoothing included; " + _DIM1,
        ),
        _b(
            "cross_entropy",
            K,
            _keras_cross_entropy,
            "CategoricalCrossentropy(from_logits=True, label_smoothing)(one_hot, logits)",
            argument_order=k_order,
            default_reduction=k_mean,
            inputs="probabilities unless from_logits=True",
            eps="probabilities: rows renormalised, clipped to [1e-7, 1 - 1e-7]",
            labels="one-hot / probability rows (Sparse... for indices); " + _LAST,
            agrees="conditions",
            conditions="weight=None (no per-class weight: class_weight in fit() is a sample "
            "weight averaged over N)",
            fixed={"weight": None},
        ),
        _b(
            "nll",
            T,
            _torch_nll,
            "F.nll_loss(log_probs.movedim(-1, 1), y_true, weight)",
            argument_order=pt_order,
            default_reduction=pt_mean + " (weighted: / sum w[y_i])",
            inputs="log-probabilities",
            eps="none",
            labels="int64 indices; ignore_index=-100",
            agrees=True,
            conditions="always; " + _DIM1,
        ),
        _b(
            "categorical_hinge",
            K,
            _keras_simple("CategoricalHinge"),
            "CategoricalHinge()(y_true, scores)",
            argument_order=k_order,
            default_reduction=k_mean,
            inputs="raw scores",
            eps="none",
            labels="one-hot rows; " + _LAST,
            agrees="conditions",
            conditions="some wrong-class score >= 0 in every row (Keras's max over (1 - y) * s "
            "includes the target's 0, so it uses max(0, max_wrong))",
        ),
        _b(
            "multi_margin",
            T,
            _torch_multi_margin,
            "F.multi_margin_loss(scores, y_true, p=1, margin=margin)",
            argument_order=pt_order,
            default_reduction=pt_mean,
            inputs="raw scores",
            eps="none",
            labels="int64 indices; input (C,) or (N, C) only",
            agrees=True,
            conditions="always",
        ),
        _b(
            "softmax_focal",
            K,
            _keras_softmax_focal,
            "CategoricalFocalCrossentropy(alpha=1.0, gamma, from_logits=True)(one_hot, logits)",
            argument_order=k_order,
            default_reduction=k_mean,
            inputs="probabilities unless from_logits=True",
            eps="softmax clipped to [1e-7, 1 - 1e-7]",
            labels="one-hot rows; default alpha=0.25",
            agrees="conditions",
            conditions="alpha=1.0 and the true class's probability above 1e-7 (logit gaps below "
            "about 15)",
        ),
        _b(
            "kl_divergence",
            T,
            _torch_kl,
            "F.kl_div(q_pred.log(), p_true, reduction='batchmean')",
            argument_order=pt_order,
            default_reduction="'mean' = sum / (N*C) (use 'batchmean')",
            inputs="log-probabilities as input, probabilities as target",
            eps="none (0 log 0 = 0 on the target)",
            labels="probability rows",
            agrees="conditions",
            conditions="q >= 1e-7 everywhere (lossbook clips q below at 1e-7; torch takes the "
            "log of the exact q)",
        ),
        _b(
            "kl_divergence",
            K,
            _keras_simple("KLDivergence"),
            "KLDivergence()(p_true, q_pred)",
            argument_order=k_order,
            default_reduction=k_mean,
            inputs="probability rows",
            eps="p and q clipped to [1e-7, 1]",
            labels="probability rows",
            agrees="conditions",
            conditions="p, q >= 1e-7 everywhere (an entry p = 0 adds 1e-7 log(1e-7 / q) in "
            "Keras, 0 in lossbook)",
        ),
        # ---- embedding
        _b(
            "margin_ranking",
            T,
            _torch_margin_ranking,
            "F.margin_ranking_loss(s1, s2, y, margin=margin)",
            argument_order="(input1, input2, target)",
            default_reduction=pt_mean,
            inputs="scores",
            eps="none",
            labels="-1/+1",
            agrees=True,
            conditions="always",
        ),
        _b(
            "triplet",
            T,
            _torch_triplet,
            "F.triplet_margin_loss(anchor, positive, negative, margin=margin)",
            argument_order="(anchor, positive, negative)",
            default_reduction=pt_mean,
            inputs="embeddings",
            eps="||a - p + 1e-6|| (eps added to the difference)",
            labels="-",
            agrees="conditions",
            conditions="to about 1e-6 (the eps) and margin > 0 (torch rejects margin <= 0)",
            tol=3e-6,
        ),
        _b(
            "cosine_embedding",
            T,
            _torch_cosine,
            "F.cosine_embedding_loss(x1, x2, y, margin=margin)",
            argument_order="(input1, input2, target)",
            default_reduction=pt_mean,
            inputs="embeddings",
            eps="1e-12 on the squared norms",
            labels="-1/+1",
            agrees=True,
            conditions="always",
        ),
        # ---- segmentation
        _b(
            "dice",
            K,
            _keras_dice,
            "Dice(axis=(1, ..., ndim - 1))(y_true, p)",
            argument_order=k_order,
            default_reduction="one value over the whole batch (axis=None)",
            inputs="probabilities",
            eps="1e-7 in the denominator only",
            labels="masks in [0, 1]",
            agrees="conditions",
            conditions="smooth=0 and axis = the non-batch axes (Keras adds 1e-7 to the "
            "denominator and nothing to the numerator)",
            tol=1e-6,
            fixed={"smooth": 0.0},
        ),
    ]
    table: dict[str, dict[str, Builtin | None]] = {
        spec.name: {T: None, K: None} for spec in catalog
    }
    for b in entries:
        table[b.loss][b.framework] = b
    # the catalog decides which built-ins exist; the table must say how to call each of them
    for spec in catalog:
        for fw, path in ((T, spec.torch_builtin), (K, spec.keras_builtin)):
            if (path is None) != (table[spec.name][fw] is None):
                raise RuntimeError(f"rosetta and catalog disagree on {spec.name} / {fw}")
    return table


ROSETTA: dict[str, dict[str, Builtin | None]] = _build()


# ---------------------------------------------------------------- example inputs


def _probs(rng: np.random.Generator, shape) -> np.ndarray:
    z = rng.normal(size=shape)
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def example(
    name: str, seed: int | np.random.Generator = 0, framework: str | None = None
) -> tuple[tuple, dict]:
    """Typical valid inputs for ``name`` (float64 NumPy, lossbook's argument order).

    They lie inside every built-in's ``conditions``. With ``framework`` given, keyword
    parameters the built-in cannot express are set to the value it computes (``fixed``).
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    n, c, d = 8, 4, 3
    kw: dict[str, Any] = {}
    if name in ("mse", "mae", "huber", "smooth_l1", "log_cosh", "quantile"):
        y = rng.normal(size=(n, 2))
        args = (y, y + rng.normal(scale=1.5, size=(n, 2)))
        kw = {"huber": {"delta": 0.8}, "smooth_l1": {"beta": 0.8}, "quantile": {"q": 0.9}}.get(
            name, {}
        )
    elif name == "poisson_nll":
        args = (rng.poisson(3.0, size=(n, 2)).astype(float), rng.uniform(0.5, 5.0, size=(n, 2)))
    elif name == "gaussian_nll":
        args = (rng.normal(size=(n, 2)), rng.normal(size=(n, 2)), rng.uniform(0.2, 2.0, (n, 2)))
    elif name == "binary_cross_entropy":
        args = (rng.integers(0, 2, size=(n, 2)).astype(float), rng.uniform(0.02, 0.98, (n, 2)))
    elif name in ("binary_cross_entropy_with_logits", "focal"):
        y = rng.integers(0, 2, size=(n, 2)).astype(float)
        args = (y, rng.normal(scale=2.5, size=(n, 2)))
        kw = {"pos_weight": np.array([2.0, 0.5])} if name != "focal" else {"alpha": 0.25}
    elif name in ("hinge", "squared_hinge"):
        args = (rng.choice([-1.0, 1.0], size=n), rng.normal(scale=1.5, size=n))
    elif name in ("cross_entropy", "nll", "softmax_focal", "multi_margin"):
        y = rng.integers(0, c, size=(n,))
        z = rng.normal(scale=2.0, size=(n, c))
        if name == "nll":
            args, kw = (y, np.log(_probs(rng, (n, c)))), {"weight": rng.uniform(0.5, 2.0, c)}
        elif name == "cross_entropy":
            args = (y, z)
            kw = {"label_smoothing": 0.1, "weight": rng.uniform(0.5, 2.0, c)}
        else:
            args = (y, z)
    elif name == "categorical_hinge":
        idx = rng.integers(0, c, size=(n,))
        s = rng.normal(scale=1.5, size=(n, c))
        wrong = np.arange(c) != idx[:, None]
        # keep every row inside Keras's agreement region: some wrong-class score >= 0
        s[np.arange(n), np.argmax(np.where(wrong, s, -np.inf), axis=1)] = np.abs(
            s[np.arange(n), np.argmax(np.where(wrong, s, -np.inf), axis=1)]
        )
        args = (np.eye(c)[idx], s)
    elif name == "kl_divergence":
        args = (_probs(rng, (n, c)), _probs(rng, (n, c)))
    elif name == "margin_ranking":
        args = (rng.choice([-1.0, 1.0], size=n), rng.normal(size=n), rng.normal(size=n))
        kw = {"margin": 0.5}
    elif name == "contrastive":
        args = (rng.integers(0, 2, size=n).astype(float), rng.uniform(0.1, 2.0, size=n))
    elif name == "triplet":
        a = rng.normal(size=(n, d))
        args = (a, a + rng.normal(scale=0.5, size=(n, d)), a + rng.normal(size=(n, d)))
    elif name == "cosine_embedding":
        args = (rng.choice([-1.0, 1.0], size=n), rng.normal(size=(n, d)), rng.normal(size=(n, d)))
        kw = {"margin": -0.5}
    elif name == "info_nce":
        q = rng.normal(size=(n, d))
        args, kw = (q, q + rng.normal(scale=0.5, size=(n, d))), {"temperature": 0.5}
    elif name == "dice":
        args = (
            rng.integers(0, 2, size=(n, 3, 3)).astype(float),
            rng.uniform(0.05, 0.95, (n, 3, 3)),
        )
    else:
        raise KeyError(f"no example for {name!r}")
    if framework is not None:
        b = ROSETTA[name][framework]
        if b is not None and b.fixed:
            kw = {**kw, **b.fixed}
    return args, kw


def edge_case(name: str, framework: str) -> tuple[tuple, dict] | None:
    """Valid lossbook inputs outside the built-in's ``conditions`` (None if it always agrees)."""
    b = ROSETTA[name][framework]
    if b is None or b.agrees is True:
        return None
    kw = dict(b.fixed or {})
    if name == "poisson_nll":
        return (np.array([2.0, 1.0]), np.array([0.0, 1e-6])), kw
    if name == "binary_cross_entropy":
        return (np.array([1.0, 0.0, 1.0]), np.array([0.0, 1.0, 0.5])), kw
    if name == "binary_cross_entropy_with_logits":
        return (np.array([1.0, 0.0]), np.array([0.5, -1.0])), {"pos_weight": np.array(3.0)}
    if name == "cross_entropy":
        return (np.array([0, 2]), np.array([[2.0, 0.5, -1.0], [0.0, 1.0, 0.3]])), {
            "weight": np.array([1.0, 2.0, 0.5])
        }
    if name == "categorical_hinge":
        return (np.eye(3)[[0]], np.array([[0.5, -0.2, -1.0]])), kw
    if name == "softmax_focal":
        return (np.array([0]), np.array([[-30.0, 0.0, 1.0]])), {"gamma": 2.0}
    if name == "kl_divergence":
        if framework == "torch":
            return (np.array([[0.5, 0.5]]), np.array([[1e-10, 1.0 - 1e-10]])), kw
        return (np.array([[0.0, 0.5, 0.5]]), np.array([[0.8, 0.1, 0.1]])), kw
    if name == "triplet":
        # embeddings at the scale of torch's eps = 1e-6: the eps dominates the distances
        a = np.zeros((1, 2))
        return (a, a + 1e-6, a + np.array([[2e-6, 0.0]])), {"margin": 1e-6}
    if name == "dice":
        return (np.ones((1, 2, 2)), np.full((1, 2, 2), 0.5)), {"smooth": 1.0}
    raise KeyError(f"no edge case for {name!r} / {framework}")


# ---------------------------------------------------------------- comparing and the table


def compare(name: str, framework: str, args, kwargs: dict | None = None) -> tuple[float, float]:
    """(lossbook value, built-in value), both the mean, on the same inputs.

    lossbook's value is the NumPy reference (float64). The built-in is called through its
    adapter in float64. Raises ``ValueError`` when the built-in cannot express ``kwargs``
    (for example a class ``weight`` in Keras) and ``KeyError`` when there is no built-in.
    """
    from . import numpy as lnp

    kwargs = dict(kwargs or {})
    b = ROSETTA[name][framework]
    if b is None:
        raise KeyError(f"{framework} has no built-in for {name!r}")
    if not b.supports(kwargs):
        raise ValueError(f"{b.path} cannot express {kwargs}; it computes {b.fixed}")
    ours = float(getattr(lnp, name)(*args, **kwargs))
    theirs = _scalar(b.call(tuple(args), kwargs))
    return ours, theirs


def close(a: float, b: float, tol: float) -> bool:
    """Agreement as the table means it: relative ``tol`` (absolute ``tol / 1000`` near 0)."""
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol * 1e-3)


def rosetta_table(*, measure: bool = False, seeds: tuple[int, ...] = (0, 1, 2)):
    """One row per (loss, framework) as a pandas DataFrame.

    With ``measure=True`` the agreement is computed here, on :func:`example` inputs for each
    seed (column ``max |diff|`` and ``agrees (measured)``) and on :func:`edge_case` inputs
    (column ``edge: lossbook vs built-in``).
    """
    import pandas as pd

    rows = []
    for spec in catalog:
        for fw in FRAMEWORKS:
            b = ROSETTA[spec.name][fw]
            row = {
                "loss": spec.name,
                "framework": fw,
                "built-in": b.path if b else None,
                "call": b.how if b else "-",
                "argument order": b.argument_order if b else "-",
                "default reduction": b.default_reduction if b else "-",
                "expects": b.inputs if b else "-",
                "eps": b.eps if b else "-",
                "labels": b.labels if b else "-",
                "agrees": b.agrees if b else None,
                "conditions": b.conditions if b else spec.builtin_notes,
            }
            if measure:
                row.update(_measure(b, seeds))
            rows.append(row)
    return pd.DataFrame(rows)


def _measure(b: Builtin | None, seeds) -> dict:
    if b is None:
        return {"max |diff|": None, "agrees (measured)": None, "edge: lossbook vs built-in": None}
    if not b.available():
        return {
            "max |diff|": None,
            "agrees (measured)": f"{b.requires} not installed",
            "edge: lossbook vs built-in": None,
        }
    worst, ok = 0.0, True
    for seed in seeds:
        args, kw = example(b.loss, seed, b.framework)
        ours, theirs = compare(b.loss, b.framework, args, kw)
        worst = max(worst, abs(ours - theirs))
        ok &= close(ours, theirs, b.tol)
    edge = edge_case(b.loss, b.framework)
    edge_text = None
    if edge is not None:
        args, kw = edge
        if b.supports(kw):
            ours, theirs = compare(b.loss, b.framework, args, kw)
            edge_text = f"{ours:.7g} vs {theirs:.7g}"
        else:
            edge_text = f"cannot express {', '.join(k for k in (b.fixed or {}))}"
    return {
        "max |diff|": float(f"{worst:.1e}"),
        "agrees (measured)": ok,
        "edge: lossbook vs built-in": edge_text,
    }
