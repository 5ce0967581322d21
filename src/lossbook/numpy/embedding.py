"""Ranking and metric-learning losses in NumPy: reference implementations and
hand-derived gradients.

``reduction="none"`` returns one value per pair, triplet or query. Each
``<name>_grad`` takes the same arguments and returns the gradient of the reduced loss
(for ``"none"``: of the sum) with respect to every differentiable argument, as a tuple in
argument order where there are several.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._ops import as_float, grad_scale, reduce, validator

__all__ = [
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

_COS_EPS = 1e-12  # torch cosine_embedding_loss: added to each squared norm
_NORM_EPS = 1e-12  # F.normalize: x / max(||x||, eps)
_SQ_EPS = 1e-12  # triplet: ||u|| = sqrt(max(sum u^2, eps))


def _common_dtype(*arrays: np.ndarray) -> np.dtype:
    return np.result_type(*arrays)


# ---------------------------------------------------------------------------------------
# margin_ranking
# ---------------------------------------------------------------------------------------
def _mr_forward(y, s1, s2, margin, reduction):
    v = validator("margin_ranking")
    v.reduction(reduction)
    v.finite_param("margin", margin)
    yy = np.asarray(y)
    a, b = as_float(s1), as_float(s2)
    v.nonempty("y", yy)
    v.nonempty("s1", a)
    v.nonempty("s2", b)
    v.same_shape("y", yy, "s1", a)
    v.same_shape("s1", a, "s2", b)
    v.finite("y", yy)
    v.finite("s1", a)
    v.finite("s2", b)
    v.pm1_labels("y", yy)
    dt = _common_dtype(a, b)
    yy, a, b = yy.astype(dt), a.astype(dt), b.astype(dt)
    u = -yy * (a - b) + margin
    return yy, u


def margin_ranking(
    y: Any, s1: Any, s2: Any, *, margin: float = 0.0, reduction: str = "mean"
) -> np.ndarray:
    r"""Margin ranking loss for pairs of scores.

    .. math:: \ell_i = \max\bigl(0,\; -y_i (s_{1,i} - s_{2,i}) + m\bigr)

    Parameters
    ----------
    y : array_like, values in {-1, +1}
        +1 where ``s1`` should rank higher than ``s2``, -1 where ``s2`` should.
    s1, s2 : array_like
        Scores of the two items of each pair; same shape as ``y`` (no broadcasting).
    margin : float, default 0.0
        The required gap ``m`` (any finite number; 0 only asks for the right order).
    reduction : {"mean", "sum", "none"}
        "none": one value per pair (the shape of ``y``); "sum" / "mean" over pairs.

    Notes
    -----
    The pairwise hinge of ranking SVMs (Herbrich et al. 1999). The label comes first here;
    ``torch.nn.functional.margin_ranking_loss(input1, input2, target, margin)`` takes it
    last, with the same values. Keras has no built-in.

    Examples
    --------
    >>> from lossbook.numpy import margin_ranking
    >>> [round(float(v), 4) for v in margin_ranking([1, -1], [0.3, 0.3], [0.1, 0.1], margin=0.5, reduction="none")]
    [0.3, 0.7]
    """
    _, u = _mr_forward(y, s1, s2, margin, reduction)
    return reduce(np.maximum(u, 0), reduction)


def margin_ranking_grad(
    y: Any, s1: Any, s2: Any, *, margin: float = 0.0, reduction: str = "mean"
) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradient of :func:`margin_ranking`: ``(d_s1, d_s2)``.

    Per pair, with active :math:`= [-y(s_1 - s_2) + m > 0]` (0 at the kink):
    :math:`\partial\ell/\partial s_1 = -y\cdot\text{active}`,
    :math:`\partial\ell/\partial s_2 = +y\cdot\text{active}`.

    Examples
    --------
    >>> from lossbook.numpy import margin_ranking_grad
    >>> g1, g2 = margin_ranking_grad([1, -1], [0.3, 0.3], [0.1, 0.1], margin=0.5, reduction="sum")
    >>> g1.tolist(), g2.tolist()
    ([-1.0, 1.0], [1.0, -1.0])
    """
    yy, u = _mr_forward(y, s1, s2, margin, reduction)
    g = yy * (u > 0)
    return grad_scale(-g, u.size, reduction), grad_scale(g, u.size, reduction)


# ---------------------------------------------------------------------------------------
# contrastive
# ---------------------------------------------------------------------------------------
def _con_forward(y_similar, distance, margin, reduction):
    v = validator("contrastive")
    v.reduction(reduction)
    v.positive_param("margin", margin, allow_zero=True)
    y = np.asarray(y_similar)
    d = as_float(distance)
    v.nonempty("y_similar", y)
    v.nonempty("distance", d)
    v.same_shape("y_similar", y, "distance", d)
    v.finite("y_similar", y)
    v.finite("distance", d)
    v.label_set(
        "y_similar",
        y,
        (0.0, 1.0),
        "Use 1 for similar pairs and 0 for dissimilar ones (convert -1/+1 labels with (y + 1) / 2).",
    )
    v.nonnegative(
        "distance",
        d,
        fix="Pass a distance such as the Euclidean norm of the difference, not a similarity.",
    )
    y = y.astype(d.dtype)
    return y, d, np.maximum(margin - d, 0)


def contrastive(
    y_similar: Any, distance: Any, *, margin: float = 1.0, reduction: str = "mean"
) -> np.ndarray:
    r"""Contrastive loss of Hadsell, Chopra & LeCun (2006) on pair distances.

    .. math:: \ell_i = y_i d_i^2 + (1 - y_i) \max(0,\; m - d_i)^2

    Parameters
    ----------
    y_similar : array_like, values in {0, 1}
        1 for a similar (positive) pair, 0 for a dissimilar one.
    distance : array_like, values >= 0
        Distance between the two embeddings of each pair (e.g. Euclidean), the shape of
        ``y_similar``.
    margin : float, default 1.0
        ``m >= 0``: dissimilar pairs farther apart than ``m`` cost nothing (``m = 0``
        switches the dissimilar term off).
    reduction : {"mean", "sum", "none"}
        "none": one value per pair; "sum" / "mean" over pairs.

    Notes
    -----
    This form has no factor 1/2 (the paper has ``(1/2) d^2`` and ``(1/2) max(0, m - d)^2``
    and uses ``y = 0`` for similar pairs: lossbook uses ``y = 1`` for similar pairs, like
    most libraries). Neither PyTorch nor Keras has a built-in; pytorch-metric-learning's
    ``ContrastiveLoss`` uses a different (non-squared, two-margin) form. The loss takes a
    distance, so the gradient with respect to the embeddings goes through the distance
    (whose gradient at zero distance needs care).

    Examples
    --------
    >>> from lossbook.numpy import contrastive
    >>> [round(float(v), 4) for v in contrastive([1, 0, 0], [0.5, 0.5, 1.5], reduction="none")]
    [0.25, 0.25, 0.0]
    """
    y, d, h = _con_forward(y_similar, distance, margin, reduction)
    return reduce(y * d**2 + (1 - y) * h**2, reduction)


def contrastive_grad(
    y_similar: Any, distance: Any, *, margin: float = 1.0, reduction: str = "mean"
) -> np.ndarray:
    r"""Gradient of :func:`contrastive` with respect to ``distance``.

    :math:`\partial\ell/\partial d = 2 y d - 2 (1 - y) \max(0, m - d)`.

    Examples
    --------
    >>> from lossbook.numpy import contrastive_grad
    >>> contrastive_grad([1, 0, 0], [0.5, 0.5, 1.5], reduction="sum").tolist()
    [1.0, -1.0, 0.0]
    """
    y, d, h = _con_forward(y_similar, distance, margin, reduction)
    return grad_scale(2 * y * d - 2 * (1 - y) * h, d.size, reduction)


# ---------------------------------------------------------------------------------------
# triplet
# ---------------------------------------------------------------------------------------
def _tri_forward(anchor, positive, negative, margin, reduction):
    v = validator("triplet")
    v.reduction(reduction)
    v.positive_param("margin", margin, allow_zero=True)
    a, p, n = as_float(anchor), as_float(positive), as_float(negative)
    v.nonempty("anchor", a)
    v.nonempty("positive", p)
    v.nonempty("negative", n)
    v.ndim_at_least("anchor", a, 1, "(..., D) with the embedding on the last axis")
    v.same_shape("anchor", a, "positive", p)
    v.same_shape("anchor", a, "negative", n)
    v.finite("anchor", a)
    v.finite("positive", p)
    v.finite("negative", n)
    dt = _common_dtype(a, p, n)
    a, p, n = a.astype(dt), p.astype(dt), n.astype(dt)
    up, un = a - p, a - n
    sp, sn = (up * up).sum(-1), (un * un).sum(-1)
    dp, dn = np.sqrt(np.maximum(sp, _SQ_EPS)), np.sqrt(np.maximum(sn, _SQ_EPS))
    u = dp - dn + margin
    return up, un, sp, sn, dp, dn, u


def triplet(
    anchor: Any,
    positive: Any,
    negative: Any,
    *,
    margin: float = 1.0,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Triplet margin loss (FaceNet) with Euclidean distances.

    .. math::

        \ell_i = \max\bigl(0,\; \lVert a_i - p_i \rVert_2 - \lVert a_i - n_i \rVert_2 + m\bigr),
        \qquad \lVert u \rVert_2 = \sqrt{\max(\textstyle\sum_k u_k^2,\ 10^{-12})}

    Parameters
    ----------
    anchor, positive, negative : array_like, shape ``(..., D)``
        Embeddings, one per row (the last axis is the embedding); identical shapes.
    margin : float, default 1.0
        ``m >= 0`` (PyTorch's built-in requires ``m > 0``; ``m = 0`` only asks for the
        right order).
    reduction : {"mean", "sum", "none"}
        "none": one value per triplet, shape ``(...)``; "sum" / "mean" over triplets.

    Notes
    -----
    Schroff et al. (2015) use squared distances; this is the non-squared form of
    ``torch.nn.functional.triplet_margin_loss`` (p=2). The norm floor ``1e-12`` on the
    squared norm keeps the gradient finite (0) when a distance is exactly 0. PyTorch
    instead computes ``||a - p + eps||`` with ``eps = 1e-6`` added to every component of the
    difference, so values agree to about 1e-6. Embeddings are not normalised: normalise
    them first if the model should compare directions. Keras has no built-in
    (TensorFlow Addons had ``TripletSemiHardLoss`` with in-batch mining).

    Examples
    --------
    >>> from lossbook.numpy import triplet
    >>> a, p, n = [[0.0, 0.0]], [[0.3, 0.4]], [[1.0, 0.0]]
    >>> round(float(triplet(a, p, n)), 4)
    0.5
    """
    *_, u = _tri_forward(anchor, positive, negative, margin, reduction)
    return reduce(np.maximum(u, 0), reduction)


def triplet_grad(
    anchor: Any,
    positive: Any,
    negative: Any,
    *,
    margin: float = 1.0,
    reduction: str = "mean",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Gradient of :func:`triplet`: ``(d_anchor, d_positive, d_negative)``.

    With active :math:`= [\ell > 0]` and unit vectors
    :math:`\hat u_p = (a - p)/\lVert a - p\rVert`, :math:`\hat u_n = (a - n)/\lVert a - n\rVert`
    (0 where the squared distance is below the floor 1e-12):
    :math:`\partial_a = \text{active}(\hat u_p - \hat u_n)`,
    :math:`\partial_p = -\text{active}\,\hat u_p`, :math:`\partial_n = \text{active}\,\hat u_n`.

    Examples
    --------
    >>> from lossbook.numpy import triplet_grad
    >>> ga, gp, gn = triplet_grad([[0.0, 0.0]], [[0.3, 0.4]], [[1.0, 0.0]])
    >>> ga.tolist(), gp.tolist(), gn.tolist()
    ([[0.4, -0.8]], [[0.6, 0.8]], [[-1.0, 0.0]])
    """
    up, un, sp, sn, dp, dn, u = _tri_forward(anchor, positive, negative, margin, reduction)
    active = u > 0
    cp = np.where(active & (sp >= _SQ_EPS), 1 / dp, 0)[..., None]
    cn = np.where(active & (sn >= _SQ_EPS), 1 / dn, 0)[..., None]
    hp, hn = up * cp, un * cn
    n_terms = u.size
    return (
        grad_scale(hp - hn, n_terms, reduction),
        grad_scale(-hp, n_terms, reduction),
        grad_scale(hn, n_terms, reduction),
    )


# ---------------------------------------------------------------------------------------
# cosine_embedding
# ---------------------------------------------------------------------------------------
def _cos_forward(y, x1, x2, margin, reduction):
    v = validator("cosine_embedding")
    v.reduction(reduction)
    v.finite_param("margin", margin)
    yy = np.asarray(y)
    a, b = as_float(x1), as_float(x2)
    v.nonempty("y", yy)
    v.nonempty("x1", a)
    v.nonempty("x2", b)
    v.ndim_at_least("x1", a, 1, "(..., D) with the embedding on the last axis")
    v.same_shape("x1", a, "x2", b)
    v.shape_equals(
        "y",
        yy,
        a.shape[:-1],
        "x1.shape[:-1] (one label per pair)",
        fix="Pass one label per row of x1.",
    )
    v.finite("y", yy)
    v.finite("x1", a)
    v.finite("x2", b)
    v.pm1_labels("y", yy)
    dt = _common_dtype(a, b)
    yy, a, b = yy.astype(dt), a.astype(dt), b.astype(dt)
    s = (a * b).sum(-1)
    sq1 = (a * a).sum(-1) + _COS_EPS
    sq2 = (b * b).sum(-1) + _COS_EPS
    root = np.sqrt(sq1 * sq2)
    cos = s / root
    return yy, a, b, sq1, sq2, root, cos


def cosine_embedding(
    y: Any, x1: Any, x2: Any, *, margin: float = 0.0, reduction: str = "mean"
) -> np.ndarray:
    r"""Cosine embedding loss: pull similar pairs to cosine 1, push dissimilar ones below ``m``.

    .. math::

        \ell_i = \begin{cases} 1 - \cos(x_{1,i}, x_{2,i}) & y_i = 1 \\
        \max\bigl(0,\; \cos(x_{1,i}, x_{2,i}) - m\bigr) & y_i = -1 \end{cases},
        \qquad \cos(u, v) = \frac{u \cdot v}{\sqrt{(\lVert u\rVert^2 + 10^{-12})
        (\lVert v\rVert^2 + 10^{-12})}}

    Parameters
    ----------
    y : array_like, values in {-1, +1}, shape ``(...)``
        +1 for a similar pair, -1 for a dissimilar one (= ``x1.shape[:-1]``).
    x1, x2 : array_like, shape ``(..., D)``
        The two embeddings of each pair (last axis = embedding), identical shapes.
    margin : float, default 0.0
        ``m``; sensible values lie in [-1, 1] (PyTorch suggests 0 to 0.5).
    reduction : {"mean", "sum", "none"}
        "none": one value per pair; "sum" / "mean" over pairs.

    Notes
    -----
    Same values as ``torch.nn.functional.cosine_embedding_loss(x1, x2, y, margin)``
    (label last there), including its ``1e-12`` added to each squared norm, so a zero
    vector gives cosine 0 instead of nan. ``keras.losses.CosineSimilarity`` is a different
    loss: it returns ``-cos`` (no labels, no margin) and L2-normalises with its own eps.

    Examples
    --------
    >>> from lossbook.numpy import cosine_embedding
    >>> x1, x2 = [[1.0, 0.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 0.0]]
    >>> [round(float(v), 4) for v in cosine_embedding([1, -1], x1, x2, reduction="none")]
    [0.2929, 0.7071]
    """
    yy, *_, cos = _cos_forward(y, x1, x2, margin, reduction)
    loss = np.where(yy == 1, 1 - cos, np.where(yy == -1, np.maximum(cos - margin, 0), 0))
    return reduce(loss, reduction)


def cosine_embedding_grad(
    y: Any, x1: Any, x2: Any, *, margin: float = 0.0, reduction: str = "mean"
) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradient of :func:`cosine_embedding`: ``(d_x1, d_x2)``.

    With :math:`A = \lVert x_1\rVert^2 + 10^{-12}`, :math:`B = \lVert x_2\rVert^2 + 10^{-12}`:

    .. math::

        \frac{\partial \cos}{\partial x_1} = \frac{x_2}{\sqrt{AB}} - \cos\,\frac{x_1}{A},
        \qquad \frac{\partial \cos}{\partial x_2} = \frac{x_1}{\sqrt{AB}} - \cos\,\frac{x_2}{B},

    times :math:`\partial\ell/\partial\cos = -1` for ``y = 1`` and
    :math:`[\cos - m > 0]` for ``y = -1``.

    Examples
    --------
    >>> from lossbook.numpy import cosine_embedding_grad
    >>> g1, g2 = cosine_embedding_grad([1], [[1.0, 0.0]], [[0.0, 1.0]])
    >>> [round(float(v), 4) for v in g1[0]], [round(float(v), 4) for v in g2[0]]
    ([-0.0, -1.0], [-1.0, -0.0])
    """
    yy, a, b, sq1, sq2, root, cos = _cos_forward(y, x1, x2, margin, reduction)
    dl = np.where(yy == 1, -1.0, np.where(yy == -1, (cos - margin > 0) * 1.0, 0.0)).astype(a.dtype)
    c = cos[..., None]
    r = root[..., None]
    g1 = (b / r - c * a / sq1[..., None]) * dl[..., None]
    g2 = (a / r - c * b / sq2[..., None]) * dl[..., None]
    return grad_scale(g1, cos.size, reduction), grad_scale(g2, cos.size, reduction)


# ---------------------------------------------------------------------------------------
# info_nce
# ---------------------------------------------------------------------------------------
def _nce_forward(queries, keys, temperature, reduction):
    v = validator("info_nce")
    v.reduction(reduction)
    v.positive_param("temperature", temperature)
    q, k = as_float(queries), as_float(keys)
    v.nonempty("queries", q)
    v.nonempty("keys", k)
    v.ndim_exactly("queries", q, 2, "(N, D): one embedding per row")
    v.same_shape("queries", q, "keys", k)
    v.finite("queries", q)
    v.finite("keys", k)
    dt = _common_dtype(q, k)
    q, k = q.astype(dt), k.astype(dt)
    nq = np.sqrt((q * q).sum(-1, keepdims=True))
    nk = np.sqrt((k * k).sum(-1, keepdims=True))
    qh = q / np.maximum(nq, _NORM_EPS)
    kh = k / np.maximum(nk, _NORM_EPS)
    logits = qh @ kh.T / temperature
    m = logits.max(-1, keepdims=True)
    logp = logits - m - np.log(np.exp(logits - m).sum(-1, keepdims=True))
    return q, k, nq, nk, qh, kh, logp


def info_nce(
    queries: Any, keys: Any, *, temperature: float = 0.1, reduction: str = "mean"
) -> np.ndarray:
    r"""InfoNCE / NT-Xent loss with in-batch negatives (queries -> keys).

    .. math::

        \ell_i = -\log \frac{\exp(\hat q_i \cdot \hat k_i / \tau)}
        {\sum_{j=1}^{N} \exp(\hat q_i \cdot \hat k_j / \tau)},
        \qquad \hat x = \frac{x}{\max(\lVert x \rVert_2, 10^{-12})}

    Parameters
    ----------
    queries, keys : array_like, shape ``(N, D)``
        Row ``i`` of ``keys`` is the positive for row ``i`` of ``queries``; the other
        ``N - 1`` keys are its negatives.
    temperature : float, default 0.1
        ``tau > 0``; smaller values sharpen the softmax.
    reduction : {"mean", "sum", "none"}
        "none": one value per query, shape ``(N,)``; "sum" / "mean" over queries.

    Notes
    -----
    It is ``cross_entropy(arange(N), q_hat @ k_hat.T / tau)`` (van den Oord et al. 2018;
    the cosine-similarity form of SimCLR, Chen et al. 2020). It is one-directional:
    SimCLR's NT-Xent also uses the other views of the batch as negatives and symmetrises;
    CLIP averages both directions (``(info_nce(q, k) + info_nce(k, q)) / 2``). The
    normalisation is ``torch.nn.functional.normalize``'s. With ``N = 1`` there are no
    negatives and the loss is 0. The loss is at least ``0`` and, at best, about
    ``log(1 + (N - 1) exp(-2/tau))``. No PyTorch / Keras built-in.

    Examples
    --------
    >>> from lossbook.numpy import info_nce
    >>> q = [[1.0, 0.0], [0.0, 1.0]]
    >>> round(float(info_nce(q, q, temperature=0.5)), 4)
    0.1269
    """
    *_, logp = _nce_forward(queries, keys, temperature, reduction)
    return reduce(-np.diagonal(logp).copy(), reduction)


def _normalize_backward(g_hat: np.ndarray, x_hat: np.ndarray, norm: np.ndarray) -> np.ndarray:
    """Back-propagate through ``x / max(||x||, eps)`` (row-wise)."""
    inside = norm >= _NORM_EPS  # clamp passes the gradient inside the closed interval
    safe = np.maximum(norm, _NORM_EPS)
    radial = (g_hat * x_hat).sum(-1, keepdims=True)
    return np.where(inside, (g_hat - x_hat * radial) / safe, g_hat / _NORM_EPS)


def info_nce_grad(
    queries: Any, keys: Any, *, temperature: float = 0.1, reduction: str = "mean"
) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradient of :func:`info_nce`: ``(d_queries, d_keys)``.

    With :math:`P = \operatorname{softmax}` of the logits row-wise and
    :math:`G = (P - I)/\tau` (the gradient of the summed loss with respect to
    :math:`\hat Q \hat K^\top`): :math:`\partial/\partial\hat Q = G\hat K`,
    :math:`\partial/\partial\hat K = G^\top\hat Q`, and through the normalisation
    :math:`\partial/\partial x = (g - \hat x(\hat x\cdot g))/\lVert x\rVert`.

    Examples
    --------
    >>> from lossbook.numpy import info_nce_grad
    >>> gq, gk = info_nce_grad([[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]], temperature=0.5)
    >>> [round(float(v), 4) for v in gq[0]], [round(float(v), 4) for v in gk[0]]
    ([0.0, 0.1192], [0.0, 0.1192])
    """
    q, k, nq, nk, qh, kh, logp = _nce_forward(queries, keys, temperature, reduction)
    g = (np.exp(logp) - np.eye(q.shape[0], dtype=q.dtype)) / temperature
    gq = _normalize_backward(g @ kh, qh, nq)
    gk = _normalize_backward(g.T @ qh, kh, nk)
    n_terms = q.shape[0]
    return grad_scale(gq, n_terms, reduction), grad_scale(gk, n_terms, reduction)
