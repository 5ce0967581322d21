"""lossbook.data (seeded data sets) and lossbook.train (torch / Keras training loops).

Quick CPU tests; a CUDA test runs only where a GPU is available.
"""

import numpy as np
import pytest
import torch

import lossbook.torch as lt
from lossbook import LossInputError, data, train
from lossbook.train import History, fit_torch, mlp

CUDA = torch.cuda.is_available()


# ---- data --------------------------------------------------------------------------------
BUILDERS = {
    "linear_with_outliers": lambda s: data.linear_with_outliers(100, seed=s),
    "imbalanced_blobs": lambda s: data.imbalanced_blobs(300, seed=s),
    "digits": lambda s: data.digits(seed=s),
    "digit_pairs": lambda s: data.digit_pairs(60, seed=s),
    "digit_triplets": lambda s: data.digit_triplets(60, seed=s),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_builders_are_deterministic_and_seed_dependent(name):
    a, b, c = BUILDERS[name](0), BUILDERS[name](0), BUILDERS[name](1)
    assert len(a) == len(b) == len(c)
    for u, v in zip(a, b, strict=True):
        assert u.dtype == v.dtype
        np.testing.assert_array_equal(u, v)
    assert any(not np.array_equal(u, w) for u, w in zip(a, c, strict=True))
    for arr in a:  # features are float32
        if arr.ndim == 2:
            assert arr.dtype == np.float32


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.25, 1.0])
def test_linear_with_outliers_shapes_and_fraction(fraction):
    x, y, out = data.linear_with_outliers(200, outlier_fraction=fraction, outlier_scale=20.0)
    assert x.shape == (200, 1) and y.shape == (200,) and out.shape == (200,)
    assert x.dtype == np.float32 and y.dtype == np.float32 and out.dtype == bool
    assert int(out.sum()) == round(fraction * 200)
    assert x.min() >= -3 and x.max() <= 3
    r = y - (data.TRUE_SLOPE * x[:, 0] + data.TRUE_INTERCEPT)
    if (~out).sum() > 10:  # clean points: Gaussian noise with std `noise`
        assert abs(r[~out].mean()) < 0.3 and 0.8 < r[~out].std() < 1.2
    if out.any():  # gross, one-sided outliers: at least 0.5 * scale minus noise
        assert r[out].min() > 10.0 - 4.0


def test_linear_with_outliers_noise_free_line():
    x, y, out = data.linear_with_outliers(50, outlier_fraction=0.0, noise=0.0, seed=3)
    np.testing.assert_allclose(y, 2 * x[:, 0] + 3, rtol=1e-6)
    assert data.TRUE_SLOPE == 2 and data.TRUE_INTERCEPT == 3


@pytest.mark.parametrize("ratio", [0.05, 0.2, 0.5])
def test_imbalanced_blobs(ratio):
    X, y = data.imbalanced_blobs(1000, ratio=ratio, separation=4.0, seed=2)
    assert X.shape == (1000, 2) and y.shape == (1000,)
    assert X.dtype == np.float32 and y.dtype == np.float32
    assert set(np.unique(y).tolist()) == {0.0, 1.0}
    assert int(y.sum()) == round(ratio * 1000)
    c1, c0 = X[y == 1].mean(0), X[y == 0].mean(0)
    assert abs(np.linalg.norm(c1 - c0) - 4.0) < 0.6
    assert 0 < y[:100].sum() < 100 or ratio < 0.1  # rows are shuffled


def test_digits_split():
    X_tr, X_te, y_tr, y_te = data.digits(test_size=0.25, seed=0)
    assert X_tr.shape == (1347, 64) and X_te.shape == (450, 64)
    assert X_tr.dtype == np.float32 and y_tr.dtype == np.int64 and y_te.dtype == np.int64
    assert X_tr.min() == 0.0 and X_tr.max() == 1.0
    # stratified: every class keeps its share (within one image) in the test part
    full = np.bincount(np.concatenate([y_tr, y_te]), minlength=10)
    np.testing.assert_allclose(np.bincount(y_te, minlength=10), full * 0.25, atol=1.0)
    X_raw = data.digits(seed=0, scale=False)[0]
    assert X_raw.max() == 16.0
    np.testing.assert_allclose(X_raw / 16, X_tr)


def test_digit_pairs_labels():
    x1, x2, s, l1, l2 = data.digit_pairs(300, positive_fraction=0.3, seed=4, return_labels=True)
    assert x1.shape == x2.shape == (300, 64) and s.shape == (300,) and s.dtype == np.float32
    assert int(s.sum()) == 90
    np.testing.assert_array_equal(s == 1, l1 == l2)
    assert not np.any(np.all(x1 == x2, axis=1) & (s == 1)), "a similar pair repeats one image"


def test_digit_pairs_train_and_test_are_disjoint():
    tr = data.digit_pairs(200, subset="train", seed=0)[0]
    te = data.digit_pairs(200, subset="test", seed=0)[0]
    rows_tr = {r.tobytes() for r in tr}
    X_tr, X_te, _, _ = data.digits(seed=0)
    train_rows = {r.tobytes() for r in X_tr}
    assert rows_tr <= train_rows
    assert sum(r.tobytes() in train_rows for r in te) <= 2  # only pixel-identical duplicates


def test_digit_triplets_labels():
    a, p, n, ya, yp, yn = data.digit_triplets(200, seed=5, return_labels=True)
    assert a.shape == p.shape == n.shape == (200, 64)
    np.testing.assert_array_equal(ya, yp)
    assert np.all(ya != yn)
    assert np.mean(np.all(a == p, axis=1)) < 0.05  # positives are other images


def test_batches():
    x, y = np.arange(10), np.arange(10) * 2
    got = list(data.batches(x, y, batch_size=3, seed=1))
    assert [len(b[0]) for b in got] == [3, 3, 3, 1]
    allx = np.concatenate([b[0] for b in got])
    assert sorted(allx.tolist()) == list(range(10)) and allx.tolist() != list(range(10))
    for bx, by in got:
        np.testing.assert_array_equal(by, bx * 2)
    again = list(data.batches(x, y, batch_size=3, seed=1))
    assert all(np.array_equal(u[0], v[0]) for u, v in zip(got, again, strict=True))
    assert len(list(data.batches(x, batch_size=3, drop_last=True))) == 3
    with pytest.raises(ValueError, match="same length") as info:
        list(data.batches(x, y[:5], batch_size=2))
    assert type(info.value) is ValueError


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: data.linear_with_outliers(outlier_fraction=1.5), "outlier_fraction"),
        (lambda: data.linear_with_outliers(n=0), "n"),
        (lambda: data.imbalanced_blobs(ratio=0.0), "ratio"),
        (lambda: data.digits(test_size=1.0), "test_size"),
        (lambda: data.digit_pairs(subset="val"), "subset"),
        (lambda: data.digit_triplets(seed=-1), "seed"),
    ],
)
def test_data_bad_arguments(call, name):
    """Bad arguments of the data builders are plain ValueErrors naming the argument and a fix."""
    with pytest.raises(ValueError, match=rf"expects {name}.*Pass") as info:
        call()
    assert type(info.value) is ValueError, "not LossInputError: that is for inputs to a loss"


# ---- History / helpers -------------------------------------------------------------------
def test_history_methods():
    h = History({"loss": [3.0, 1.0, 2.0], "acc": [0.1, 0.9, 0.5]})
    assert h.epochs == 3 and h.initial() == 3.0 and h.final() == 2.0
    assert h.best() == 1.0 and h.best("acc", mode="max") == 0.9
    assert h == {"loss": [3.0, 1.0, 2.0], "acc": [0.1, 0.9, 0.5]}
    with pytest.raises(KeyError, match="val_loss"):
        h.final("val_loss")


def test_mlp_shapes_and_seed():
    a, b, c = mlp(3, 8, None, depth=2, seed=0), mlp(3, 8, None, depth=2, seed=0), mlp(3, 8, 4)
    x = torch.randn(5, 3)
    assert a(x).shape == (5,) and c(x).shape == (5, 4)
    assert torch.equal(a(x), b(x))
    state = torch.random.get_rng_state()
    mlp(3, 8, 1, seed=1)
    assert torch.equal(state, torch.random.get_rng_state()), "mlp(seed=...) touched the global RNG"


def test_torch_builtin_adapter():
    y, p = torch.tensor([0.0, 1.0, 3.0]), torch.tensor([0.5, 1.0, 1.0])
    loss = train.torch_builtin(torch.nn.functional.smooth_l1_loss, beta=0.5)
    assert torch.allclose(loss(y, p), lt.smooth_l1(y, p, beta=0.5))


# ---- training: the loss goes down on every data set --------------------------------------
def _drop(h, margin):
    assert h.epochs >= 2
    assert all(np.isfinite(h["loss"]))
    assert h.final() < margin * h.initial(), (h.initial(), h.final())


@pytest.mark.parametrize("loss", [lt.mse, lt.huber])
def test_fit_regression(loss):
    x, y, _ = data.linear_with_outliers(200, seed=0)
    model = mlp(1, 0, None, depth=0, seed=0)
    h = fit_torch(model, loss, x, y, epochs=60, lr=0.1, progress=False)
    _drop(h, 0.5)
    assert h.backend == "torch" and h.device == "cpu" and h.precision == "full precision"


@pytest.mark.parametrize(
    "loss",
    [lt.binary_cross_entropy_with_logits, lambda y, z: lt.focal(y, z, alpha=0.75)],
    ids=["bce_with_logits", "focal"],
)
def test_fit_imbalanced_blobs(loss):
    X, y = data.imbalanced_blobs(600, ratio=0.1, seed=0)
    model = mlp(2, 16, None, seed=0)
    h = fit_torch(model, loss, X, y, epochs=30, batch_size=128, lr=0.03, progress=False)
    _drop(h, 0.6)


def test_fit_digits_with_metrics_and_validation():
    X_tr, X_te, y_tr, y_te = data.digits(seed=0)

    def acc(t, z):
        return float(np.mean(np.argmax(z, -1) == t))

    model = mlp(64, 32, 10, seed=0)
    h = fit_torch(
        model,
        lt.cross_entropy,
        X_tr,
        y_tr,
        epochs=8,
        batch_size=128,
        progress=False,
        metrics={"accuracy": acc},
        validation_data=(X_te, y_te),
    )
    assert set(h) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 8 for v in h.values())
    _drop(h, 0.3)
    assert h.final("val_loss") < h.initial("val_loss")
    assert h.final("val_accuracy") > 0.85 and h.final("accuracy") > h.initial("accuracy")


def test_fit_triplets_without_targets():
    a, p, n = data.digit_triplets(300, seed=0)
    X = np.stack([a, p, n], axis=1)  # (N, 3, 64): the linear layers act on the last axis
    model = mlp(64, 32, 8, seed=0)
    loss = lambda e: lt.triplet(e[:, 0], e[:, 1], e[:, 2])  # noqa: E731
    h = fit_torch(model, loss, X, epochs=15, batch_size=100, lr=3e-3, progress=False)
    _drop(h, 0.5)


# ---- reproducibility ---------------------------------------------------------------------
def _blobs_run(seed):
    X, y = data.imbalanced_blobs(400, ratio=0.2, seed=0)
    model = mlp(2, 16, None, dropout=0.2, seed=0)
    h = fit_torch(
        model,
        lt.binary_cross_entropy_with_logits,
        X,
        y,
        epochs=5,
        batch_size=64,
        seed=seed,
        progress=False,
    )
    return h, model


def test_same_seed_same_history_other_seed_differs():
    h1, m1 = _blobs_run(0)
    h2, m2 = _blobs_run(0)
    h3, _ = _blobs_run(1)
    assert h1 == h2
    for p1, p2 in zip(m1.parameters(), m2.parameters(), strict=True):
        assert torch.equal(p1, p2)
    assert h1 != h3


def test_scale_reads_the_environment(monkeypatch):
    monkeypatch.delenv("LOSSBOOK_SCALE", raising=False)
    assert train.scale() == 1
    monkeypatch.setenv("LOSSBOOK_SCALE", "10")
    assert train.scale() == 10
    for bad in ("0", "ten", "1.5"):
        monkeypatch.setenv("LOSSBOOK_SCALE", bad)
        with pytest.raises(ValueError, match="LOSSBOOK_SCALE.*export"):
            train.scale()


# ---- devices -----------------------------------------------------------------------------
def test_device_cpu_is_honoured():
    x, y, _ = data.linear_with_outliers(50, seed=0)
    model = mlp(1, 4, None, seed=0)
    h = fit_torch(model, lt.mse, x, y, epochs=2, device="cpu", progress=False)
    assert h.device == "cpu"
    assert all(p.device.type == "cpu" for p in model.parameters())
    assert train.choose_device("cpu") == torch.device("cpu")
    assert train.choose_device(None).type in ("cuda", "mps", "cpu")


@pytest.mark.skipif(CUDA, reason="CUDA is available here")
def test_device_cuda_unavailable_raises():
    model = mlp(1, 4, None, seed=0)
    with pytest.raises(ValueError, match=r"device='cuda'.*not available.*device='cpu'"):
        fit_torch(model, lt.mse, np.zeros((4, 1)), np.zeros(4), epochs=1, device="cuda")
    assert all(p.device.type == "cpu" for p in model.parameters())


@pytest.mark.parametrize("bad", ["gpu", "xla", 3.5])
def test_device_unknown_raises(bad):
    with pytest.raises(ValueError, match="expects device"):
        train.choose_device(bad)


@pytest.mark.skipif(not CUDA, reason="needs a CUDA GPU")
@pytest.mark.parametrize("mp", [False, True, "fp16"])
def test_device_cuda_trains_on_gpu(mp):
    X_tr, _, y_tr, _ = data.digits(seed=0)
    model = mlp(64, 32, 10, seed=0)
    h = fit_torch(
        model,
        lt.cross_entropy,
        X_tr,
        y_tr,
        epochs=5,
        batch_size=128,
        device="cuda",
        mixed_precision=mp,
        progress=False,
    )
    assert all(p.device.type == "cuda" for p in model.parameters())
    assert h.device.startswith("cuda")
    assert (h.precision == "full precision") == (mp is False)
    _drop(h, 0.5)
    # evaluation after training on the GPU: predict moves the inputs to the model's device
    assert train.predict(model, X_tr[:7]).shape == (7, 10)


# ---- validation before training ----------------------------------------------------------
class Counting(torch.nn.Module):
    """Wraps a model and counts forward calls."""

    def __init__(self, inner):
        super().__init__()
        self.inner, self.calls = inner, 0

    def forward(self, x):
        self.calls += 1
        return self.inner(x)


_X8 = np.random.default_rng(0).standard_normal((8, 3)).astype(np.float32)
_Y01 = np.array([0, 1] * 4, dtype=np.float32)

BAD = {
    "hinge with 0/1 labels": (lt.hinge, None, _Y01, "2\\*y - 1"),
    "cross_entropy with float labels": (lt.cross_entropy, 4, _Y01, "integer class indices"),
    "bce_with_logits with -1/+1 labels": (
        lt.binary_cross_entropy_with_logits,
        None,
        2 * _Y01 - 1,
        "y_true to be probabilities",
    ),
    "(N, 1) output against (N,) targets": (lt.mse, 1, _Y01, "same shape"),
    "bce on logits": (lt.binary_cross_entropy, None, _Y01, "probabilities in \\[0, 1\\]"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_loss_label_combination_raises_before_training(case):
    loss, out, y, match = BAD[case]
    model = Counting(mlp(3, 4, out, seed=0))
    X = _X8 * 100  # logits far outside [0, 1]
    with torch.no_grad():
        assert float(model.inner(torch.as_tensor(X)).abs().max()) > 1
    before = [p.detach().clone() for p in model.parameters()]
    with pytest.raises(LossInputError, match=match) as info:
        fit_torch(model, loss, X, y, epochs=3, progress=False)
    assert "no epoch has run" in str(info.value)
    assert model.calls == 1, "only the one checking forward pass may run"
    for p, q in zip(before, model.parameters(), strict=True):
        assert torch.equal(p, q)


def test_builtin_bce_with_integer_labels_fails_before_training():
    # lossbook's BCE casts integer 0/1 targets to float (CONTRIBUTING: targets are cast to
    # the compute dtype); torch's built-in refuses them. Either way nothing has trained.
    model = Counting(mlp(3, 4, None, seed=0))
    loss = train.torch_builtin(torch.nn.functional.binary_cross_entropy_with_logits)
    with pytest.raises(RuntimeError):
        fit_torch(model, loss, _X8, _Y01.astype(np.int64), epochs=3, progress=False)
    assert model.calls == 1
    h = fit_torch(
        mlp(3, 4, None, seed=0),
        lt.binary_cross_entropy_with_logits,
        _X8,
        _Y01.astype(np.int64),
        epochs=3,
        progress=False,
    )
    assert h.epochs == 3


def test_bad_validation_labels_raise_before_training():
    model = Counting(mlp(3, 4, 4, seed=0))
    y = np.array([0, 1, 2, 3] * 2)
    with pytest.raises(LossInputError, match="validation batch"):
        fit_torch(
            model, lt.cross_entropy, _X8, y, validation_data=(_X8, y.astype(np.float32)), epochs=2
        )
    assert model.calls == 2


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"y": _Y01[:7]}, r"X and y.*got X 8, y 7"),
        ({"validation_data": _X8}, r"validation_data.*Pass validation_data=\(X_val, y_val\)"),
        ({"validation_data": (_X8, None)}, "y_val"),
        ({"epochs": 0}, r"epochs.*Pass e\.g\. epochs=1"),
        ({"lr": -1.0}, "lr"),
        ({"batch_size": 0}, "batch_size"),
        ({"clip_grad_norm": 0.0}, "clip_grad_norm"),
        ({"optimizer": "lbfgs"}, r"optimizer.*lambda p"),
        ({"mixed_precision": "int8"}, "mixed_precision"),
        ({"device": "tpu"}, "device"),
    ],
)
def test_bad_arguments_are_plain_value_errors(kwargs, match):
    model = Counting(mlp(3, 4, None, seed=0))
    kw = {"y": _Y01, "epochs": 1, **kwargs}
    with pytest.raises(ValueError, match=match) as info:
        fit_torch(model, lt.mse, _X8, **kw)
    assert type(info.value) is ValueError, "LossInputError is for inputs to a loss"
    assert model.calls == 0, "checked before any forward pass"


def test_non_scalar_loss_fails_on_the_first_batch():
    model = Counting(mlp(3, 4, None, seed=0))
    with pytest.raises(ValueError, match="scalar"):
        fit_torch(model, lambda y, z: lt.mse(y, z, reduction="none"), _X8, _Y01, epochs=1)
    assert model.calls == 1  # the checking forward pass only


# ---- progress / mixed precision ----------------------------------------------------------
def test_progress_false_prints_nothing(capsys):
    x, y, _ = data.linear_with_outliers(50, seed=0)
    fit_torch(mlp(1, 0, None, depth=0, seed=0), lt.mse, x, y, epochs=3, progress=False)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_progress_true_writes_a_bar_to_stdout_only(capsys):
    x, y, _ = data.linear_with_outliers(50, seed=0)
    fit_torch(mlp(1, 0, None, depth=0, seed=0), lt.mse, x, y, epochs=3, progress=True)
    out = capsys.readouterr()
    assert "100%" in out.out and "3/3" in out.out and out.err == ""


def test_mixed_precision_on_cpu_is_a_documented_no_op():
    X_tr, _, y_tr, _ = data.digits(seed=0)
    runs = []
    for mp in (False, True, "bf16"):
        model = mlp(64, 16, 10, seed=0)
        h = fit_torch(
            model,
            lt.cross_entropy,
            X_tr[:300],
            y_tr[:300],
            epochs=3,
            batch_size=100,
            device="cpu",
            mixed_precision=mp,
            progress=False,
        )
        assert h.precision == "full precision"
        runs.append(h)
    assert runs[0] == runs[1] == runs[2]
    assert runs[0].final() < runs[0].initial()


# ---- Keras -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ltf():
    return pytest.importorskip("lossbook.tensorflow")


@pytest.mark.slow
def test_keras_reduces_loss_on_digits_and_history_matches(ltf):
    X_tr, X_te, y_tr, y_te = data.digits(seed=0)

    def acc(t, z):
        return float(np.mean(np.argmax(z, -1) == t))

    kw = dict(epochs=4, batch_size=128, metrics={"accuracy": acc}, validation_data=(X_te, y_te))
    hk = train.fit_keras(train.keras_mlp(64, 32, 10, seed=0), ltf.cross_entropy, X_tr, y_tr, **kw)
    ht = fit_torch(mlp(64, 32, 10, seed=0), lt.cross_entropy, X_tr, y_tr, progress=False, **kw)
    assert isinstance(hk, History) and hk.backend == "keras"
    assert set(hk) == set(ht) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert {k: len(v) for k, v in hk.items()} == {k: len(v) for k, v in ht.items()}
    assert all(isinstance(v, float) for vals in hk.values() for v in vals)
    _drop(hk, 0.5)
    assert hk.final("val_accuracy") > 0.8
    hk2 = train.fit_keras(train.keras_mlp(64, 32, 10, seed=0), ltf.cross_entropy, X_tr, y_tr, **kw)
    assert hk2 == hk  # same seed, same history (CPU)


def test_keras_bad_labels_raise_before_training(ltf):
    X_tr, _, y_tr, _ = data.digits(seed=0)
    model = train.keras_mlp(64, 8, 10, seed=0)
    w0 = [w.copy() for w in model.get_weights()]
    with pytest.raises(LossInputError, match="no epoch has run"):
        train.fit_keras(model, ltf.cross_entropy, X_tr, y_tr.astype(np.float32), epochs=2)
    with pytest.raises(LossInputError, match="same shape"):
        train.fit_keras(
            train.keras_mlp(64, 8, 1, seed=0), ltf.mse, X_tr, y_tr.astype(np.float32), epochs=1
        )
    assert all(np.array_equal(a, b) for a, b in zip(w0, model.get_weights(), strict=True))


@pytest.mark.slow
def test_keras_regression_quiet(ltf, capsys):
    x, y, _ = data.linear_with_outliers(100, seed=0)
    h = train.fit_keras(
        train.keras_mlp(1, 0, None, depth=0, seed=0), ltf.huber, x, y, epochs=20, lr=0.1
    )
    _drop(h, 0.5)
    captured = capsys.readouterr()
    assert captured.out == ""


# ---- mixed precision choice (capability mocked: no GPU needed) ---------------------------
@pytest.mark.parametrize(
    "capability, expected",
    [
        ((7, 5), "float16 autocast + GradScaler"),  # T4: bf16 only emulated
        ((7, 0), "float16 autocast + GradScaler"),  # V100
        ((8, 0), "bfloat16 autocast"),  # A100
        ((9, 0), "bfloat16 autocast"),  # H100
    ],
)
def test_mixed_precision_needs_compute_capability_8_for_bf16(monkeypatch, capability, expected):
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: capability)
    # emulated bf16 counts as "supported" for torch; the policy must not ask it
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    policy = train.precision_policy(torch.device("cuda"), True)
    assert policy.name == expected
    assert policy.grad_scaler == (expected != "bfloat16 autocast")
    assert policy.autocast_dtype == (
        torch.bfloat16 if policy.grad_scaler is False else torch.float16
    )
    # a string forces one; False and non-CUDA devices are full precision
    assert train.precision_policy(torch.device("cuda"), "fp16").grad_scaler
    assert train.precision_policy(torch.device("cuda"), "bf16").autocast_dtype == torch.bfloat16
    assert train.precision_policy(torch.device("cuda"), False).autocast_dtype is None
    assert train.precision_policy(torch.device("cpu"), True).autocast_dtype is None


# ---- evaluation runs on the model's device -----------------------------------------------
def test_evaluation_moves_inputs_to_the_models_device():
    # A model on the `meta` device stands in for a GPU: a CPU input would fail with
    # "Tensor on device meta is not on the expected device cpu".
    model = mlp(3, 4, 2, seed=0).to("meta")
    with pytest.raises(RuntimeError, match="device"):
        model(torch.as_tensor(_X8))
    outs = list(train._forward_batches(model, _X8, 3))
    assert [sl.start for sl, _ in outs] == [0, 3, 6]
    assert all(out.device.type == "meta" for _, out in outs)


def test_predict_and_metrics_go_through_the_device_aware_helper(monkeypatch):
    calls = []
    real = train._forward_batches

    def spy(model, X, *args, **kwargs):
        calls.append(model)
        return real(model, X, *args, **kwargs)

    monkeypatch.setattr(train, "_forward_batches", spy)
    model = mlp(3, 4, None, seed=0)
    fit_torch(
        model,
        lt.mse,
        _X8,
        _Y01,
        epochs=2,
        metrics={"m": lambda t, z: 0.0},
        validation_data=(_X8, _Y01),
    )
    # first-batch checks (2) + per epoch: training-set metrics and validation (2 x 2)
    assert len(calls) == 6
    out = train.predict(model, _X8)
    assert len(calls) == 7 and isinstance(out, np.ndarray) and out.shape == (8,)


def test_device_none_trains_where_the_model_is():
    model = mlp(3, 4, None, seed=0).double()
    h = fit_torch(model, lt.mse, _X8, _Y01, epochs=2)
    assert h.device == "cpu" and next(model.parameters()).dtype == torch.float64
    assert train.predict(model, _X8).dtype == np.float64


# ---- gradient clipping -------------------------------------------------------------------
def test_clip_grad_norm_bounds_each_step():
    x, y, _ = data.linear_with_outliers(50, seed=0)
    model = mlp(1, 0, None, depth=0, seed=0).double()
    before = torch.cat([p.detach().flatten().clone() for p in model.parameters()])
    fit_torch(model, lt.mse, x, y, epochs=1, lr=0.5, optimizer="sgd", clip_grad_norm=0.01)
    after = torch.cat([p.detach().flatten() for p in model.parameters()])
    step = float((after - before).norm())
    assert 0 < step <= 0.5 * 0.01 + 1e-12  # one full-batch SGD step of clipped length
    free = mlp(1, 0, None, depth=0, seed=0).double()
    fit_torch(free, lt.mse, x, y, epochs=1, lr=0.5, optimizer="sgd")
    unclipped = torch.cat([p.detach().flatten() for p in free.parameters()])
    assert float((unclipped - before).norm()) > 100 * step
