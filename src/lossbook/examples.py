"""Example inputs for every catalog loss, as NumPy arrays: the one source that the tests,
:mod:`lossbook.rosetta` and the benchmarks read.

``make_case(name, rng)`` returns ``(args, kwargs)``: the positional arguments in the
contract's order and a dict of non-default keyword parameters worth exercising. Callers
convert the arrays to torch / TensorFlow as needed. Values stay away from kinks (so
gradients are well defined). A loss without a hand-made ``case_<name>`` gets inputs derived
from its catalog entry (:func:`generic_case`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

N, C, D = 6, 4, 3


def _away_from(x, points, gap=0.05):
    # push values that sit near a kink out of the gap
    for p in points:
        near = np.abs(x - p) < gap
        x = np.where(near, p + np.sign(x - p + 1e-12) * gap * 2, x)
    return x


def _probs(rng, shape):
    z = rng.normal(size=shape)
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _reg(rng):
    y = rng.normal(size=(N, 2))
    r = _away_from(rng.normal(scale=2.0, size=(N, 2)), [0.0, -1.0, 1.0, -0.8, 0.8])
    return y, y - r


def case_mse(rng):
    return _reg(rng), {}


def case_mae(rng):
    return _reg(rng), {}


def case_huber(rng):
    return _reg(rng), {"delta": 0.8}


def case_smooth_l1(rng):
    return _reg(rng), {"beta": 0.8}


def case_log_cosh(rng):
    return _reg(rng), {}


def case_quantile(rng):
    return _reg(rng), {"q": 0.9}


def case_poisson_nll(rng):
    y = rng.poisson(3.0, size=(N, 2)).astype(float)
    rate = rng.uniform(0.5, 5.0, size=(N, 2))
    return (y, rate), {}


def case_gaussian_nll(rng):
    y = rng.normal(size=(N, 2))
    mean = rng.normal(size=(N, 2))
    var = rng.uniform(0.2, 2.0, size=(N, 2))
    return (y, mean, var), {}


def case_binary_cross_entropy(rng):
    y = rng.integers(0, 2, size=(N, 2)).astype(float)
    p = rng.uniform(0.05, 0.95, size=(N, 2))
    return (y, p), {"eps": 1e-7}


def case_binary_cross_entropy_with_logits(rng):
    y = rng.integers(0, 2, size=(N, 2)).astype(float)
    z = rng.normal(scale=2.0, size=(N, 2))
    return (y, z), {"pos_weight": np.array([2.0, 0.5])}


def _pm1_scores(rng):
    y = rng.choice([-1.0, 1.0], size=(N,))
    s = _away_from(rng.normal(scale=1.5, size=(N,)), [-1.0, 1.0])
    return y, s


def case_hinge(rng):
    return _pm1_scores(rng), {}


def case_squared_hinge(rng):
    return _pm1_scores(rng), {}


def case_focal(rng):
    y = rng.integers(0, 2, size=(N, 2)).astype(float)
    z = rng.normal(scale=2.0, size=(N, 2))
    return (y, z), {"alpha": 0.25, "gamma": 2.0}


def case_cross_entropy(rng):
    y = rng.integers(0, C, size=(N,))
    z = rng.normal(scale=2.0, size=(N, C))
    return (y, z), {"label_smoothing": 0.1, "weight": rng.uniform(0.5, 2.0, size=(C,))}


def case_nll(rng):
    y = rng.integers(0, C, size=(N,))
    logp = np.log(_probs(rng, (N, C)))
    return (y, logp), {"weight": rng.uniform(0.5, 2.0, size=(C,))}


def case_categorical_hinge(rng):
    idx = rng.integers(0, C, size=(N,))
    y = np.eye(C)[idx]
    s = rng.normal(scale=1.5, size=(N, C))
    return (y, s), {}


def case_multi_margin(rng):
    y = rng.integers(0, C, size=(N,))
    s = rng.normal(scale=1.5, size=(N, C))
    return (y, s), {"margin": 1.0}


def case_softmax_focal(rng):
    y = rng.integers(0, C, size=(N,))
    z = rng.normal(scale=2.0, size=(N, C))
    return (y, z), {"gamma": 2.0}


def case_kl_divergence(rng):
    return (_probs(rng, (N, C)), _probs(rng, (N, C))), {}


def case_margin_ranking(rng):
    y = rng.choice([-1.0, 1.0], size=(N,))
    s1 = rng.normal(size=(N,))
    s2 = s1 + _away_from(rng.normal(size=(N,)), [0.5, -0.5])
    return (y, s1, s2), {"margin": 0.5}


def case_contrastive(rng):
    y = rng.integers(0, 2, size=(N,)).astype(float)
    d = _away_from(rng.uniform(0.1, 2.0, size=(N,)), [1.0])
    return (y, d), {"margin": 1.0}


def case_triplet(rng):
    a = rng.normal(size=(N, D))
    return (a, a + rng.normal(scale=0.5, size=(N, D)), a + rng.normal(scale=1.0, size=(N, D))), {
        "margin": 1.0
    }


def case_cosine_embedding(rng):
    y = rng.choice([-1.0, 1.0], size=(N,))
    return (y, rng.normal(size=(N, D)), rng.normal(size=(N, D))), {"margin": -0.5}


def case_info_nce(rng):
    q = rng.normal(size=(N, D))
    return (q, q + rng.normal(scale=0.5, size=(N, D))), {"temperature": 0.5}


def case_dice(rng):
    y = rng.integers(0, 2, size=(N, 3, 3)).astype(float)
    p = rng.uniform(0.05, 0.95, size=(N, 3, 3))
    return (y, p), {"smooth": 1.0}


def _boxes(rng, n):
    """Valid boxes (x1, y1, x2, y2): corners from a normal, widths and heights in [0.2, 2]."""
    xy = rng.normal(size=(n, 2))
    return np.concatenate([xy, xy + rng.uniform(0.2, 2.0, size=(n, 2))], axis=1)


def case_giou(rng):
    true = _boxes(rng, N)
    pred = true + rng.normal(scale=0.4, size=(N, 4))
    pred[:, 2:] = np.maximum(pred[:, 2:], pred[:, :2] + 0.1)  # keep x2 > x1, y2 > y1
    pred[-1] = true[-1] + [3.0, 3.0, 3.0, 3.0]  # one pair that does not overlap
    return (true, pred), {"eps": 1e-7}


def _sequences(rng, n, t_len=8, s_len=3, n_classes=C, blank=0):
    """A ctc case: labels avoid ``blank`` (padding past each length is -1, which nothing
    reads), every target fits its input length, log_probs are log-softmax outputs."""
    labels = [k for k in range(n_classes) if k != blank]
    target_lengths = rng.integers(0, s_len + 1, size=n)
    target_lengths[0] = s_len
    targets = rng.choice(labels, size=(n, s_len))
    targets[0, 1] = targets[0, 0]  # a repeated label: needs a blank between them
    targets[np.arange(s_len) >= target_lengths[:, None]] = -1
    input_lengths = rng.integers(s_len + 2, t_len + 1, size=n)
    input_lengths[0] = t_len
    z = rng.normal(scale=1.5, size=(n, t_len, n_classes))
    log_probs = z - np.log(np.exp(z).sum(-1, keepdims=True))
    return targets, log_probs, input_lengths, target_lengths


def case_ctc(rng):
    return _sequences(rng, N), {}


def case_dpo(rng):
    ref_c, ref_r = rng.uniform(-40, -10, size=N), rng.uniform(-40, -10, size=N)
    chosen = ref_c + rng.normal(scale=3.0, size=N)
    rejected = ref_r + rng.normal(scale=3.0, size=N)
    return (chosen, rejected, ref_c, ref_r), {"beta": 0.5}


def case_distillation_kl(rng):
    teacher = rng.normal(scale=3.0, size=(N, C))
    return (teacher, teacher + rng.normal(scale=1.5, size=(N, C))), {"temperature": 2.0}


CASES = {
    name[len("case_") :]: fn for name, fn in list(globals().items()) if name.startswith("case_")
}


def generic_case(name: str, rng: np.random.Generator):
    """Inputs for any catalog loss, derived from its declared layout (``LossSpec.inputs``):
    the shapes from ``target`` / ``ndim``, the values from the declared value checks, the
    keyword parameters at their defaults. A new loss is testable without a case here; a
    ``case_<name>`` function is only needed to steer values away from kinks or to exercise
    non-default parameters."""
    from .catalog import catalog

    e = catalog[name]
    inp = e.inputs
    if inp.target == "sequence":
        return _sequences(rng, N), {}
    if inp.last_axis == 4:
        return tuple(_boxes(rng, N) for _ in e.args), {}
    wide = inp.target != "same" or inp.ndim is not None
    pred_shape = (N, C) if wide else (N, 2)
    checks = {c.arg: c.kind for c in inp.checks}
    args = []
    for i, arg in enumerate(e.args):
        if i == 0 and inp.target in ("indices", "indices_or_rows"):
            args.append(rng.integers(0, C, size=(N,)))
            continue
        if i == 0 and inp.target == "onehot":
            args.append(np.eye(C)[rng.integers(0, C, size=(N,))])
            continue
        shape = (N,) if (i == 0 and inp.target == "per_row") else pred_shape
        if inp.ndim is not None and inp.ndim[1:2] == (1,) and inp.ndim[3]:
            shape = (N,)  # exactly one axis, e.g. dpo's sequence log-probabilities
        kind = checks.get(arg)
        if kind == "unit":
            x = rng.uniform(0.05, 0.95, size=shape)
        elif kind == "pm1":
            x = rng.choice([-1.0, 1.0], size=shape)
        elif kind == "binary":
            x = rng.integers(0, 2, size=shape).astype(float)
        elif kind == "nonneg":
            x = rng.uniform(0.2, 2.0, size=shape)
        else:
            x = rng.normal(scale=1.5 if arg in e.differentiable_args else 1.0, size=shape)
        args.append(x)
    return tuple(args), {}


def make_case(name: str, rng: np.random.Generator | int = 0):
    """``(args, kwargs)`` for loss ``name``: the hand-made case if there is one, else the
    case derived from the catalog entry."""
    rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
    if name in CASES:
        return CASES[name](rng)
    return generic_case(name, rng)


def builtin_case(name: str, seed: int | np.random.Generator = 0) -> tuple[tuple, dict]:
    """Typical valid inputs for comparing ``name`` with the frameworks' built-ins (float64,
    lossbook's argument order): they lie inside every built-in's documented conditions of
    agreement (:mod:`lossbook.rosetta`)."""
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
    elif name == "distillation_kl":
        t = rng.normal(scale=2.0, size=(n, c))
        args, kw = (t, t + rng.normal(size=(n, c))), {"temperature": 2.0}
    elif name == "giou":
        true = _boxes(rng, n)
        pred = true + rng.normal(scale=0.4, size=(n, 4))
        pred[:, 2:] = np.maximum(pred[:, 2:], pred[:, :2] + 0.1)
        args = (true, pred)
    elif name == "ctc":
        targets, log_probs, _, target_lengths = _sequences(rng, n)
        # every input length = T: what Keras's CTC assumes
        args = (targets, log_probs, np.full(n, log_probs.shape[1]), target_lengths)
    else:
        raise KeyError(f"no example for {name!r}")
    return args, kw


def benchmark_case(name: str, n: int, rng: np.random.Generator | int = 0, *, n_classes: int = 0):
    """Large float32 inputs for timing ``name`` (``n`` elements; for a class-axis loss ``n``
    rows of ``n_classes`` logits): what ``benchmarks/bench_losses.py`` times. Binary targets
    are 30 % positives, logits have scale 2."""
    from .catalog import catalog

    rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
    e = catalog[name]
    f32 = np.float32
    if e.inputs.target in ("indices", "indices_or_rows"):
        y = rng.integers(0, n_classes, size=(n,))
        return (y, 2 * rng.standard_normal((n, n_classes), dtype=f32)), {}
    if e.family == "binary":
        y = (rng.random(n, dtype=f32) < 0.3).astype(f32)
        return (y, 2 * rng.standard_normal(n, dtype=f32)), {}
    return tuple(rng.standard_normal(n, dtype=f32) for _ in e.args), {}
