"""Small, deterministic data sets for the book's training demos (nothing is downloaded).

Every builder takes a ``seed`` and returns NumPy arrays: features are ``float32``, shapes
are documented per function, and the same seed always gives the same arrays (a different
seed gives different ones). The sets are small on purpose: each chapter's demo must train
in seconds on two CPU cores. A notebook that runs on a GPU may multiply a size ``n`` by
:func:`lossbook.train.scale`.

============================  =====================================================  ===========
builder                       what                                                   chapters
============================  =====================================================  ===========
:func:`linear_with_outliers`  ``y = 2x + 3 + noise`` with a fraction of gross        regression
                              outliers (MSE vs. MAE vs. Huber)
:func:`imbalanced_blobs`      two 2-D Gaussian blobs, a rare positive class          binary, focal
:func:`digits`                scikit-learn's 8×8 digits (bundled), stratified split  multiclass
:func:`digit_pairs`           pairs of digit images, similar = same class            embedding
:func:`digit_triplets`        anchor / positive / negative digit images              embedding
:func:`batches`               a seeded mini-batch generator over aligned arrays      all
============================  =====================================================  ===========

Bad arguments raise a plain :class:`ValueError` naming the argument and the fix
(:class:`~lossbook.LossInputError` is kept for bad inputs to a loss).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator

import numpy as np

__all__ = [
    "TRUE_INTERCEPT",
    "TRUE_SLOPE",
    "batches",
    "digit_pairs",
    "digit_triplets",
    "digits",
    "imbalanced_blobs",
    "linear_with_outliers",
]

TRUE_SLOPE = 2.0
"""Slope of the noiseless line in :func:`linear_with_outliers`."""

TRUE_INTERCEPT = 3.0
"""Intercept of the noiseless line in :func:`linear_with_outliers`."""


# ---- argument checks ---------------------------------------------------------------------
def _fail(func: str, msg: str) -> ValueError:
    return ValueError(f"lossbook.data.{func} {msg}")


def _check_int(func: str, name: str, value, *, minimum: int = 1) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or int(value) < minimum:
        raise _fail(
            func,
            f"expects {name} to be an integer >= {minimum}; got {value!r}. "
            f"Pass a whole number, e.g. {name}={max(minimum, 1)}.",
        )
    return int(value)


def _check_real(func: str, name: str, value, lo: float, hi: float, *, lo_open=False, hi_open=False):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (lo < value if lo_open else lo <= value)
    ok = ok and (value < hi if hi_open else value <= hi)
    if not ok:
        interval = f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
        raise _fail(
            func, f"expects {name} in {interval}; got {value!r}. Pass a number in that interval."
        )
    return float(value)


def _check_seed(func: str, seed) -> int:
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0:
        raise _fail(func, f"expects seed to be an integer >= 0; got {seed!r}. Pass e.g. seed=0.")
    return int(seed)


# ---- regression --------------------------------------------------------------------------
def linear_with_outliers(
    n: int = 200,
    *,
    outlier_fraction: float = 0.1,
    noise: float = 1.0,
    outlier_scale: float = 15.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A line with Gaussian noise and a controllable fraction of gross outliers.

    ``x ~ Uniform(-3, 3)``, ``y = TRUE_SLOPE·x + TRUE_INTERCEPT + noise·ε`` with
    ``ε ~ N(0, 1)``; then exactly ``round(outlier_fraction·n)`` points, chosen at random,
    are pushed **upwards** by ``outlier_scale·u`` with ``u ~ Uniform(0.5, 1.5)``. The
    outliers are one-sided on purpose: they pull a least-squares fit (MSE) up and tilt
    it, while a fit with MAE or Huber stays close to the true line ``y = 2x + 3``.

    Parameters
    ----------
    n : int, default 200
        Number of points (>= 1).
    outlier_fraction : float in [0, 1], default 0.1
        Fraction of points that are outliers (rounded to a whole number of points).
    noise : float >= 0, default 1.0
        Standard deviation of the Gaussian noise on every point.
    outlier_scale : float >= 0, default 15.0
        Typical size of an outlier's offset (in units of ``y``); offsets lie in
        ``[0.5, 1.5]·outlier_scale``.
    seed : int, default 0

    Returns
    -------
    x : ndarray, float32, shape ``(n, 1)``
        A one-feature design matrix (use ``x[:, 0]`` to plot).
    y : ndarray, float32, shape ``(n,)``
        Targets, outliers included.
    is_outlier : ndarray, bool, shape ``(n,)``
        True where a point was made an outlier.

    Examples
    --------
    >>> from lossbook.data import linear_with_outliers, TRUE_SLOPE, TRUE_INTERCEPT
    >>> x, y, out = linear_with_outliers(200, outlier_fraction=0.1, seed=0)
    >>> x.shape, y.shape, x.dtype, int(out.sum())
    ((200, 1), (200,), dtype('float32'), 20)
    >>> import numpy as np
    >>> clean = ~out
    >>> slope, intercept = np.polyfit(x[clean, 0], y[clean], 1)
    >>> round(float(slope), 1), round(float(intercept), 1)
    (2.0, 2.9)
    """
    f = "linear_with_outliers"
    n = _check_int(f, "n", n)
    outlier_fraction = _check_real(f, "outlier_fraction", outlier_fraction, 0.0, 1.0)
    noise = _check_real(f, "noise", noise, 0.0, math.inf)
    outlier_scale = _check_real(f, "outlier_scale", outlier_scale, 0.0, math.inf)
    rng = np.random.default_rng(_check_seed(f, seed))
    x = rng.uniform(-3.0, 3.0, size=n)
    y = TRUE_SLOPE * x + TRUE_INTERCEPT + noise * rng.standard_normal(n)
    k = int(round(outlier_fraction * n))
    is_outlier = np.zeros(n, dtype=bool)
    idx = rng.choice(n, size=k, replace=False)
    is_outlier[idx] = True
    y[idx] += outlier_scale * rng.uniform(0.5, 1.5, size=k)
    return x.astype(np.float32)[:, None], y.astype(np.float32), is_outlier


# ---- binary ------------------------------------------------------------------------------
def imbalanced_blobs(
    n: int = 1000,
    *,
    ratio: float = 0.05,
    separation: float = 2.5,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Two 2-D Gaussian blobs with a rare positive class (for BCE vs. focal loss).

    The majority class (label 0) is ``N((0, 0), I)``; the minority class (label 1) is
    ``N(c, I)`` with ``c = (separation/√2, separation/√2)``, so the centres are
    ``separation`` apart and the classes overlap for small separations. Exactly
    ``max(1, round(ratio·n))`` points are positive; the rows are shuffled.

    Parameters
    ----------
    n : int, default 1000
        Number of points (>= 2).
    ratio : float in (0, 0.5], default 0.05
        Fraction of minority (positive) points.
    separation : float >= 0, default 2.5
        Distance between the two centres, in standard deviations.
    seed : int, default 0

    Returns
    -------
    X : ndarray, float32, shape ``(n, 2)``
    y : ndarray, float32, shape ``(n,)``, values in {0, 1} (1 = minority)
        Float labels, as the binary losses expect; for hinge losses use ``2*y - 1``.

    Examples
    --------
    >>> from lossbook.data import imbalanced_blobs
    >>> X, y = imbalanced_blobs(1000, ratio=0.05, seed=0)
    >>> X.shape, y.shape, X.dtype, y.dtype
    ((1000, 2), (1000,), dtype('float32'), dtype('float32'))
    >>> int(y.sum()), sorted(set(y.tolist()))
    (50, [0.0, 1.0])
    """
    f = "imbalanced_blobs"
    n = _check_int(f, "n", n, minimum=2)
    ratio = _check_real(f, "ratio", ratio, 0.0, 0.5, lo_open=True)
    separation = _check_real(f, "separation", separation, 0.0, math.inf)
    rng = np.random.default_rng(_check_seed(f, seed))
    n_pos = min(max(1, int(round(ratio * n))), n - 1)
    y = np.zeros(n)
    y[:n_pos] = 1.0
    centre = np.full(2, separation / math.sqrt(2.0))
    X = rng.standard_normal((n, 2)) + y[:, None] * centre
    order = rng.permutation(n)
    return X[order].astype(np.float32), y[order].astype(np.float32)


# ---- multiclass --------------------------------------------------------------------------
def _load_digits(scale: bool) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits  # bundled with scikit-learn: no download

    d = load_digits()
    X = d.data.astype(np.float32)
    if scale:
        X /= np.float32(16.0)
    return X, d.target.astype(np.int64)


def digits(
    *, test_size: float = 0.25, seed: int = 0, scale: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's 8×8 handwritten digits (1797 images, 10 classes), split stratified.

    The data ship with scikit-learn (``sklearn.datasets.load_digits``), so nothing is
    downloaded. The split is ``train_test_split(..., stratify=y, random_state=seed)``:
    every class keeps its share in both parts.

    Parameters
    ----------
    test_size : float in (0, 1), default 0.25
        Fraction of images held out.
    seed : int, default 0
        Seed of the split.
    scale : bool, default True
        Divide the pixel values (0..16) by 16 so that features lie in [0, 1].

    Returns
    -------
    X_train, X_test : ndarray, float32, shape ``(n_train, 64)`` and ``(n_test, 64)``
    y_train, y_test : ndarray, int64, shapes ``(n_train,)`` and ``(n_test,)``, values 0..9
        Integer class indices (what ``cross_entropy`` expects; never cast them to float).

    Examples
    --------
    >>> from lossbook.data import digits
    >>> X_tr, X_te, y_tr, y_te = digits(seed=0)
    >>> X_tr.shape, X_te.shape, X_tr.dtype, y_tr.dtype
    ((1347, 64), (450, 64), dtype('float32'), dtype('int64'))
    >>> float(X_tr.min()), float(X_tr.max()), sorted(set(y_te.tolist())) == list(range(10))
    (0.0, 1.0, True)
    """
    from sklearn.model_selection import train_test_split

    f = "digits"
    test_size = _check_real(f, "test_size", test_size, 0.0, 1.0, lo_open=True, hi_open=True)
    seed = _check_seed(f, seed)
    X, y = _load_digits(bool(scale))
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=seed
    )
    return X_tr, X_te, y_tr, y_te


# ---- embedding ---------------------------------------------------------------------------
def _digit_subset(func: str, subset: str, test_size: float, seed: int, scale: bool):
    if subset not in ("train", "test", "all"):
        raise _fail(
            func,
            f"expects subset in {{'train', 'test', 'all'}}; got {subset!r}. "
            "Pass subset='train' (the default), 'test' or 'all'.",
        )
    if subset == "all":
        return _load_digits(bool(scale))
    X_tr, X_te, y_tr, y_te = digits(test_size=test_size, seed=seed, scale=scale)
    return (X_tr, y_tr) if subset == "train" else (X_te, y_te)


def _same_and_other(rng: np.random.Generator, labels: np.ndarray, anchors: np.ndarray):
    """For each anchor index: a different index of the same class and one of another class."""
    by_class = {c: np.flatnonzero(labels == c) for c in np.unique(labels)}
    same = np.empty_like(anchors)
    other = np.empty_like(anchors)
    for i, a in enumerate(anchors):
        pool = by_class[labels[a]]
        j = a
        while j == a and len(pool) > 1:
            j = pool[rng.integers(len(pool))]
        same[i] = j
        j = a
        while labels[j] == labels[a]:
            j = rng.integers(len(labels))
        other[i] = j
    return same, other


def digit_pairs(
    n: int = 1000,
    *,
    positive_fraction: float = 0.5,
    subset: str = "train",
    test_size: float = 0.25,
    seed: int = 0,
    scale: bool = True,
    return_labels: bool = False,
):
    """Pairs of digit images with a similarity label (for contrastive / ranking losses).

    A pair is *similar* (label 1) when both images show the same digit (two different
    images), otherwise dissimilar (label 0). Exactly ``round(positive_fraction·n)`` pairs
    are similar; the order is shuffled. Images come from ``subset`` of the stratified
    split of :func:`digits` with the same ``test_size`` and ``seed``, so the pairs of the
    ``"train"`` and ``"test"`` subsets never share an image.

    Parameters
    ----------
    n : int, default 1000
        Number of pairs.
    positive_fraction : float in [0, 1], default 0.5
    subset : {"train", "test", "all"}, default "train"
    test_size : float in (0, 1), default 0.25
    seed : int, default 0
        Seeds both the split and the choice of pairs.
    scale : bool, default True
        Pixels in [0, 1] (see :func:`digits`).
    return_labels : bool, default False
        Also return both images' digit labels.

    Returns
    -------
    x1, x2 : ndarray, float32, shape ``(n, 64)``
    similar : ndarray, float32, shape ``(n,)``, values in {0, 1}
        ``contrastive`` takes it as is; ``cosine_embedding`` / ``margin_ranking`` want
        ``2*similar - 1`` in {-1, +1}.
    label1, label2 : ndarray, int64, shape ``(n,)``, only with ``return_labels``

    Examples
    --------
    >>> from lossbook.data import digit_pairs
    >>> x1, x2, s = digit_pairs(100, seed=0)
    >>> x1.shape, x2.shape, s.shape, s.dtype, float(s.mean())
    ((100, 64), (100, 64), (100,), dtype('float32'), 0.5)
    """
    f = "digit_pairs"
    n = _check_int(f, "n", n)
    positive_fraction = _check_real(f, "positive_fraction", positive_fraction, 0.0, 1.0)
    seed = _check_seed(f, seed)
    X, labels = _digit_subset(f, subset, test_size, seed, scale)
    rng = np.random.default_rng([seed, 1])
    first = rng.integers(len(labels), size=n)
    same, other = _same_and_other(rng, labels, first)
    similar = np.zeros(n, dtype=np.float32)
    similar[: int(round(positive_fraction * n))] = 1.0
    rng.shuffle(similar)
    second = np.where(similar == 1.0, same, other)
    if return_labels:
        return X[first], X[second], similar, labels[first], labels[second]
    return X[first], X[second], similar


def digit_triplets(
    n: int = 1000,
    *,
    subset: str = "train",
    test_size: float = 0.25,
    seed: int = 0,
    scale: bool = True,
    return_labels: bool = False,
):
    """Triplets of digit images: anchor, positive (same digit), negative (another digit).

    Anchors are drawn uniformly from ``subset`` of the split of :func:`digits` (same
    ``test_size`` and ``seed``); the positive is a *different* image of the anchor's digit,
    the negative an image of any other digit. For a model that embeds rows, stack them:
    ``np.stack([a, p, n], axis=1)`` has shape ``(n, 3, 64)``, and the loss is
    ``lambda e: lossbook.torch.triplet(e[:, 0], e[:, 1], e[:, 2])``.

    Parameters
    ----------
    n : int, default 1000
        Number of triplets.
    subset : {"train", "test", "all"}, default "train"
    test_size : float in (0, 1), default 0.25
    seed : int, default 0
        Seeds both the split and the choice of triplets.
    scale : bool, default True
    return_labels : bool, default False
        Also return the digit labels of the anchors, positives and negatives.

    Returns
    -------
    anchor, positive, negative : ndarray, float32, shape ``(n, 64)`` each
    anchor_label, positive_label, negative_label : ndarray, int64, shape ``(n,)``
        Only with ``return_labels``.

    Examples
    --------
    >>> from lossbook.data import digit_triplets
    >>> a, p, neg, ya, yp, yn = digit_triplets(50, seed=0, return_labels=True)
    >>> a.shape, a.dtype, bool((ya == yp).all()), bool((ya != yn).all())
    ((50, 64), dtype('float32'), True, True)
    """
    f = "digit_triplets"
    n = _check_int(f, "n", n)
    seed = _check_seed(f, seed)
    X, labels = _digit_subset(f, subset, test_size, seed, scale)
    rng = np.random.default_rng([seed, 2])
    anchors = rng.integers(len(labels), size=n)
    pos, neg = _same_and_other(rng, labels, anchors)
    out = (X[anchors], X[pos], X[neg])
    if return_labels:
        return (*out, labels[anchors], labels[pos], labels[neg])
    return out


# ---- batching ----------------------------------------------------------------------------
def batches(
    *arrays, batch_size: int, shuffle: bool = True, seed: int = 0, drop_last: bool = False
) -> Iterator[tuple]:
    """Yield aligned mini-batches ``(a[idx], b[idx], ...)`` of equally long arrays.

    Works for anything indexable by an integer array along the first axis (NumPy arrays,
    torch tensors). With ``shuffle`` the order is a permutation drawn from
    ``np.random.default_rng(seed)``: the same seed gives the same batches.

    Parameters
    ----------
    *arrays : arrays of the same length ``N``
    batch_size : int >= 1
    shuffle : bool, default True
    seed : int, default 0
    drop_last : bool, default False
        Skip a final batch smaller than ``batch_size``.

    Examples
    --------
    >>> import numpy as np
    >>> from lossbook.data import batches
    >>> [b.tolist() for (b,) in batches(np.arange(5), batch_size=2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    >>> [len(xb) for xb, yb in batches(np.zeros((5, 3)), np.ones(5), batch_size=2, seed=1)]
    [2, 2, 1]
    """
    f = "batches"
    if not arrays:
        raise _fail(
            f, "expects at least one array; got none. Pass e.g. batches(X, y, batch_size=32)."
        )
    batch_size = _check_int(f, "batch_size", batch_size)
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) != 1:
        raise _fail(
            f,
            f"expects arrays of the same length; got lengths {lengths}. "
            "Features and targets must be aligned row by row.",
        )
    n = lengths[0]
    order = np.random.default_rng(_check_seed(f, seed)).permutation(n) if shuffle else None
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        if drop_last and stop - start < batch_size:
            break
        idx = order[start:stop] if order is not None else np.arange(start, stop)
        yield tuple(a[idx] for a in arrays)
