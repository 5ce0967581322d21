"""Catalog entries of the ``sequence`` family (alignment-free sequence losses)."""

from __future__ import annotations

from ..catalog import Example, Inputs, LossSpec, flag, index

ENTRIES = (
    LossSpec(
        name="ctc",
        title="Connectionist temporal classification (CTC) loss",
        chinese="连接时序分类损失（CTC 损失）",
        task="sequence recognition",
        family="sequence",
        args=("targets", "log_probs", "input_lengths", "target_lengths"),
        params={"blank": 0, "zero_infinity": False},
        none_shape="per_sequence",
        formula=(
            r"\ell = -\log \sum_{\pi \in \mathcal{B}^{-1}(y)} \prod_{t=1}^{T'}"
            r" e^{\log p_t(\pi_t)},"
            r"\quad \mathcal{B}: \text{merge repeats, then drop blanks},"
            r"\quad T' \text{ the input length}"
        ),
        gradient=(
            r"\frac{\partial \ell}{\partial \log p_t(k)} = -\frac{1}{p(y \mid x)}"
            r" \sum_{s:\, y'_s = k} \alpha_t(s)\, \beta_t(s) / p_t(k)"
            r" = -\gamma_t(k) \quad (t \le T'; \text{ else } 0)"
        ),
        estimates=(
            "p(label sequence | input) for unsegmented sequences (speech, handwriting): the "
            "sum over every frame-level alignment, so no frame labels are needed"
        ),
        torch_builtin="torch.nn.CTCLoss",
        keras_builtin="keras.losses.CTC",
        builtin_notes=(
            "torch.nn.functional.ctc_loss takes log_probs time-major (T, N, C): it equals "
            "lossbook's ctc on log_probs.transpose(0, 1), with the same 'mean' (each loss "
            "divided by its target length, then the batch mean) and zero_infinity. Its "
            "backward assumes log_softmax outputs: it returns the derivative with respect to "
            "the logits, i.e. lossbook's free-input gradient plus exp(log_probs) on valid "
            "frames. tf.nn.ctc_loss (and keras.losses.CTC) take logits, batch-major with "
            "logits_time_major=False, apply a log_softmax themselves, have no float64 kernel "
            "and return a large finite number (about 700) for an impossible alignment where "
            "lossbook returns inf. Where no alignment exists lossbook's gradient is 0 in "
            "every backend (torch's built-in gives NaN without zero_infinity)."
        ),
        when_to_use=(
            "Speech and handwriting recognition, or any sequence output shorter than its "
            "input where the frame-level alignment is unknown and monotonic."
        ),
        pitfalls=(
            "log_probs must be log-softmax outputs: raw logits give a meaningless value "
            "(the loss does not normalise them).",
            "A target needs at least target_length + (number of repeated neighbours) frames; "
            "shorter inputs have no alignment and the loss is inf (zero_infinity=True "
            "drops those samples instead).",
            "The labels must not use the blank index: reserve one class for it.",
            "PyTorch wants log_probs as (T, N, C); lossbook keeps the batch first.",
        ),
        references=("graves2006connectionist",),
        differentiable_args=("log_probs",),
        rules={
            "blank": index("the index of the blank class, between 0 and C - 1"),
            "zero_infinity": flag(
                "give 0 (and a zero gradient) instead of inf to samples with no alignment"
            ),
        },
        inputs=Inputs(target="sequence", reduces="all_but_first"),
        example=Example(
            (
                [[1, 2]],
                [
                    [
                        [-1.2089, -0.9089, -1.2089],
                        [-1.6103, -0.5103, -1.6103],
                        [-0.6997, -1.5997, -1.1997],
                        [-1.0189, -1.6189, -0.8189],
                    ]
                ],
                [4],
                [2],
            ),
            {},
            0.5892,
            [
                [
                    [-0.1687, -0.3313, 0.0],
                    [-0.0689, -0.376, -0.0551],
                    [-0.2019, -0.0695, -0.2285],
                    [-0.1263, 0.0, -0.3737],
                ]
            ],
        ),
        mean_doc=("the batch mean of loss_i / max(target_length_i, 1) (PyTorch's convention)"),
        arg_docs={
            "targets": "integer labels of shape (N, S), padded past each target length "
            "(the padding is ignored and not checked); no label equals ``blank``.",
            "log_probs": "log-softmax outputs of shape (N, T, C): batch first, classes last "
            "(PyTorch's built-in wants (T, N, C)).",
            "input_lengths": "integers of shape (N,), each between 1 and T.",
            "target_lengths": "integers of shape (N,), each between 0 and S.",
        },
    ),
)
