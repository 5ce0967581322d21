"""Catalog entries of the ``preference`` family (learning from preference pairs)."""

from __future__ import annotations

from ..catalog import Example, Inputs, LossSpec, real

ENTRIES = (
    LossSpec(
        name="dpo",
        title="Direct preference optimisation (DPO) loss",
        chinese="直接偏好优化损失（DPO 损失）",
        task="preference optimisation",
        family="preference",
        args=("chosen_logps", "rejected_logps", "ref_chosen_logps", "ref_rejected_logps"),
        params={"beta": 0.1},
        none_shape="per_pair",
        formula=(
            r"\ell = -\log \sigma\bigl(\beta\,[(c - c_{\mathrm{ref}})"
            r" - (r - r_{\mathrm{ref}})]\bigr)"
        ),
        gradient=(
            r"\frac{\partial \ell}{\partial c} = -\beta\,\sigma(-u), \quad "
            r"\frac{\partial \ell}{\partial r} = \beta\,\sigma(-u), \quad "
            r"u = \beta\,[(c - c_{\mathrm{ref}}) - (r - r_{\mathrm{ref}})]"
        ),
        estimates=(
            "a policy whose log-ratio to the reference model, scaled by beta, is the reward "
            "of a Bradley-Terry model of the preferences (the optimum of KL-regularised "
            "reward maximisation, without a separate reward model)"
        ),
        torch_builtin=None,
        keras_builtin=None,
        builtin_notes=(
            "Neither PyTorch nor Keras has a built-in: it is -F.logsigmoid(beta * ((c - c_ref) "
            "- (r - r_ref))) in torch. Hugging Face TRL's DPOTrainer (loss_type='sigmoid') "
            "computes the same value from the summed token log-probabilities; its optional "
            "label_smoothing (conservative DPO) is not in lossbook. The reference "
            "log-probabilities are constants: lossbook's torch and TensorFlow versions pass "
            "them no gradient even if they require one."
        ),
        when_to_use=(
            "Fine-tuning a language model on pairs (chosen, rejected) of answers to the same "
            "prompt, with a frozen reference model (usually the supervised fine-tuned one)."
        ),
        pitfalls=(
            "The arguments are sequence log-probabilities (the sum over the answer's tokens, "
            "prompt excluded), not per-token means and not logits.",
            "beta sets how far the policy may drift from the reference: a small beta lets "
            "the log-ratios grow large before the loss saturates.",
            "The loss falls when both log-probabilities fall as long as the rejected one falls "
            "faster: the chosen answers can become less likely too.",
        ),
        references=("rafailov2023direct",),
        differentiable_args=("chosen_logps", "rejected_logps"),
        rules={
            "beta": real(
                "the inverse temperature of the implicit reward (the strength of the "
                "KL regularisation)",
                0.0,
                lo_open=True,
            ),
        },
        inputs=Inputs(ndim=("chosen_logps", 1, "(N,)", True)),
        example=Example(
            ([-5.0, -8.0], [-7.0, -6.0], [-6.0, -7.0], [-6.0, -7.0]),
            {"beta": 0.5},
            0.8133,
            ([-0.0672, -0.1828], [0.0672, 0.1828]),
        ),
        arg_docs={
            "chosen_logps": "log-probabilities of the chosen answers under the policy, shape (N,).",
            "rejected_logps": "those of the rejected answers, shape (N,).",
            "ref_chosen_logps": "those of the chosen answers under the reference model, "
            "shape (N,); a constant.",
            "ref_rejected_logps": "those of the rejected answers under the reference model, "
            "shape (N,); a constant.",
        },
    ),
)
