"""Ranking and metric-learning losses in NumPy, with hand-derived gradients.

Embeddings are on the last axis. Only the mathematics is here: :mod:`lossbook._frame`
builds the public functions from the catalog. Gradients with several differentiable
arguments return a tuple in argument order.
"""

from __future__ import annotations

import numpy as np

from ._ops import gradient, implements

__all__ = [
    "bpr",
    "bpr_grad",
    "contrastive",
    "contrastive_grad",
    "cosine_embedding",
    "cosine_embedding_grad",
    "info_nce",
    "info_nce_grad",
    "margin_ranking",
    "margin_ranking_grad",
    "triplet",
    "triplet_grad",
]

_COS_EPS = 1e-12  # torch's cosine_embedding_loss: added to each squared norm
_NORM_EPS = 1e-12  # F.normalize: x / max(|x|, eps)
_SQ_EPS = 1e-12  # triplet: |u| = sqrt(max(sum u^2, eps))


# ---- margin_ranking --------------------------------------------------------------------------
@implements("margin_ranking")
def margin_ranking(y, s1, s2, *, margin):
    return np.maximum(-y * (s1 - s2) + margin, 0)


@gradient("margin_ranking")
def margin_ranking_grad(y, s1, s2, *, margin):
    g = y * (-y * (s1 - s2) + margin > 0)
    return -g, g


# ---- contrastive -----------------------------------------------------------------------------
@implements("contrastive")
def contrastive(y_similar, distance, *, margin):
    h = np.maximum(margin - distance, 0)
    return y_similar * distance**2 + (1 - y_similar) * h**2


@gradient("contrastive")
def contrastive_grad(y_similar, distance, *, margin):
    h = np.maximum(margin - distance, 0)
    return 2 * y_similar * distance - 2 * (1 - y_similar) * h


# ---- triplet ---------------------------------------------------------------------------------
def _tri_parts(a, p, n, margin):
    up, un = a - p, a - n
    sp, sn = (up * up).sum(-1), (un * un).sum(-1)
    dp, dn = np.sqrt(np.maximum(sp, _SQ_EPS)), np.sqrt(np.maximum(sn, _SQ_EPS))
    return up, un, sp, sn, dp, dn, dp - dn + margin


@implements("triplet")
def triplet(anchor, positive, negative, *, margin):
    """The distance is ``sqrt(max(Σu², 1e-12))``, so the gradient is finite at zero distance."""
    return np.maximum(_tri_parts(anchor, positive, negative, margin)[-1], 0)


@gradient("triplet")
def triplet_grad(anchor, positive, negative, *, margin):
    up, un, sp, sn, dp, dn, u = _tri_parts(anchor, positive, negative, margin)
    active = u > 0
    cp = np.where(active & (sp >= _SQ_EPS), 1 / dp, 0)[..., None]
    cn = np.where(active & (sn >= _SQ_EPS), 1 / dn, 0)[..., None]
    hp, hn = up * cp, un * cn
    return hp - hn, -hp, hn


# ---- cosine_embedding ------------------------------------------------------------------------
def _cos_parts(a, b):
    sq1 = (a * a).sum(-1) + _COS_EPS
    sq2 = (b * b).sum(-1) + _COS_EPS
    root = np.sqrt(sq1 * sq2)
    return sq1, sq2, root, (a * b).sum(-1) / root


@implements("cosine_embedding")
def cosine_embedding(y, x1, x2, *, margin):
    """``cos = x1·x2 / sqrt((‖x1‖² + 1e-12)(‖x2‖² + 1e-12))``, as torch computes it."""
    cos = _cos_parts(x1, x2)[-1]
    return np.where(y == 1, 1 - cos, np.where(y == -1, np.maximum(cos - margin, 0), 0))


@gradient("cosine_embedding")
def cosine_embedding_grad(y, x1, x2, *, margin):
    sq1, sq2, root, cos = _cos_parts(x1, x2)
    dl = np.where(y == 1, -1.0, np.where(y == -1, (cos - margin > 0) * 1.0, 0.0)).astype(x1.dtype)
    c, r, dl = cos[..., None], root[..., None], dl[..., None]
    g1 = (x2 / r - c * x1 / sq1[..., None]) * dl
    g2 = (x1 / r - c * x2 / sq2[..., None]) * dl
    return g1, g2


# ---- info_nce --------------------------------------------------------------------------------
def _nce_parts(q, k, temperature):
    nq = np.sqrt((q * q).sum(-1, keepdims=True))
    nk = np.sqrt((k * k).sum(-1, keepdims=True))
    qh, kh = q / np.maximum(nq, _NORM_EPS), k / np.maximum(nk, _NORM_EPS)
    logits = qh @ kh.T / temperature
    m = logits.max(-1, keepdims=True)
    logp = logits - m - np.log(np.exp(logits - m).sum(-1, keepdims=True))
    return nq, nk, qh, kh, logp


@implements("info_nce")
def info_nce(queries, keys, *, temperature):
    """Rows are normalised with ``x / max(‖x‖, 1e-12)`` (torch's ``F.normalize``)."""
    return -np.diagonal(_nce_parts(queries, keys, temperature)[-1]).copy()


def _normalize_backward(g_hat: np.ndarray, x_hat: np.ndarray, norm: np.ndarray) -> np.ndarray:
    """Chain a gradient through ``x / max(‖x‖, eps)``."""
    inside = norm >= _NORM_EPS
    safe = np.maximum(norm, _NORM_EPS)
    radial = (g_hat * x_hat).sum(-1, keepdims=True)
    return np.where(inside, (g_hat - x_hat * radial) / safe, g_hat / _NORM_EPS)


@gradient("info_nce")
def info_nce_grad(queries, keys, *, temperature):
    nq, nk, qh, kh, logp = _nce_parts(queries, keys, temperature)
    g = (np.exp(logp) - np.eye(queries.shape[0], dtype=queries.dtype)) / temperature
    return _normalize_backward(g @ kh, qh, nq), _normalize_backward(g.T @ qh, kh, nk)


# ---- bpr -----------------------------------------------------------------------------------
@implements("bpr")
def bpr(pos_scores, neg_scores):
    """``softplus`` is evaluated with ``np.logaddexp(0, x)``: no overflow."""
    return np.logaddexp(0, neg_scores - pos_scores)


@gradient("bpr")
def bpr_grad(pos_scores, neg_scores):
    s = np.exp(-np.logaddexp(0, pos_scores - neg_scores))  # σ(s⁻ - s⁺), no overflow
    return -s, s
