"""Ranking and metric-learning losses in PyTorch: margin_ranking, contrastive, triplet,
cosine_embedding, info_nce.

``reduction="none"`` returns one value per pair, triplet or query. Embeddings are rows:
the last axis is the embedding axis. float16 / bfloat16 input is computed in float32
(result float32); results live on the input's device.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ._ops import as_tensors, compute_dtype, prepare_pair, reduce, target_dtype, validator

__all__ = ["margin_ranking", "contrastive", "triplet", "cosine_embedding", "info_nce"]

_EMB = "(..., D), embeddings on the last axis"


def margin_ranking(y, s1, s2, *, margin=0.0, reduction="mean"):
    """Margin ranking loss: ``max(0, −y·(s1 − s2) + margin)``, ``y ∈ {−1, +1}``
    (+1: ``s1`` should rank higher).

    Parameters
    ----------
    y : Tensor of −1 / +1 labels.
    s1, s2 : Tensor, same shape as ``y`` (one value per pair).
    margin : float (finite).
    reduction : {"mean", "sum", "none"}; "none" gives one value per pair.

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. Same values as ``torch.nn.functional.margin_ranking_loss`` (which takes
    ``(input1, input2, target)`` and broadcasts); at the kink the gradient is 0 here.

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> y = torch.tensor([1.0, -1.0])
    >>> round(float(lt.margin_ranking(y, torch.tensor([0.2, 0.2]), torch.tensor([0.5, 0.0]), margin=0.1)), 4)
    0.35
    """
    v = validator("margin_ranking")
    v.reduction(reduction)
    v.finite_param("margin", margin)
    y, s1, s2 = as_tensors(y, s1, s2)
    target_dtype(v, "y", y)
    v.floating("s1", s1)
    v.floating("s2", s2)
    for name, x in (("y", y), ("s1", s1), ("s2", s2)):
        v.nonempty(name, x)
    v.same_shape("y", y, "s1", s1)
    v.same_shape("s1", s1, "s2", s2)
    dtype = compute_dtype(s1, s2)
    y, s1, s2 = (x.to(dtype) for x in (y, s1, s2))
    for name, x in (("y", y), ("s1", s1), ("s2", s2)):
        v.finite(name, x)
    v.pm1_labels("y", y)
    # relu, not F.margin_ranking_loss: its clamp_min passes a gradient at the kink, where
    # lossbook's rule (and the NumPy/TensorFlow backends) give 0.
    return reduce(F.relu(y * (s2 - s1) + float(margin)), reduction)


def contrastive(y_similar, distance, *, margin=1.0, reduction="mean"):
    """Contrastive loss (Hadsell et al. 2006): ``y·d² + (1 − y)·max(0, m − d)²``.

    Parameters
    ----------
    y_similar : Tensor of 0 / 1 labels, 1 for similar pairs.
    distance : Tensor, same shape, distances ≥ 0 (e.g. ``torch.pairwise_distance``).
    margin : float ≥ 0.
    reduction : {"mean", "sum", "none"}; "none" gives one value per pair.

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. No PyTorch built-in. Some write-ups put ½ in front or swap the label meaning.

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> y, d = torch.tensor([1.0, 0.0]), torch.tensor([0.5, 0.25])
    >>> round(float(lt.contrastive(y, d)), 4)
    0.4062
    """
    v = validator("contrastive")
    v.reduction(reduction)
    v.positive_param("margin", margin, allow_zero=True)
    y, d = prepare_pair(v, "y_similar", y_similar, "distance", distance)
    v.label_set("y_similar", y, (0.0, 1.0), "Use 1 for similar pairs and 0 for dissimilar ones.")
    v.nonnegative("distance", d, fix="Pass a distance (e.g. torch.pairwise_distance), not a score.")
    loss = y * d.square() + (1.0 - y) * F.relu(margin - d).square()
    return reduce(loss, reduction)


def _norm(u):
    return torch.sqrt(torch.clamp(u.square().sum(-1), min=1e-12))


def triplet(anchor, positive, negative, *, margin=1.0, reduction="mean"):
    """Triplet margin loss: ``max(0, ‖a − p‖₂ − ‖a − n‖₂ + margin)`` per triplet.

    ``‖u‖ = sqrt(max(Σu², 1e-12))``, so the gradient is finite at zero distance.

    Parameters
    ----------
    anchor, positive, negative : Tensor ``(..., D)``, all the same shape; rows are
        embeddings.
    margin : float ≥ 0.
    reduction : {"mean", "sum", "none"}; "none" gives ``(...)``, one value per triplet.

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. ``torch.nn.TripletMarginLoss`` adds eps=1e-6 to the difference instead (values
    agree to ~1e-6) and supports other p-norms and swap.

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> a, p, n = torch.tensor([[0.0, 0.0]]), torch.tensor([[3.0, 4.0]]), torch.tensor([[1.0, 0.0]])
    >>> round(float(lt.triplet(a, p, n)), 4)
    5.0
    """
    v = validator("triplet")
    v.reduction(reduction)
    v.positive_param("margin", margin, allow_zero=True)
    xs = as_tensors(anchor, positive, negative)
    names = ("anchor", "positive", "negative")
    for name, x in zip(names, xs, strict=True):
        v.floating(name, x)
    for name, x in zip(names, xs, strict=True):
        v.nonempty(name, x)
    v.ndim_at_least("anchor", xs[0], 1, _EMB)
    v.same_shape("anchor", xs[0], "positive", xs[1])
    v.same_shape("anchor", xs[0], "negative", xs[2])
    dtype = compute_dtype(*xs)
    a, p, n = (x.to(dtype) for x in xs)
    for name, x in zip(names, (a, p, n), strict=True):
        v.finite(name, x)
    loss = F.relu(_norm(a - p) - _norm(a - n) + margin)
    return reduce(loss, reduction)


def cosine_embedding(y, x1, x2, *, margin=0.0, reduction="mean"):
    """Cosine embedding loss: ``1 − cos(x1, x2)`` if ``y = 1``;
    ``max(0, cos(x1, x2) − margin)`` if ``y = −1``.

    ``cos = x1·x2 / sqrt((‖x1‖² + 1e-12)(‖x2‖² + 1e-12))`` (torch's formula).

    Parameters
    ----------
    y : Tensor ``(...)`` of −1 / +1 labels.
    x1, x2 : Tensor ``(..., D)``, same shape; rows are embeddings.
    margin : float (finite; [−1, 1] is meaningful).
    reduction : {"mean", "sum", "none"}; "none" gives ``(...)``, one value per pair.

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. Same definition as ``torch.nn.CosineEmbeddingLoss`` (argument order
    ``(input1, input2, target)`` there).

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> x1, x2 = torch.tensor([[1.0, 0.0], [1.0, 0.0]]), torch.tensor([[0.0, 1.0], [1.0, 1.0]])
    >>> round(float(lt.cosine_embedding(torch.tensor([1.0, -1.0]), x1, x2)), 4)
    0.8536
    """
    v = validator("cosine_embedding")
    v.reduction(reduction)
    v.finite_param("margin", margin)
    y, x1, x2 = as_tensors(y, x1, x2)
    target_dtype(v, "y", y)
    v.floating("x1", x1)
    v.floating("x2", x2)
    for name, x in (("y", y), ("x1", x1), ("x2", x2)):
        v.nonempty(name, x)
    v.ndim_at_least("x1", x1, 1, _EMB)
    v.same_shape("x1", x1, "x2", x2)
    v.shape_equals("y", y, x1.shape[:-1], "x1.shape[:-1]", fix="Pass one label per pair.")
    dtype = compute_dtype(x1, x2)
    y, x1, x2 = (x.to(dtype) for x in (y, x1, x2))
    for name, x in (("y", y), ("x1", x1), ("x2", x2)):
        v.finite(name, x)
    v.pm1_labels("y", y)
    dot = (x1 * x2).sum(-1)
    denom = torch.sqrt((x1.square().sum(-1) + 1e-12) * (x2.square().sum(-1) + 1e-12))
    cos = dot / denom
    loss = torch.where(y > 0, 1.0 - cos, F.relu(cos - margin))
    return reduce(loss, reduction)


def info_nce(queries, keys, *, temperature=0.1, reduction="mean"):
    """InfoNCE / NT-Xent (one direction): ``−log softmax(q̂·k̂ᵀ/τ)_ii``.

    Rows are L2-normalised with ``x / max(‖x‖, 1e-12)`` (``F.normalize``); the positive of
    query ``i`` is key ``i``, the other keys of the batch are its negatives.

    Parameters
    ----------
    queries, keys : Tensor ``(N, D)``, same shape.
    temperature : float τ > 0.
    reduction : {"mean", "sum", "none"}; "none" gives ``(N,)``, one value per query.

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. No PyTorch built-in; equals ``F.cross_entropy(q̂ @ k̂.T / τ, arange(N))``.
    SimCLR's symmetric loss averages both directions.

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> q = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    >>> round(float(lt.info_nce(q, q, temperature=1.0)), 4)
    0.3133
    """
    v = validator("info_nce")
    v.reduction(reduction)
    v.positive_param("temperature", temperature)
    q, k = as_tensors(queries, keys)
    v.floating("queries", q)
    v.floating("keys", k)
    v.nonempty("queries", q)
    v.nonempty("keys", k)
    v.ndim_exactly("queries", q, 2, "(N, D)")
    v.same_shape("queries", q, "keys", k)
    dtype = compute_dtype(q, k)
    q, k = q.to(dtype), k.to(dtype)
    v.finite("queries", q)
    v.finite("keys", k)
    logits = F.normalize(q, dim=-1, eps=1e-12) @ F.normalize(k, dim=-1, eps=1e-12).T
    target = torch.arange(q.shape[0], device=q.device)
    return F.cross_entropy(logits / temperature, target, reduction=reduction)
