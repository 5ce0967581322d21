"""Facts of the Rosetta stone (data): one :class:`Builtin` record per loss and framework,
holding the adapter that calls it and what a reader must know about it."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..catalog import catalog
from .adapters import (
    _DIM1,
    _keras_bce_logits,
    _keras_cross_entropy,
    _keras_ctc,
    _keras_dice,
    _keras_distillation_kl,
    _keras_focal,
    _keras_hinge,
    _keras_huber,
    _keras_simple,
    _keras_softmax_focal,
    _torch_bce,
    _torch_bce_logits,
    _torch_cosine,
    _torch_cross_entropy,
    _torch_ctc,
    _torch_distillation_kl,
    _torch_focal,
    _torch_gaussian,
    _torch_giou,
    _torch_huber,
    _torch_kl,
    _torch_mae,
    _torch_margin_ranking,
    _torch_mse,
    _torch_multi_margin,
    _torch_nll,
    _torch_poisson,
    _torch_smooth_l1,
    _torch_triplet,
)

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
            eps="p clipped to [1e-7, 1 - 1e-7] on probability arrays; the output of a sigmoid "
            "layer is scored from its cached logits (TensorFlow backend): no clip",
            labels="targets in [0, 1]",
            agrees=True,
            conditions="always with lossbook's default eps = 1e-7 (on probability arrays)",
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
            "CategoricalCrossentropy(from_logits=True, label_smoothing)(one_hot, logits); with "
            "weight: SparseCategoricalCrossentropy(from_logits=True, "
            "reduction='mean_with_sample_weight')(y, logits, sample_weight=w[y])",
            argument_order=k_order,
            default_reduction=k_mean + "; 'mean_with_sample_weight' divides by the sum of the "
            "sample weights",
            inputs="probabilities unless from_logits=True",
            eps="probabilities: rows renormalised, clipped to [1e-7, 1 - 1e-7]",
            labels="one-hot / probability rows (Sparse... for indices); " + _LAST,
            agrees="conditions",
            conditions="always without weight; weight with integer targets: sample_weight=w[y] "
            "and reduction='mean_with_sample_weight' give PyTorch's weighted mean exactly; weight "
            "with label_smoothing (or probability rows): CategoricalFocalCrossentropy(alpha=w, "
            "gamma=0, from_logits=True) takes the per-class weights (reduction='sum', then "
            "/ sum w[y_i]) and agrees while every softmax probability is above 1e-7 (it clips), "
            "to about 1e-8 (it keeps alpha in float32)",
            tol=1e-7,
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
        # ---- version 3: distillation, detection, sequences
        _b(
            "distillation_kl",
            T,
            _torch_distillation_kl,
            "F.kl_div(F.log_softmax(student_logits / T, -1), F.softmax(teacher_logits / T, -1), "
            "reduction='batchmean') * T**2",
            argument_order=pt_order,
            default_reduction="'mean' = sum / (N*C) (use 'batchmean')",
            inputs="log-probabilities as input, probabilities as target: apply the softmaxes",
            eps="none",
            labels="teacher logits",
            agrees=True,
            conditions="always (with the T**2 factor and 'batchmean')",
        ),
        _b(
            "distillation_kl",
            K,
            _keras_distillation_kl,
            "KLDivergence()(softmax(teacher_logits / T), softmax(student_logits / T)) * T**2",
            argument_order=k_order,
            default_reduction=k_mean,
            inputs="probability rows: apply the softmaxes",
            eps="p and q clipped to [1e-7, 1]",
            labels="teacher logits",
            agrees="conditions",
            conditions="every softened probability >= 1e-7 (Keras clips; lossbook works from "
            "the logits with log_softmax)",
        ),
        _b(
            "giou",
            T,
            _torch_giou,
            "torchvision.ops.generalized_box_iou_loss(boxes_pred, boxes_true, "
            "reduction='mean', eps=1e-7)",
            argument_order="(boxes1 = prediction, boxes2 = target)",
            default_reduction="'none' (!)",
            inputs="boxes (x1, y1, x2, y2)",
            eps="1e-7 on the union and the enclosing area",
            labels="-",
            agrees=True,
            conditions="always",
            requires="torchvision",
        ),
        _b(
            "ctc",
            T,
            _torch_ctc,
            "F.ctc_loss(log_probs.transpose(0, 1), targets, input_lengths, target_lengths, "
            "blank=blank, zero_infinity=zero_infinity)",
            argument_order="(log_probs (T, N, C), targets, input_lengths, target_lengths)",
            default_reduction="'mean' (each loss over its target length, then the batch mean)",
            inputs="log-probabilities, time-major",
            eps="none",
            labels="integer labels, any padding past the target lengths",
            agrees=True,
            conditions="always for the value; its gradient is with respect to the logits of a "
            "log_softmax (lossbook's: log_probs as free inputs)",
        ),
        _b(
            "ctc",
            K,
            _keras_ctc,
            "CTC(reduction=None)(targets padded with 0, log_probs), divided by the target "
            "lengths, then averaged",
            argument_order=k_order,
            default_reduction="'sum_over_batch_size': the plain batch mean (no division by "
            "the target lengths)",
            inputs="logits (a log_softmax is applied inside: log-softmax outputs are unchanged)",
            eps="none; float32 inside",
            labels="blank = 0 = padding; every input length is T",
            agrees="conditions",
            conditions="blank = 0, full input lengths and alignments that exist (an "
            "impossible one gives about 700 in Keras, inf in lossbook); float32 inside",
            tol=1e-5,
            fixed={"blank": 0, "zero_infinity": False},
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
