"""Catalog entries of the ``segmentation`` family."""

from __future__ import annotations

from ..catalog import Check, Example, Inputs, LossSpec, real

ENTRIES = (
    LossSpec(
        name="dice",
        title="Dice loss (soft Dice)",
        chinese="Dice 损失",
        task="segmentation",
        family="segmentation",
        args=("y_true", "p"),
        params={"smooth": 1.0},
        none_shape="per_sample",
        formula=(
            r"\ell = 1 - \frac{2\sum_k y_k p_k + s}{\sum_k y_k + \sum_k p_k + s}"
            r"\quad (k \text{ over all non-batch axes})"
        ),
        gradient=(
            r"\frac{\partial \ell}{\partial p_k} = \frac{2\sum_j y_j p_j + s}"
            r"{\bigl(\sum_j y_j + \sum_j p_j + s\bigr)^2}"
            r" - \frac{2 y_k}{\sum_j y_j + \sum_j p_j + s}"
        ),
        estimates=(
            "A mask that maximises the overlap (a soft F1 / Dice coefficient) with the target, "
            "insensitive to the size of the background."
        ),
        torch_builtin=None,
        keras_builtin="keras.losses.Dice",
        builtin_notes=(
            "keras.losses.Dice computes 1 - 2 sum(y p) / (sum y + sum p + 1e-7) with nothing "
            "added to the numerator and, by default, one value over the whole batch (pass "
            "axis=(1, ...) for one per sample). PyTorch core has none; MONAI's DiceLoss reduces "
            "per sample and per channel with smooth_nr = smooth_dr = 1e-5. Milletari et al. use "
            "squares in the denominator."
        ),
        when_to_use=(
            "Segmentation with a small foreground (medical images), often summed with "
            "cross-entropy for stable early training."
        ),
        pitfalls=(
            "Sums pool all channels and pixels of a sample: for per-class (macro) Dice, apply it "
            "per channel and average.",
            "smooth = 0 with an empty target and prediction is 0/0; a large smooth biases towards "
            "predicting empty masks for small objects.",
            "Pass probabilities (after sigmoid/softmax), not logits.",
            "The gradient is noisy when the foreground is tiny; combine with cross-entropy.",
        ),
        references=("milletari2016vnet", "sudre2017generalised"),
        differentiable_args=("p",),
        rules={"smooth": real("additive smoothing of numerator and denominator", 0)},
        inputs=Inputs(
            ndim=("p", 1, "(N, ...) with the batch axis first", False),
            checks=(
                Check("y_true", "unit", "Pass a 0/1 (or soft) mask, not class indices."),
                Check(
                    "p",
                    "unit",
                    "Apply a sigmoid (binary masks) or a softmax over the class axis to the "
                    "logits first.",
                ),
            ),
            reduces="all_but_first",
        ),
        example=Example(
            ([[[1.0, 0.0], [1.0, 1.0]]], [[[0.9, 0.1], [0.8, 0.6]]]),
            {},
            0.125,
            [[[-0.1758, 0.1367], [-0.1758, -0.1758]]],
        ),
    ),
)
