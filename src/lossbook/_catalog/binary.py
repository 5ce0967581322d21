"""Catalog entries of the binary (and multi-label) classification family."""

from __future__ import annotations

from ..catalog import Check, Example, Inputs, LossSpec, real, weights

_LABELS = "Targets are probabilities of the positive class: 0/1 labels or soft labels in [0, 1]."

ENTRIES = (
    LossSpec(
        name="binary_cross_entropy",
        title="Binary cross-entropy (log loss)",
        chinese="二元交叉熵（对数损失）",
        task="binary classification",
        family="binary",
        args=("y_true", "p"),
        params={"eps": 1e-7},
        none_shape="elementwise",
        formula=(
            r"-\bigl[y \log \tilde{p} + (1 - y) \log(1 - \tilde{p})\bigr], \quad "
            r"\tilde{p} = \mathrm{clip}(p,\ \epsilon,\ 1 - \epsilon)"
        ),
        gradient=(
            r"\frac{\tilde{p} - y}{\tilde{p}\,(1 - \tilde{p})}\,"
            r"\mathbf{1}[\epsilon \le p \le 1 - \epsilon]"
        ),
        estimates="the conditional probability P(y = 1 | x)",
        torch_builtin="torch.nn.functional.binary_cross_entropy",
        keras_builtin="keras.losses.BinaryCrossentropy",
        builtin_notes=(
            "keras BinaryCrossentropy clips an array p to [1e-7, 1 - 1e-7] as lossbook does (and "
            "averages the last axis per sample), but scores the output of a sigmoid layer from "
            "its cached logits under TensorFlow, without the clip; torch BCELoss does not clip p "
            "but clamps each log at -100, so they differ only within eps of 0 and 1. In float32, 1 - 1e-7 "
            "rounds to 1 - 1.19e-7, so the largest loss at p = 1, y = 0 is 15.94, not 16.12 "
            "(Keras and lossbook alike)."
        ),
        when_to_use=(
            "Binary or multi-label targets when the model already outputs probabilities; "
            "prefer the logits version for training."
        ),
        pitfalls=(
            "sigmoid followed by BCE loses precision and saturates for large |logits|: use "
            "binary_cross_entropy_with_logits.",
            "Passing logits instead of probabilities (lossbook raises outside [0, 1]).",
            "The gradient is 0 where p was clipped, so a saturated sigmoid does not learn.",
        ),
        references=("goodfellow2016deep", "bishop2006pattern"),
        differentiable_args=("p",),
        rules={
            "eps": real(
                "clipping margin of p",
                0,
                0.5,
                hi_open=True,
                fix="The usual value is 1e-7 (Keras's).",
            )
        },
        inputs=Inputs(checks=(Check("y_true", "unit", _LABELS), Check("p", "unit"))),
        example=Example(([1.0, 0.0], [0.9, 0.2]), {}, 0.1643, [-0.5556, 0.625]),
    ),
    LossSpec(
        name="binary_cross_entropy_with_logits",
        title="Binary cross-entropy with logits",
        chinese="带 logits 的二元交叉熵",
        task="binary classification",
        family="binary",
        args=("y_true", "logits"),
        params={"pos_weight": None},
        none_shape="elementwise",
        formula=(
            r"w\,y\,\mathrm{softplus}(-z) + (1 - y)\,\mathrm{softplus}(z) = "
            r"-\bigl[w\,y \log \sigma(z) + (1 - y) \log(1 - \sigma(z))\bigr]"
        ),
        gradient=r"(1 - y)\,\sigma(z) - w\,y\,\sigma(-z)",
        estimates=("the conditional log-odds of y = 1 (shifted by log w with pos_weight w)"),
        torch_builtin="torch.nn.functional.binary_cross_entropy_with_logits",
        keras_builtin="keras.losses.BinaryCrossentropy",
        builtin_notes=(
            "Equal to torch BCEWithLogitsLoss(pos_weight) (argument order (input, target)). "
            "keras BinaryCrossentropy(from_logits=True) is the same loss without pos_weight "
            "and averages the last axis per sample."
        ),
        when_to_use=(
            "The default for binary and multi-label classification: the model outputs raw "
            "scores, one per label; pos_weight counters class imbalance."
        ),
        pitfalls=(
            "Applying a sigmoid before this loss (a double sigmoid trains, badly).",
            "pos_weight changes the optimum: predicted probabilities are no longer calibrated.",
            "pos_weight broadcasts along the last axis only: shape (C,) for C labels.",
        ),
        references=("goodfellow2016deep",),
        differentiable_args=("logits",),
        rules={
            "pos_weight": weights(
                "weight of the positive term, one per label (last axis) or one for all",
                scalar=True,
            )
        },
        inputs=Inputs(checks=(Check("y_true", "unit", _LABELS),), propagates=True),
        example=Example(([1.0, 0.0], [2.0, -1.0]), {"pos_weight": 3.0}, 0.347, [-0.1788, 0.1345]),
    ),
    LossSpec(
        name="hinge",
        title="Hinge loss",
        chinese="合页损失",
        task="binary classification",
        family="binary",
        args=("y_true", "scores"),
        params={},
        none_shape="elementwise",
        formula=r"\max(0,\ 1 - y\,s), \quad y \in \{-1, +1\}",
        gradient=r"-y\,\mathbf{1}[y\,s < 1]",
        estimates="the sign of P(y = 1 | x) - 1/2: a classifier, not a probability",
        torch_builtin=None,
        keras_builtin="keras.losses.Hinge",
        builtin_notes=(
            "keras Hinge silently converts 0/1 labels to -1/+1 (lossbook raises) and averages "
            "the last axis per sample. PyTorch has no binary hinge loss: HingeEmbeddingLoss is "
            "a different loss (on distances), MultiMarginLoss the multiclass one."
        ),
        when_to_use=(
            "Max-margin (SVM-style) classifiers and linear models when probabilities are not "
            "needed."
        ),
        pitfalls=(
            "Labels must be -1/+1: convert 0/1 labels with 2*y - 1.",
            "Zero gradient for every sample beyond the margin: no calibrated scores.",
        ),
        references=("cortes1995support",),
        differentiable_args=("scores",),
        rules={},
        inputs=Inputs(checks=(Check("y_true", "pm1"),)),
        example=Example(([1.0, -1.0, 1.0], [2.0, 0.5, -1.0]), {}, 1.1667, [0.0, 0.3333, -0.3333]),
    ),
    LossSpec(
        name="squared_hinge",
        title="Squared hinge loss",
        chinese="平方合页损失",
        task="binary classification",
        family="binary",
        args=("y_true", "scores"),
        params={},
        none_shape="elementwise",
        formula=r"\max(0,\ 1 - y\,s)^2, \quad y \in \{-1, +1\}",
        gradient=r"-2\,y\,\max(0,\ 1 - y\,s)",
        estimates="2 P(y = 1 | x) - 1 on [-1, 1]: a margin classifier",
        torch_builtin=None,
        keras_builtin="keras.losses.SquaredHinge",
        builtin_notes=(
            "keras SquaredHinge silently converts 0/1 labels (lossbook raises) and averages "
            "the last axis per sample. PyTorch has no built-in."
        ),
        when_to_use=(
            "A differentiable max-margin loss (the L2-SVM): smoother optimisation than hinge."
        ),
        pitfalls=(
            "Labels must be -1/+1: convert 0/1 labels with 2*y - 1.",
            "Quadratic growth makes it sensitive to mislabelled samples.",
        ),
        references=("cortes1995support",),
        differentiable_args=("scores",),
        rules={},
        inputs=Inputs(checks=(Check("y_true", "pm1"),)),
        example=Example(([1.0, -1.0, 1.0], [2.0, 0.5, -1.0]), {}, 2.0833, [0.0, 1.0, -1.3333]),
    ),
    LossSpec(
        name="focal",
        title="Focal loss",
        chinese="焦点损失 (Focal Loss)",
        task="binary classification",
        family="binary",
        args=("y_true", "logits"),
        params={"alpha": 0.25, "gamma": 2.0},
        none_shape="elementwise",
        formula=(
            r"-\alpha_t\,(1 - p_t)^{\gamma}\,\bigl[y \log p + (1 - y) \log(1 - p)\bigr], \quad "
            r"p = \sigma(z),\ p_t = p\,y + (1 - p)(1 - y),\ "
            r"\alpha_t = \alpha\,y + (1 - \alpha)(1 - y)"
        ),
        gradient=(
            r"\alpha_t \Bigl[(1 - p_t)^{\gamma}\,(p - y) + \gamma\,(1 - 2y)\,p\,(1 - p)\,"
            r"(1 - p_t)^{\gamma - 1}\,\mathrm{CE}\Bigr], \quad "
            r"\mathrm{CE} = -\bigl[y \log p + (1 - y) \log(1 - p)\bigr]"
        ),
        estimates=(
            "a score that ranks P(y = 1 | x) but is deliberately miscalibrated, to focus "
            "training on hard examples"
        ),
        torch_builtin="torchvision.ops.sigmoid_focal_loss",
        keras_builtin="keras.losses.BinaryFocalCrossentropy",
        builtin_notes=(
            "Equal to torchvision.ops.sigmoid_focal_loss(logits, y_true, alpha, gamma) "
            "(torchvision, not core torch; alpha=-1 there is alpha=None here) and to keras "
            "BinaryFocalCrossentropy(apply_class_balancing=True, alpha, gamma, "
            "from_logits=True); Keras 3 on TensorFlow computes the cross-entropy from the "
            "logits and agrees even at |z| = 1000, applies no alpha by default "
            "(apply_class_balancing=False), and averages the last axis."
        ),
        when_to_use=(
            "Extreme class imbalance with many easy negatives: dense object detection "
            "(RetinaNet), rare-event and multi-label classification."
        ),
        pitfalls=(
            "alpha = 0.25 down-weights positives; it was tuned together with gamma = 2 in "
            "RetinaNet, not as inverse class frequency.",
            "Outputs are not calibrated probabilities.",
            "RetinaNet normalises the sum by the number of positives, not the mean over anchors.",
            "gamma < 1 with a naive (1 - p_t)**gamma has an infinite derivative: compute it in "
            "log space.",
        ),
        references=("lin2017focal",),
        differentiable_args=("logits",),
        rules={
            "alpha": real(
                "weight of the positive class (negatives get 1 - alpha); None: no weighting",
                0,
                1,
                optional=True,
            ),
            "gamma": real("focusing parameter (0: cross-entropy)", 0),
        },
        inputs=Inputs(checks=(Check("y_true", "unit", _LABELS),), propagates=True),
        example=Example(([1.0, 0.0], [2.0, -1.0]), {}, 0.0087, [-0.0006, 0.0197]),
    ),
)
