"""Multiclass losses in NumPy: reference implementations and hand-derived gradients.

Every loss here has a class axis, and it is the **last** axis (PyTorch puts it on dim 1).
Predictions have shape ``(..., C)``; integer class indices have the predictions' shape
without the last axis; one-hot and probability targets have the predictions' shape.
``reduction="none"`` returns one value per sample (shape ``(...)``).

Each ``<name>_grad`` takes the same arguments and returns d(reduced loss)/d(prediction),
with the prediction's shape (for ``reduction="none"``: the gradient of the sum).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._ops import OPS, as_float, grad_scale, reduce, validator

__all__ = [
    "categorical_hinge",
    "categorical_hinge_grad",
    "cross_entropy",
    "cross_entropy_grad",
    "kl_divergence",
    "kl_divergence_grad",
    "multi_margin",
    "multi_margin_grad",
    "nll",
    "nll_grad",
    "softmax_focal",
    "softmax_focal_grad",
]

_KL_EPS = 1e-7


# ---------------------------------------------------------------------------------------
# shared helpers
# ---------------------------------------------------------------------------------------
def _check_class_axis(
    v: Any,
    y_true: Any,
    pred: Any,
    pred_name: str,
    *,
    mode: str = "indices",
    weight: Any = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, bool]:
    """Validate ``(y_true, pred[, weight])`` of a class-axis loss, in CONTRIBUTING's order.

    ``mode``: ``"indices"`` (integer targets of shape ``pred.shape[:-1]``), ``"auto"``
    (indices, or probability rows when ``y_true`` is floating with ``pred``'s shape) or
    ``"onehot"``. Parameters and ``reduction`` are checked by the caller first.
    Returns ``(y, x, w, rows)``: ``rows`` is True when ``y`` has ``pred``'s shape.
    """
    x = as_float(pred)
    y = np.asarray(y_true)
    w = None if weight is None else np.asarray(weight)
    # dtypes
    if mode == "onehot":
        rows = True
    else:
        rows = mode == "auto" and OPS.is_float(y) and y.shape == x.shape
        if not rows and not OPS.is_int(y):
            v.class_indices("y_true", y, 1)  # raises the dtype message
    # non-empty
    v.nonempty("y_true", y)
    v.nonempty(pred_name, x)
    if w is not None:
        v.nonempty("weight", w)
    # shapes
    v.ndim_at_least(pred_name, x, 1, "(..., C) with the classes on the last axis")
    n_classes = x.shape[-1]
    if rows:
        v.same_shape("y_true", y, pred_name, x)
    else:
        v.shape_equals(
            "y_true",
            y,
            x.shape[:-1],
            f"{pred_name}.shape[:-1] (one class index per sample; the class axis is last)",
            fix=(
                "Pass one integer class index per sample"
                + (
                    ", or one probability row per sample as a floating array with the "
                    f"shape of {pred_name}."
                    if mode == "auto"
                    else "; convert one-hot rows with y.argmax(-1)."
                )
                + " PyTorch puts the class axis on dim 1: move it last (e.g. x.movedim(1, -1))."
            ),
        )
    if w is not None:
        v.shape_equals(
            "weight",
            w,
            (n_classes,),
            f"(C,) with C = {pred_name}.shape[-1]",
            fix="Pass one weight per class.",
        )
    # finiteness
    if rows:
        v.finite("y_true", y)
    v.finite(pred_name, x)
    if w is not None:
        v.finite("weight", w)
    # value ranges
    if mode == "onehot":
        v.one_hot_rows("y_true", y, y.sum(-1))
    elif rows:
        v.in_unit_interval(
            "y_true",
            y,
            fix="Probability targets must lie in [0, 1]; pass class indices as an integer array.",
        )
    else:
        v.class_indices("y_true", y, n_classes)
    if w is not None:
        v.nonnegative(
            "weight", w, fix="Class weights multiply the per-class losses: pass values >= 0."
        )
    y = y.astype(x.dtype) if rows else y.astype(np.intp)
    w = None if w is None else w.astype(x.dtype)
    return y, x, w, rows


def _log_softmax(z: np.ndarray) -> np.ndarray:
    """Stable log-softmax over the last axis (log-sum-exp with the row maximum shifted out)."""
    s = z - z.max(-1, keepdims=True)
    return s - np.log(np.exp(s).sum(-1, keepdims=True))


def _one_hot(y: np.ndarray, n_classes: int, dtype: Any) -> np.ndarray:
    return (y[..., None] == np.arange(n_classes)).astype(dtype)


def _take(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.take_along_axis(x, y[..., None], axis=-1)[..., 0]


def _reduce_weighted(loss: np.ndarray, reduction: str, denom: np.ndarray | None) -> np.ndarray:
    if reduction == "mean" and denom is not None:
        return loss.sum() / denom
    return reduce(loss, reduction)


def _scale_weighted(
    grad: np.ndarray, n_terms: int, reduction: str, denom: np.ndarray | None
) -> np.ndarray:
    if reduction == "mean" and denom is not None:
        return grad / denom
    return grad_scale(grad, n_terms, reduction)


# ---------------------------------------------------------------------------------------
# cross_entropy
# ---------------------------------------------------------------------------------------
def _ce_forward(y_true, logits, label_smoothing, weight, reduction):
    v = validator("cross_entropy")
    v.reduction(reduction)
    v.unit_param("label_smoothing", label_smoothing)
    y, x, w, rows = _check_class_axis(v, y_true, logits, "logits", mode="auto", weight=weight)
    n_classes = x.shape[-1]
    t = y if rows else _one_hot(y, n_classes, x.dtype)
    if label_smoothing:
        t = (1 - label_smoothing) * t + label_smoothing / n_classes
    tw = t if w is None else t * w
    logp = _log_softmax(x)
    loss = -(tw * logp).sum(-1)
    denom = None if (w is None or rows) else _take(np.broadcast_to(w, x.shape), y).sum()
    return x, tw, logp, loss, denom


def cross_entropy(
    y_true: Any,
    logits: Any,
    *,
    label_smoothing: float = 0.0,
    weight: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Softmax cross-entropy from logits, with optional label smoothing and class weights.

    .. math::

        \ell_i = -\sum_c t_{ic}\, w_c \log \operatorname{softmax}(z_i)_c,
        \qquad t = (1-\varepsilon)\,\mathrm{onehot}(y) + \varepsilon / C

    Parameters
    ----------
    y_true : array_like
        Either integer class indices of shape ``(...)`` (= ``logits.shape[:-1]``), or a
        floating array of probability rows with the shape of ``logits`` (soft labels,
        values in [0, 1]; rows are used as given, not renormalised). With probability
        rows the label smoothing is ``t = (1 - eps) * y + eps / C``. A floating array
        with the index shape is an error (cast it to an integer dtype).
    logits : array_like, shape ``(..., C)``
        Unnormalised scores; the class axis is the **last** axis.
    label_smoothing : float, default 0.0
        ``eps`` in [0, 1] (Szegedy et al. 2016).
    weight : array_like of shape ``(C,)``, optional
        Non-negative class weights ``w_c`` (default all ones).
    reduction : {"mean", "sum", "none"}
        ``"none"``: the per-sample (weighted) losses, shape ``(...)``. ``"sum"``: their sum.
        ``"mean"``: their mean, except with ``weight`` **and** integer targets, where it is
        ``sum(none) / sum(w[y_i])`` (PyTorch's convention; with label smoothing the
        smoothing term is normalised by the same denominator, as in PyTorch). If every
        sample's class has weight 0 that ratio is 0/0 = nan, as in PyTorch.

    Returns
    -------
    numpy.ndarray
        A scalar for "mean" / "sum", shape ``(...)`` for "none"; in the logits' float dtype.

    Notes
    -----
    Computed as a log-softmax via log-sum-exp, so logits of any magnitude (e.g. +-1e4 in
    float32) give finite values and gradients. The gradient (see
    :func:`cross_entropy_grad`) is ``softmax(z) * sum_c(t_c w_c) - t * w`` per sample.

    Differences from the frameworks:

    * ``torch.nn.functional.cross_entropy(input, target)`` takes ``(input, target)`` and
      wants the class axis on dim 1; transpose the last axis of ``logits`` to dim 1.
      Values then agree, including ``weight`` together with ``label_smoothing`` and
      probability targets (torch also accepts probabilities as targets). lossbook has no
      ``ignore_index``: drop those samples first.
    * ``keras.losses.CategoricalCrossentropy(from_logits=True)`` matches for probability
      rows (``SparseCategoricalCrossentropy`` for indices). With ``from_logits=False``
      Keras takes probabilities, renormalises each predicted row to sum to 1 and clips
      it to [1e-7, 1 - 1e-7]; Keras has no per-class ``weight`` (it uses
      ``sample_weight`` / ``class_weight`` in ``fit``, and its mean divides by N).

    References: Goodfellow et al. (2016), ch. 6.2; label smoothing: Szegedy et al. (2016).

    Examples
    --------
    >>> from lossbook.numpy import cross_entropy
    >>> logits = [[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]]
    >>> round(float(cross_entropy([0, 2], logits)), 4)
    0.1755
    >>> round(float(cross_entropy([0, 2], logits, label_smoothing=0.1)), 4)
    0.3455
    >>> [round(float(v), 4) for v in cross_entropy([0, 2], logits, reduction="none")]
    [0.2413, 0.1096]
    >>> round(float(cross_entropy([[0.8, 0.2, 0.0], [0.0, 0.0, 1.0]], logits)), 4)
    0.3255
    """
    _, _, _, loss, denom = _ce_forward(y_true, logits, label_smoothing, weight, reduction)
    return _reduce_weighted(loss, reduction, denom)


def cross_entropy_grad(
    y_true: Any,
    logits: Any,
    *,
    label_smoothing: float = 0.0,
    weight: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Gradient of :func:`cross_entropy` with respect to ``logits``.

    Per sample, with :math:`p = \operatorname{softmax}(z)` and smoothed targets ``t``,

    .. math:: \frac{\partial \ell}{\partial z_k} = p_k \sum_c t_c w_c - t_k w_k ,

    which is ``p - t`` when the targets sum to 1 and there are no weights. "sum" and
    "none" return this (the gradient of the sum); "mean" divides by the number of samples,
    or by ``sum(w[y_i])`` with ``weight`` and integer targets.

    Examples
    --------
    >>> from lossbook.numpy import cross_entropy_grad
    >>> g = cross_entropy_grad([0], [[2.0, 0.5, -1.0]])
    >>> [round(float(v), 4) for v in g[0]]
    [-0.2144, 0.1753, 0.0391]
    """
    x, tw, logp, _, denom = _ce_forward(y_true, logits, label_smoothing, weight, reduction)
    grad = np.exp(logp) * tw.sum(-1, keepdims=True) - tw
    return _scale_weighted(grad, x.size // x.shape[-1], reduction, denom)


# ---------------------------------------------------------------------------------------
# nll
# ---------------------------------------------------------------------------------------
def _nll_forward(y_true, log_probs, weight, reduction):
    v = validator("nll")
    v.reduction(reduction)
    y, x, w, _ = _check_class_axis(v, y_true, log_probs, "log_probs", weight=weight)
    wy = None if w is None else _take(np.broadcast_to(w, x.shape), y)
    loss = -_take(x, y)
    if wy is not None:
        loss = wy * loss
    denom = None if wy is None else wy.sum()
    return x, y, wy, loss, denom


def nll(y_true: Any, log_probs: Any, *, weight: Any = None, reduction: str = "mean") -> np.ndarray:
    r"""Negative log-likelihood of the target class, given log-probabilities.

    .. math:: \ell_i = -w_{y_i} \log p_{i, y_i}

    Parameters
    ----------
    y_true : array_like of int, shape ``(...)``
        Class indices in ``0..C-1`` (= ``log_probs.shape[:-1]``).
    log_probs : array_like, shape ``(..., C)``
        Log-probabilities (e.g. a log-softmax output), class axis **last**. They are used
        as given: passing raw logits is not an error but is not a likelihood either (use
        :func:`cross_entropy`, which applies the log-softmax itself).
    weight : array_like of shape ``(C,)``, optional
        Non-negative class weights.
    reduction : {"mean", "sum", "none"}
        "none": the weighted per-sample losses ``w[y_i] * l_i``; "sum": their sum;
        "mean": their mean, or with ``weight`` the weighted average
        ``sum(w[y_i] * l_i) / sum(w[y_i])`` (PyTorch's convention).

    Notes
    -----
    ``torch.nn.functional.nll_loss(input, target)`` is the same with the class axis on
    dim 1 and the arguments swapped. Keras has no NLL-from-log-probabilities loss; the
    closest is ``SparseCategoricalCrossentropy`` on probabilities, which clips them.
    ``nll(y, log_softmax(z))`` equals ``cross_entropy(y, z)``. Reference: Bishop (2006),
    sec. 4.3.4.

    Examples
    --------
    >>> import numpy as np
    >>> from lossbook.numpy import nll
    >>> logp = np.log([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    >>> round(float(nll([0, 2], logp)), 4)
    0.4338
    >>> round(float(nll([0, 2], logp, weight=[1.0, 1.0, 3.0])), 4)
    0.4723
    """
    *_, loss, denom = _nll_forward(y_true, log_probs, weight, reduction)
    return _reduce_weighted(loss, reduction, denom)


def nll_grad(
    y_true: Any, log_probs: Any, *, weight: Any = None, reduction: str = "mean"
) -> np.ndarray:
    r"""Gradient of :func:`nll` with respect to ``log_probs``.

    Per sample, :math:`\partial \ell / \partial (\log p)_k = -w_{y}\,[k = y]`; "mean"
    divides by the number of samples, or by ``sum(w[y_i])`` with ``weight``.

    Examples
    --------
    >>> from lossbook.numpy import nll_grad
    >>> nll_grad([1], [[-1.0, -0.5, -2.0]], reduction="sum").tolist()
    [[0.0, -1.0, 0.0]]
    """
    x, y, wy, _, denom = _nll_forward(y_true, log_probs, weight, reduction)
    coef = -np.ones(y.shape, x.dtype) if wy is None else -wy
    grad = np.where(_one_hot(y, x.shape[-1], bool), coef[..., None], 0).astype(x.dtype)
    return _scale_weighted(grad, y.size, reduction, denom)


# ---------------------------------------------------------------------------------------
# categorical_hinge
# ---------------------------------------------------------------------------------------
def _ch_forward(y_true, scores, reduction):
    v = validator("categorical_hinge")
    v.reduction(reduction)
    y, s, _, _ = _check_class_axis(v, y_true, scores, "scores", mode="onehot")
    idx = y.argmax(-1)
    is_y = np.arange(s.shape[-1]) == idx[..., None]
    others = np.where(is_y, -np.inf, s)
    j = others.argmax(-1)  # first maximiser on ties
    u = 1 + _take(others, j) - _take(s, idx)  # -inf when C == 1: loss 0
    return s, idx, j, u


def categorical_hinge(y_true: Any, scores: Any, *, reduction: str = "mean") -> np.ndarray:
    r"""Crammer–Singer multiclass hinge loss with one-hot targets.

    .. math:: \ell_i = \max\bigl(0,\; 1 + \max_{j \ne y_i} s_{ij} - s_{i y_i}\bigr)

    Parameters
    ----------
    y_true : array_like, shape ``(..., C)``
        One-hot rows (values in {0, 1}, exactly one 1 per row), the shape of ``scores``.
    scores : array_like, shape ``(..., C)``
        Unnormalised class scores, class axis **last**.
    reduction : {"mean", "sum", "none"}
        "none": one value per sample, shape ``(...)``; "sum" / "mean" over them.

    Notes
    -----
    Only the most-violating wrong class counts (Crammer & Singer 2001); compare
    :func:`multi_margin`, which sums over all wrong classes (Weston & Watkins 1999).
    With a single class the loss is 0. On ties for the largest wrong-class score the
    gradient goes to the first of them.

    ``keras.losses.CategoricalHinge`` computes ``max(0, neg - pos + 1)`` with
    ``neg = max((1 - y) * s)``: the target's own entry contributes a 0 to that maximum, so
    Keras uses ``max(0, max_{j != y} s_j)`` and differs from this loss whenever every
    wrong-class score is negative. PyTorch has no Crammer–Singer built-in
    (``MultiMarginLoss`` is Weston–Watkins).

    Examples
    --------
    >>> from lossbook.numpy import categorical_hinge
    >>> y = [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    >>> s = [[0.2, 0.9, -0.5], [-0.3, -0.8, -1.5]]
    >>> [round(float(v), 4) for v in categorical_hinge(y, s, reduction="none")]
    [0.3, 0.5]
    """
    s, _, _, u = _ch_forward(y_true, scores, reduction)
    return reduce(np.maximum(u, 0), reduction)


def categorical_hinge_grad(y_true: Any, scores: Any, *, reduction: str = "mean") -> np.ndarray:
    r"""Gradient of :func:`categorical_hinge` with respect to ``scores``.

    Per sample, with :math:`j^* = \arg\max_{j \ne y} s_j` and active :math:`= [\ell > 0]`:
    ``+active`` at :math:`j^*`, ``-active`` at :math:`y`, 0 elsewhere (0 at the kink).

    Examples
    --------
    >>> from lossbook.numpy import categorical_hinge_grad
    >>> categorical_hinge_grad([[0.0, 1.0, 0.0]], [[0.2, 0.9, -0.5]]).tolist()
    [[1.0, -1.0, 0.0]]
    """
    s, idx, j, u = _ch_forward(y_true, scores, reduction)
    active = (u > 0).astype(s.dtype)[..., None]
    n_classes = s.shape[-1]
    grad = (_one_hot(j, n_classes, s.dtype) - _one_hot(idx, n_classes, s.dtype)) * active
    return grad_scale(grad, idx.size, reduction)


# ---------------------------------------------------------------------------------------
# multi_margin
# ---------------------------------------------------------------------------------------
def _mm_forward(y_true, scores, margin, reduction):
    v = validator("multi_margin")
    v.reduction(reduction)
    v.finite_param("margin", margin)
    y, s, _, _ = _check_class_axis(v, y_true, scores, "scores")
    not_y = np.arange(s.shape[-1]) != y[..., None]
    u = margin - _take(s, y)[..., None] + s
    return s, y, not_y, u


def multi_margin(
    y_true: Any, scores: Any, *, margin: float = 1.0, reduction: str = "mean"
) -> np.ndarray:
    r"""Weston–Watkins multiclass margin loss (PyTorch's ``MultiMarginLoss`` with p=1).

    .. math:: \ell_i = \frac{1}{C} \sum_{j \ne y_i} \max(0,\; m - s_{i y_i} + s_{ij})

    Parameters
    ----------
    y_true : array_like of int, shape ``(...)``
        Class indices (= ``scores.shape[:-1]``).
    scores : array_like, shape ``(..., C)``
        Class scores, class axis **last**.
    margin : float, default 1.0
        The margin ``m``.
    reduction : {"mean", "sum", "none"}
        "none": one value per sample; "sum" / "mean" over them.

    Notes
    -----
    Every wrong class that comes within ``m`` of the target class is penalised (Weston &
    Watkins 1999), and the sum is divided by ``C`` (including the target class), as
    ``torch.nn.functional.multi_margin_loss(input, target, p=1, margin=m)`` does (that one
    takes the class axis on dim 1 of a 2-D input and the arguments swapped; lossbook has
    no ``p=2`` and no class ``weight``). Keras has no built-in.
    Compare :func:`categorical_hinge` (Crammer–Singer: only the worst wrong class).

    Examples
    --------
    >>> from lossbook.numpy import multi_margin
    >>> s = [[0.2, 0.9, -0.5], [-0.3, -0.8, -1.5]]
    >>> [round(float(v), 4) for v in multi_margin([1, 0], s, reduction="none")]
    [0.1, 0.1667]
    """
    s, y, not_y, u = _mm_forward(y_true, scores, margin, reduction)
    loss = (np.maximum(u, 0) * not_y).sum(-1) / s.shape[-1]
    return reduce(loss, reduction)


def multi_margin_grad(
    y_true: Any, scores: Any, *, margin: float = 1.0, reduction: str = "mean"
) -> np.ndarray:
    r"""Gradient of :func:`multi_margin` with respect to ``scores``.

    Per sample, with :math:`a_j = [j \ne y]\,[m - s_y + s_j > 0]`:
    :math:`\partial\ell/\partial s_j = a_j / C` for :math:`j \ne y` and
    :math:`\partial\ell/\partial s_y = -\sum_j a_j / C`.

    Examples
    --------
    >>> from lossbook.numpy import multi_margin_grad
    >>> [round(float(v), 4) for v in multi_margin_grad([1], [[0.2, 0.9, -0.5]])[0]]
    [0.3333, -0.3333, 0.0]
    """
    s, y, not_y, u = _mm_forward(y_true, scores, margin, reduction)
    n_classes = s.shape[-1]
    a = ((u > 0) & not_y).astype(s.dtype)
    grad = (a - _one_hot(y, n_classes, s.dtype) * a.sum(-1, keepdims=True)) / n_classes
    return grad_scale(grad, y.size, reduction)


# ---------------------------------------------------------------------------------------
# softmax_focal
# ---------------------------------------------------------------------------------------
def _sf_forward(y_true, logits, gamma, reduction):
    v = validator("softmax_focal")
    v.reduction(reduction)
    v.positive_param("gamma", gamma, allow_zero=True)
    y, z, _, _ = _check_class_axis(v, y_true, logits, "logits")
    n_classes = z.shape[-1]
    is_y = np.arange(n_classes) == y[..., None]
    logp = _log_softmax(z)
    log_py = _take(logp, y)  # a = log p_y
    if n_classes > 1:
        # log(1 - p_y) = logsumexp_{j != y} z_j - logsumexp_j z_j, stable even when p_y -> 1
        others = np.where(is_y, -np.inf, logp)
        mo = others.max(-1, keepdims=True)
        log_1m = (mo + np.log(np.exp(others - mo).sum(-1, keepdims=True)))[..., 0]
    else:
        log_1m = np.full(y.shape, -np.inf, z.dtype)
    # modulating factor (1 - p_y)^gamma in log space; gamma = 0 gives exactly 1
    mod = np.ones_like(log_1m) if gamma == 0 else np.exp(gamma * log_1m)
    return z, y, is_y, logp, log_py, log_1m, mod


def softmax_focal(
    y_true: Any, logits: Any, *, gamma: float = 2.0, reduction: str = "mean"
) -> np.ndarray:
    r"""Softmax (multiclass) focal loss from logits.

    .. math::

        \ell_i = -(1 - p_{i y_i})^{\gamma} \log p_{i y_i},
        \qquad p_i = \operatorname{softmax}(z_i)

    Parameters
    ----------
    y_true : array_like of int, shape ``(...)``
        Class indices (= ``logits.shape[:-1]``).
    logits : array_like, shape ``(..., C)``
        Unnormalised scores, class axis **last**.
    gamma : float, default 2.0
        Focusing parameter ``gamma >= 0``; ``gamma = 0`` is :func:`cross_entropy`.
    reduction : {"mean", "sum", "none"}
        "none": one value per sample; "sum" / "mean" over them.

    Notes
    -----
    The multiclass form of the focal loss of Lin et al. (2017), without a class-balancing
    ``alpha`` (multiply by class weights yourself if needed). ``log p_y`` is a log-softmax
    and ``log(1 - p_y)`` a log-sum-exp over the other classes minus the log-sum-exp over
    all, so the modulating factor ``exp(gamma * log(1 - p_y))`` and the gradient stay
    finite for logits of any size, also for ``gamma < 1`` (where ``(1 - p)^gamma`` has an
    infinite slope at ``p = 1``).

    PyTorch has no built-in (torchvision's ``sigmoid_focal_loss`` is the binary form).
    ``keras.losses.CategoricalFocalCrossentropy(alpha=1.0, gamma=gamma, from_logits=True)``
    matches with one-hot targets; its default ``alpha=0.25`` scales the loss by 0.25 and
    with probabilities (``from_logits=False``) it renormalises and clips them.

    Examples
    --------
    >>> from lossbook.numpy import softmax_focal
    >>> logits = [[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]]
    >>> round(float(softmax_focal([0, 2], logits)), 4)
    0.0061
    >>> round(float(softmax_focal([0, 2], logits, gamma=0.0)), 4)
    0.1755
    """
    *_, log_py, _, mod = _sf_forward(y_true, logits, gamma, reduction)
    return reduce(-mod * log_py, reduction)


def softmax_focal_grad(
    y_true: Any, logits: Any, *, gamma: float = 2.0, reduction: str = "mean"
) -> np.ndarray:
    r"""Gradient of :func:`softmax_focal` with respect to ``logits``.

    With :math:`a = \log p_y`, :math:`b = \log(1 - p_y)` and :math:`\ell = -e^{\gamma b} a`:

    .. math::

        \frac{\partial \ell}{\partial z_k} = -e^{\gamma b}\Bigl(\gamma\, a\,
        \frac{\partial b}{\partial z_k} + [k = y] - p_k\Bigr),
        \quad \frac{\partial b}{\partial z_k} =
        \begin{cases} -p_y & k = y \\ p_k\, p_y / (1 - p_y) & k \ne y \end{cases}

    with :math:`p_k p_y / (1 - p_y) = \exp(\log p_k + a - b)` evaluated in log space.

    Examples
    --------
    >>> from lossbook.numpy import softmax_focal_grad
    >>> g = softmax_focal_grad([0], [[2.0, 0.5, -1.0]])
    >>> [round(float(v), 4) for v in g[0]]
    [-0.0273, 0.0223, 0.005]
    """
    z, y, is_y, logp, log_py, log_1m, mod = _sf_forward(y_true, logits, gamma, reduction)
    a = log_py[..., None]
    b = log_1m[..., None]
    p = np.exp(logp)
    with np.errstate(over="ignore", invalid="ignore"):
        db = np.where(is_y, -np.exp(a), np.exp(logp + a - b))
        focus = 0.0 if gamma == 0 else gamma * a * db
    grad = -mod[..., None] * (focus + is_y.astype(z.dtype) - p)
    return grad_scale(grad, y.size, reduction)


# ---------------------------------------------------------------------------------------
# kl_divergence
# ---------------------------------------------------------------------------------------
def _kl_forward(p_true, q_pred, reduction):
    v = validator("kl_divergence")
    v.reduction(reduction)
    q = as_float(q_pred)
    p = np.asarray(p_true)
    v.nonempty("p_true", p)
    v.nonempty("q_pred", q)
    v.ndim_at_least("q_pred", q, 1, "(..., C) with the distribution on the last axis")
    v.same_shape("p_true", p, "q_pred", q)
    v.finite("p_true", p)
    v.finite("q_pred", q)
    v.in_unit_interval(
        "p_true",
        p,
        fix="Pass probabilities (e.g. a softmax output), not logits or log-probabilities.",
    )
    v.in_unit_interval(
        "q_pred",
        q,
        fix=(
            "Pass probabilities (e.g. a softmax output), not log-probabilities; "
            "torch's kl_div takes log-probabilities, lossbook does not."
        ),
    )
    p = p.astype(q.dtype)
    eps = q.dtype.type(_KL_EPS)
    qc = np.maximum(q, eps)
    return p, q, qc, eps


def kl_divergence(p_true: Any, q_pred: Any, *, reduction: str = "mean") -> np.ndarray:
    r"""Kullback–Leibler divergence :math:`\mathrm{KL}(p \,\|\, q)` between probability rows.

    .. math::

        \ell_i = \sum_c p_{ic} \log \frac{p_{ic}}{\max(q_{ic}, 10^{-7})},
        \qquad 0 \log 0 = 0

    Parameters
    ----------
    p_true : array_like, shape ``(..., C)``
        Target distribution (values in [0, 1]; exact zeros are fine).
    q_pred : array_like, shape ``(..., C)``
        Predicted distribution (probabilities, not logits nor log-probabilities), clipped
        below at 1e-7 so that ``q = 0`` where ``p > 0`` gives a large finite loss.
    reduction : {"mean", "sum", "none"}
        "none": one divergence per row, shape ``(...)``; "sum" / "mean" over rows.

    Notes
    -----
    Rows are not renormalised; pass distributions that sum to 1. The divergence is not
    symmetric: this is the "forward" KL with the target first (Kullback & Leibler 1951).
    Because of the clip, an entry with ``0 < p_c = q_c < 1e-7`` contributes
    ``p_c log(p_c / 1e-7) < 0``, so the value can be very slightly negative (at most
    about ``C * 3.7e-8`` in magnitude) when distributions have such tiny entries.

    * ``torch.nn.functional.kl_div(input, target)`` takes ``input`` as **log**-probabilities
      of the prediction and sums elementwise; ``reduction="batchmean"`` (sum / N) matches
      lossbook's ``"mean"`` for 2-D input, while torch's ``"mean"`` divides by N * C.
      It does not clip ``q``.
    * ``keras.losses.KLDivergence`` clips **both** arguments to [1e-7, 1], so it differs
      wherever ``p_true`` has entries below 1e-7 (lossbook uses ``0 log 0 = 0``).

    Examples
    --------
    >>> from lossbook.numpy import kl_divergence
    >>> p = [[0.5, 0.5, 0.0], [0.1, 0.2, 0.7]]
    >>> q = [[0.4, 0.4, 0.2], [0.1, 0.2, 0.7]]
    >>> [round(float(v), 4) for v in kl_divergence(p, q, reduction="none")]
    [0.2231, 0.0]
    """
    p, _, qc, _ = _kl_forward(p_true, q_pred, reduction)
    pos = p > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(pos, p * (np.log(np.where(pos, p, 1)) - np.log(qc)), 0)
    return reduce(terms.sum(-1), reduction)


def kl_divergence_grad(p_true: Any, q_pred: Any, *, reduction: str = "mean") -> np.ndarray:
    r"""Gradient of :func:`kl_divergence` with respect to ``q_pred``.

    :math:`\partial \ell / \partial q_c = -p_c / q_c` where :math:`q_c \ge 10^{-7}`, and 0
    where the clip is active (``q_c < 1e-7``), like ``clamp`` in PyTorch. "mean" divides
    by the number of rows.

    Examples
    --------
    >>> from lossbook.numpy import kl_divergence_grad
    >>> [round(float(v), 4) for v in kl_divergence_grad([[0.5, 0.5, 0.0]], [[0.4, 0.4, 0.2]])[0]]
    [-1.25, -1.25, 0.0]
    """
    p, q, qc, eps = _kl_forward(p_true, q_pred, reduction)
    grad = np.where((q >= eps) & (p > 0), -p / qc, 0).astype(q.dtype)
    return grad_scale(grad, q.size // q.shape[-1], reduction)
