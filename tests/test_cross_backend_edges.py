"""Edge cases where backends drifted apart once: kinks (the subgradient rule of
CONTRIBUTING.md) and confident, correct predictions (tiny losses must not round to 0)."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
import torch

import lossbook.numpy as lnp
import lossbook.tensorflow as ltf
import lossbook.torch as lt

# (loss, args, kwargs, indices of the differentiable args): every point sits exactly on a kink
KINKS = [
    ("quantile", ([1.0, 1.0], [1.0, 2.0]), {"q": 0.3}, (1,)),
    ("mae", ([1.0, 0.0], [1.0, 2.0]), {}, (1,)),
    ("hinge", ([1.0, -1.0], [1.0, -1.0]), {}, (1,)),
    ("squared_hinge", ([1.0, -1.0], [1.0, 0.0]), {}, (1,)),
    ("margin_ranking", ([1.0, -1.0], [0.6, 0.0], [-0.4, 0.5]), {"margin": 1.0}, (1, 2)),
    ("contrastive", ([0.0, 1.0], [1.0, 0.5]), {"margin": 1.0}, (1,)),
    ("multi_margin", ([0, 1], [[1.0, 0.0, 0.5], [0.0, 0.0, -2.0]]), {"margin": 1.0}, (1,)),
    ("triplet", ([[0.0, 0.0]], [[1.0, 0.0]], [[2.0, 0.0]]), {"margin": 1.0}, (0, 1, 2)),
]


def _torch_grads(name, args, kwargs, wrt):
    ts = [torch.tensor(np.asarray(a), requires_grad=i in wrt) for i, a in enumerate(args)]
    getattr(lt, name)(*ts, **kwargs, reduction="sum").backward()
    return [ts[i].grad.numpy() for i in wrt]


def _tf_grads(name, args, kwargs, wrt):
    ts = [tf.constant(np.asarray(a)) for a in args]
    with tf.GradientTape() as tape:
        for i in wrt:
            tape.watch(ts[i])
        loss = getattr(ltf, name)(*ts, **kwargs, reduction="sum")
    return [g.numpy() for g in tape.gradient(loss, [ts[i] for i in wrt])]


@pytest.mark.parametrize("name, args, kwargs, wrt", KINKS, ids=[k[0] for k in KINKS])
def test_every_backend_takes_the_same_subgradient_at_a_kink(name, args, kwargs, wrt):
    ref = getattr(lnp, f"{name}_grad")(*args, **kwargs, reduction="sum")
    ref = list(ref) if isinstance(ref, tuple) else [ref]
    for got in (_torch_grads(name, args, kwargs, wrt), _tf_grads(name, args, kwargs, wrt)):
        for g, r in zip(got, ref, strict=True):
            np.testing.assert_allclose(g, r, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("z", [10.0, 15.0, 30.0, 80.0])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0])
def test_focal_keeps_tiny_losses_of_confident_correct_predictions(dtype, z, gamma):
    y = np.array([1.0, 0.0], dtype=dtype)
    logits = np.array([z, -z], dtype=dtype)
    exact = np.log1p(np.exp(-np.float64(z))) * np.exp(-gamma * np.logaddexp(0.0, np.float64(z)))
    ref = lnp.focal(y, logits, alpha=None, gamma=gamma, reduction="none")
    t = lt.focal(torch.tensor(y), torch.tensor(logits), alpha=None, gamma=gamma, reduction="none")
    f = ltf.focal(tf.constant(y), tf.constant(logits), alpha=None, gamma=gamma, reduction="none")
    for got in (ref, t.numpy(), f.numpy()):
        assert np.all(np.isfinite(got)) and np.all(got >= 0)
        if exact < 1e3 * np.finfo(dtype).tiny:  # underflows (to a subnormal or 0) in this dtype
            assert np.all(got < 1e3 * np.finfo(dtype).tiny)
        else:
            np.testing.assert_allclose(
                got, [exact, exact], rtol=1e-5 if dtype == np.float32 else 1e-10
            )
