"""Ranking and metric-learning losses in TensorFlow: margin_ranking, contrastive, triplet,
cosine_embedding, info_nce.

``reduction="none"`` returns one value per pair, triplet or query. Keras has none of
these as a built-in loss (``keras.losses.CosineSimilarity`` is the negative cosine, not
the embedding loss with labels and a margin).
"""

from __future__ import annotations

import tensorflow as tf

from ._ops import as_tensor, cast, compute_dtype, reduce, validator

__all__ = ["margin_ranking", "contrastive", "triplet", "cosine_embedding", "info_nce"]


def _tensors(v, names_values, differentiable):
    """Convert, then the dtype and non-empty checks (in that order)."""
    xs = [as_tensor(x) for _, x in names_values]
    for (name, _), x in zip(names_values, xs, strict=True):
        if name in differentiable:
            v.floating(name, x)
    for (name, _), x in zip(names_values, xs, strict=True):
        v.nonempty(name, x)
    return xs


def _finite(v, names, xs):
    for name, x in zip(names, xs, strict=True):
        v.finite(name, x)


def _norm(x):
    """``sqrt(max(Σx², 1e-12))`` over the last axis: finite gradient at 0."""
    return tf.sqrt(tf.maximum(tf.reduce_sum(tf.square(x), axis=-1), tf.constant(1e-12, x.dtype)))


def margin_ranking(y, s1, s2, *, margin=0.0, reduction="mean"):
    """Margin ranking loss, ``max(0, -y·(s1 - s2) + margin)``.

    Parameters
    ----------
    y : tf.Tensor
        ``+1`` where ``s1`` should rank higher, ``-1`` where ``s2`` should.
    s1, s2 : tf.Tensor
        Scores of the same shape as ``y``, floating.
    margin : float
        Finite.
    reduction : {"mean", "sum", "none"}
        ``"none"``: one value per pair.

    Notes
    -----
    Equals ``torch.nn.MarginRankingLoss`` (argument order ``(s1, s2, y)`` there).
    No Keras built-in.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import margin_ranking
    >>> y, s1, s2 = tf.constant([1.0, -1.0]), tf.constant([0.2, 0.5]), tf.constant([0.4, 0.1])
    >>> round(float(margin_ranking(y, s1, s2, margin=0.1)), 4)
    0.4
    """
    v = validator("margin_ranking")
    v.reduction(reduction)
    v.finite_param("margin", margin)
    names = ("y", "s1", "s2")
    xs = _tensors(v, list(zip(names, (y, s1, s2), strict=True)), {"s1", "s2"})
    y, s1, s2 = xs
    v.same_shape("y", y, "s1", s1)
    v.same_shape("s1", s1, "s2", s2)
    _finite(v, names, xs)
    v.pm1_labels("y", y)
    dtype = compute_dtype(s1, s2)
    y, s1, s2 = cast(y, dtype), cast(s1, dtype), cast(s2, dtype)
    return reduce(tf.nn.relu(-y * (s1 - s2) + margin), reduction)


def contrastive(y_similar, distance, *, margin=1.0, reduction="mean"):
    """Contrastive loss (Hadsell et al. 2006), ``y·d² + (1 - y)·max(0, m - d)²``.

    Parameters
    ----------
    y_similar : tf.Tensor
        1 for similar pairs, 0 for dissimilar ones.
    distance : tf.Tensor
        Distances ``d >= 0`` of the pairs, same shape, floating.
    margin : float
        ``m >= 0``: dissimilar pairs farther apart than ``m`` cost nothing.
    reduction : {"mean", "sum", "none"}
        ``"none"``: one value per pair.

    Notes
    -----
    Some texts put ``½`` in front of both terms or use ``y = 0`` for similar pairs;
    lossbook does neither. No PyTorch or Keras built-in.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import contrastive
    >>> y, d = tf.constant([1.0, 0.0]), tf.constant([0.5, 0.25])
    >>> round(float(contrastive(y, d)), 4)
    0.4062
    """
    v = validator("contrastive")
    v.reduction(reduction)
    v.positive_param("margin", margin, allow_zero=True)
    names = ("y_similar", "distance")
    xs = _tensors(v, list(zip(names, (y_similar, distance), strict=True)), {"distance"})
    y, d = xs
    v.same_shape("y_similar", y, "distance", d)
    _finite(v, names, xs)
    v.label_set("y_similar", y, (0.0, 1.0), "Use 1 for similar pairs and 0 for dissimilar ones.")
    v.nonnegative("distance", d, fix="Pass a distance such as a Euclidean norm.")
    dtype = compute_dtype(d)
    y, d = cast(y, dtype), cast(d, dtype)
    return reduce(y * tf.square(d) + (1.0 - y) * tf.square(tf.nn.relu(margin - d)), reduction)


def triplet(anchor, positive, negative, *, margin=1.0, reduction="mean"):
    """Triplet margin loss, ``max(0, ‖a - p‖₂ - ‖a - n‖₂ + margin)``.

    ``‖u‖ = sqrt(max(Σu², 1e-12))`` over the last axis, so the gradient is finite when two
    embeddings coincide.

    Parameters
    ----------
    anchor, positive, negative : tf.Tensor
        Embeddings ``(..., D)`` (rows are embeddings, usually ``(N, D)``), same shape,
        floating.
    margin : float
        ``>= 0``.
    reduction : {"mean", "sum", "none"}
        ``"none"``: one value per triplet, shape ``(...)``.

    Notes
    -----
    ``torch.nn.TripletMarginLoss`` adds ``eps=1e-6`` to the difference instead (values
    agree to about 1e-6). No Keras built-in.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import triplet
    >>> a, p, n = tf.constant([[0.0, 0.0]]), tf.constant([[1.0, 0.0]]), tf.constant([[0.0, 1.5]])
    >>> round(float(triplet(a, p, n)), 4)
    0.5
    """
    v = validator("triplet")
    v.reduction(reduction)
    v.positive_param("margin", margin, allow_zero=True)
    names = ("anchor", "positive", "negative")
    xs = _tensors(v, list(zip(names, (anchor, positive, negative), strict=True)), set(names))
    a, p, n = xs
    v.ndim_at_least("anchor", a, 1, "(N, D)")
    v.same_shape("anchor", a, "positive", p)
    v.same_shape("anchor", a, "negative", n)
    _finite(v, names, xs)
    dtype = compute_dtype(a, p, n)
    a, p, n = cast(a, dtype), cast(p, dtype), cast(n, dtype)
    return reduce(tf.nn.relu(_norm(a - p) - _norm(a - n) + margin), reduction)


def cosine_embedding(y, x1, x2, *, margin=0.0, reduction="mean"):
    """Cosine embedding loss: ``1 - cos(x1, x2)`` if ``y = 1``, ``max(0, cos - margin)`` if ``y = -1``.

    ``cos = x1·x2 / sqrt((‖x1‖² + 1e-12)(‖x2‖² + 1e-12))`` over the last axis (PyTorch's
    formula).

    Parameters
    ----------
    y : tf.Tensor
        Labels in {-1, +1}, shape ``(...)`` = ``x1.shape[:-1]``.
    x1, x2 : tf.Tensor
        Embeddings ``(..., D)``, same shape, floating.
    margin : float
        Finite; sensible values lie in [-1, 1].
    reduction : {"mean", "sum", "none"}
        ``"none"``: one value per pair.

    Notes
    -----
    Equals ``torch.nn.CosineEmbeddingLoss``. ``keras.losses.CosineSimilarity`` is
    ``-cos(y_true, y_pred)`` with L2-normalisation, no labels and no margin.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import cosine_embedding
    >>> x1, x2 = tf.constant([[1.0, 0.0], [1.0, 1.0]]), tf.constant([[1.0, 1.0], [1.0, 1.0]])
    >>> round(float(cosine_embedding(tf.constant([1.0, -1.0]), x1, x2)), 4)
    0.6464
    """
    v = validator("cosine_embedding")
    v.reduction(reduction)
    v.finite_param("margin", margin)
    names = ("y", "x1", "x2")
    xs = _tensors(v, list(zip(names, (y, x1, x2), strict=True)), {"x1", "x2"})
    y, x1, x2 = xs
    v.ndim_at_least("x1", x1, 1, "(N, D)")
    v.same_shape("x1", x1, "x2", x2)
    v.same_shape("y", y, "x1.shape[:-1]", x1.shape[:-1])
    _finite(v, names, xs)
    v.pm1_labels("y", y)
    dtype = compute_dtype(x1, x2)
    y, x1, x2 = cast(y, dtype), cast(x1, dtype), cast(x2, dtype)
    dot = tf.reduce_sum(x1 * x2, axis=-1)
    n1 = tf.reduce_sum(tf.square(x1), axis=-1) + 1e-12
    n2 = tf.reduce_sum(tf.square(x2), axis=-1) + 1e-12
    cos = dot / tf.sqrt(n1 * n2)
    loss = tf.where(y > 0, 1.0 - cos, tf.nn.relu(cos - margin))
    return reduce(loss, reduction)


def info_nce(queries, keys, *, temperature=0.1, reduction="mean"):
    """InfoNCE / NT-Xent (one direction), ``-log softmax(q̂·k̂ᵀ/τ)_ii``.

    Rows are L2-normalised with ``x / max(‖x‖, 1e-12)`` (PyTorch's ``F.normalize``);
    query ``i``'s positive is key ``i``, the other keys of the batch are its negatives.

    Parameters
    ----------
    queries, keys : tf.Tensor
        ``(N, D)``, same shape, floating.
    temperature : float
        ``τ > 0``.
    reduction : {"mean", "sum", "none"}
        ``"none"``: one value per query, shape ``(N,)``.

    Notes
    -----
    The symmetric CLIP / SimCLR loss is the mean of ``info_nce(q, k)`` and
    ``info_nce(k, q)``. No PyTorch or Keras built-in.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from lossbook.tensorflow import info_nce
    >>> q = tf.constant([[1.0, 0.0], [0.0, 1.0]])
    >>> round(float(info_nce(q, q, temperature=0.5)), 4)
    0.1269
    """
    v = validator("info_nce")
    v.reduction(reduction)
    v.positive_param("temperature", temperature)
    names = ("queries", "keys")
    xs = _tensors(v, list(zip(names, (queries, keys), strict=True)), set(names))
    q, k = xs
    v.ndim_exactly("queries", q, 2, "(N, D)")
    v.same_shape("queries", q, "keys", k)
    _finite(v, names, xs)
    dtype = compute_dtype(q, k)
    q, k = cast(q, dtype), cast(k, dtype)
    qn = q / _norm_rows(q)
    kn = k / _norm_rows(k)
    logits = tf.matmul(qn, kn, transpose_b=True) / temperature
    logp = tf.nn.log_softmax(logits, axis=-1)
    return reduce(-tf.linalg.diag_part(logp), reduction)


def _norm_rows(x):
    """``max(‖x‖, 1e-12)`` per row, as ``sqrt(max(Σx², 1e-24))`` (finite gradient at 0)."""
    sq = tf.reduce_sum(tf.square(x), axis=-1, keepdims=True)
    return tf.sqrt(tf.maximum(sq, tf.constant(1e-24, x.dtype)))
