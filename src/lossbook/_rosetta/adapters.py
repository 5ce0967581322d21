"""Adapters of the Rosetta stone: each calls one framework built-in the way it must be
called (argument order, class axis, reduction, logits or probabilities) so that it
computes lossbook's loss on lossbook's inputs (targets first, class axis last)."""

from __future__ import annotations

from typing import Any

import numpy as np

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


def _torch_distillation_kl(args, kw):
    teacher, student = (_t(a) for a in args)
    t = kw.get("temperature", 1.0)
    c = teacher.shape[-1]
    log_q = _F().log_softmax(student.reshape(-1, c) / t, dim=-1)
    p = _F().softmax(teacher.reshape(-1, c) / t, dim=-1)
    return _F().kl_div(log_q, p, reduction="batchmean") * t**2


def _torch_giou(args, kw):
    from torchvision.ops import generalized_box_iou_loss

    boxes_true, boxes_pred = (_t(a) for a in args)
    return generalized_box_iou_loss(
        boxes_pred, boxes_true, reduction="mean", eps=kw.get("eps", 1e-7)
    )


def _torch_ctc(args, kw):
    targets, log_probs, input_lengths, target_lengths = (_t(a) for a in args)
    # time-major (T, N, C); the same 'mean' (loss_i / target_length_i, then the batch mean)
    return _F().ctc_loss(
        log_probs.transpose(0, 1),
        targets,
        input_lengths,
        target_lengths,
        blank=kw.get("blank", 0),
        zero_infinity=kw.get("zero_infinity", False),
    )


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
    w = kw.get("weight")
    eps = kw.get("label_smoothing", 0.0)
    indices = y.dtype.kind in "iu"
    rows = _one_hot(y, z.shape[-1]) if indices else y
    if w is None:
        loss = _keras("CategoricalCrossentropy", from_logits=True, label_smoothing=eps)
        return loss(_k(rows), _k(z))
    w = np.asarray(w, dtype=np.float64)
    if indices and eps == 0:
        # PyTorch's weighted mean sum_i w[y_i] l_i / sum_i w[y_i]: a sample weight w[y_i] and
        # the reduction that divides by the sum of the sample weights
        loss = _keras(
            "SparseCategoricalCrossentropy", from_logits=True, reduction="mean_with_sample_weight"
        )
        return loss(_k(y), _k(z), sample_weight=_k(w[y]))
    # per-class weights inside each sample's sum (label smoothing, probability rows):
    # CategoricalFocalCrossentropy's alpha takes one weight per class, gamma = 0 removes the
    # focal factor; it clips the softmax to [1e-7, 1 - 1e-7]
    focal = {"alpha": w.tolist(), "gamma": 0.0, "from_logits": True, "label_smoothing": eps}
    if not indices:  # probability rows: lossbook's mean is over N
        return _keras("CategoricalFocalCrossentropy", **focal)(_k(rows), _k(z))
    total = _keras("CategoricalFocalCrossentropy", reduction="sum", **focal)(_k(rows), _k(z))
    return total / float(w[y].sum())


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


def _keras_distillation_kl(args, kw):
    teacher, student = (np.asarray(a) for a in args)
    t = kw.get("temperature", 1.0)

    def soft(z):
        e = np.exp(z / t - (z / t).max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)

    return _keras("KLDivergence")(_k(soft(teacher)), _k(soft(student))) * t**2


def _keras_ctc(args, kw):
    targets, log_probs, _, target_lengths = (np.asarray(a) for a in args)
    # Keras: blank = 0 = the padding, every input length = T, labels counted as the nonzero
    # entries; 'sum_over_batch_size' is the plain batch mean: divide by the target lengths
    padded = np.where(np.arange(targets.shape[1]) < target_lengths[:, None], targets, 0)
    import tensorflow as tf

    per = _keras("CTC", reduction=None)(tf.constant(padded), _k(log_probs))
    return float(np.mean(np.asarray(per) / np.maximum(target_lengths, 1)))


# ---------------------------------------------------------------- the table

_DIM1 = "class axis on dim 1: (N, C, d1, ...)"
