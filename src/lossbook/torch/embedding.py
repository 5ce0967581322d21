"""Ranking and metric-learning losses in PyTorch, embeddings on the last axis (the
mathematics only: :mod:`lossbook._frame` builds the public functions from the catalog)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ._ops import implements

__all__ = ["bpr", "margin_ranking", "contrastive", "triplet", "cosine_embedding", "info_nce"]


@implements("margin_ranking")
def margin_ranking(y, s1, s2, *, margin):
    return F.relu(y * (s2 - s1) + float(margin))


@implements("contrastive")
def contrastive(y_similar, distance, *, margin):
    return y_similar * distance.square() + (1.0 - y_similar) * F.relu(margin - distance).square()


def _norm(u):
    return torch.sqrt(torch.clamp(u.square().sum(-1), min=1e-12))


@implements("triplet")
def triplet(anchor, positive, negative, *, margin):
    """torch's ``triplet_margin_loss`` adds eps = 1e-6 to the difference instead of
    clamping the squared norm; values agree to about 1e-6."""
    return F.relu(_norm(anchor - positive) - _norm(anchor - negative) + margin)


@implements("cosine_embedding")
def cosine_embedding(y, x1, x2, *, margin):
    dot = (x1 * x2).sum(-1)
    denom = torch.sqrt((x1.square().sum(-1) + 1e-12) * (x2.square().sum(-1) + 1e-12))
    cos = dot / denom
    return torch.where(y > 0, 1.0 - cos, F.relu(cos - margin))


@implements("info_nce")
def info_nce(queries, keys, *, temperature, reduction):
    logits = F.normalize(queries, dim=-1, eps=1e-12) @ F.normalize(keys, dim=-1, eps=1e-12).T
    target = torch.arange(queries.shape[0], device=queries.device)
    return F.cross_entropy(logits / temperature, target, reduction=reduction)


@implements("bpr")
def bpr(pos_scores, neg_scores):
    return F.softplus(neg_scores - pos_scores)
