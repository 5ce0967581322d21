"""Catalog entries of the ``multiclass`` family (class axis last)."""

from __future__ import annotations

from ..catalog import Check, Example, Inputs, LossSpec, real, weights

ENTRIES = (
    LossSpec(
        name="cross_entropy",
        title="Cross-entropy (softmax cross-entropy)",
        chinese="交叉熵损失（Softmax 交叉熵）",
        task="multiclass classification",
        family="multiclass",
        args=("y_true", "logits"),
        params={"label_smoothing": 0.0, "weight": None},
        none_shape="per_sample",
        formula=(
            r"\ell = -\sum_{c=1}^{C} w_c\, t_c \log \operatorname{softmax}(z)_c,"
            r"\quad \operatorname{softmax}(z)_c = \frac{e^{z_c}}{\sum_{j=1}^{C} e^{z_j}},"
            r"\quad t = (1-\varepsilon)\,\mathbf{e}_y + \frac{\varepsilon}{C}"
        ),
        gradient=(
            r"\frac{\partial \ell}{\partial z_k} = \operatorname{softmax}(z)_k \sum_{c=1}^{C} w_c t_c"
            r" - w_k t_k \quad \bigl(= \operatorname{softmax}(z)_k - t_k"
            r" \text{ without weights}\bigr)"
        ),
        estimates=(
            "The class probabilities p(y | x): at the minimiser of the expected loss "
            "softmax(z) = p(· | x), so the logits are the log-probabilities up to a constant "
            "(maximum likelihood for a categorical model)."
        ),
        torch_builtin="torch.nn.CrossEntropyLoss",
        keras_builtin="keras.losses.CategoricalCrossentropy",
        builtin_notes=(
            "torch.nn.CrossEntropyLoss(weight, label_smoothing) takes (input, target) with the "
            "class axis on dim 1; with it moved there the values agree, including weight with "
            "label_smoothing (mean = sum / sum(w[y_i])) and probability targets; lossbook has no "
            "ignore_index. Keras: CategoricalCrossentropy(from_logits=True) for probability/one-hot "
            "rows, SparseCategoricalCrossentropy(from_logits=True) for indices; with "
            "from_logits=False Keras renormalises predicted rows and clips them to [1e-7, 1 - 1e-7]; "
            "PyTorch's weighted mean is SparseCategoricalCrossentropy(from_logits=True, "
            "reduction='mean_with_sample_weight') with sample_weight=w[y] (the default reduction "
            "divides by N); CategoricalFocalCrossentropy(alpha=w, gamma=0) takes per-class "
            "weights."
        ),
        when_to_use=(
            "The default loss for single-label classification with C >= 2 classes, from logits. "
            "Add label_smoothing (about 0.1) against over-confidence, weight for class imbalance."
        ),
        pitfalls=(
            "Passing probabilities (a softmax output) as logits applies the softmax twice: "
            "the loss still trains, badly.",
            "Class axis: lossbook puts it last, PyTorch on dim 1 (N, C, H, W).",
            "A floating y_true with the index shape is an error: cast indices to an integer dtype.",
            "With weight and integer targets, mean divides by sum(w[y_i]), not N, so the loss scale "
            "changes with the batch composition.",
            "Probability rows are not renormalised: rows that do not sum to 1 change the gradient.",
        ),
        references=("goodfellow2016deep", "bishop2006pattern", "szegedy2016rethinking"),
        differentiable_args=("logits",),
        rules={
            "label_smoothing": real("mass moved from the target to the uniform distribution", 0, 1),
            "weight": weights("class weights"),
        },
        inputs=Inputs(target="indices_or_rows", reduces="last"),
        weighted_mean="weight",
        example=Example(
            ([0, 1], [[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]]),
            {"label_smoothing": 0.1},
            0.4773,
            [[-0.0448, 0.0404, 0.0043], [0.0893, -0.1786, 0.0893]],
        ),
    ),
    LossSpec(
        name="nll",
        title="Negative log-likelihood",
        chinese="负对数似然损失",
        task="multiclass classification",
        family="multiclass",
        args=("y_true", "log_probs"),
        params={"weight": None},
        none_shape="per_sample",
        formula=r"\ell = -w_y \log p_y",
        gradient=r"\frac{\partial \ell}{\partial (\log p)_k} = -w_y\,[k = y]",
        estimates="The class probabilities, given a model that outputs log-probabilities.",
        torch_builtin="torch.nn.NLLLoss",
        keras_builtin=None,
        builtin_notes=(
            "torch.nn.NLLLoss takes (input, target) with the class axis on dim 1; same weighted "
            "mean sum(w[y_i] l_i) / sum(w[y_i]). Keras has no loss on log-probabilities "
            "(SparseCategoricalCrossentropy takes probabilities or logits)."
        ),
        when_to_use=(
            "When the model already ends in a log-softmax (or another log-likelihood), e.g. "
            "sequence models with an explicit output distribution; otherwise use cross_entropy."
        ),
        pitfalls=(
            "Feeding raw logits: no error is raised, but the loss is unbounded below and "
            "meaningless.",
            "Feeding probabilities instead of log-probabilities.",
            "With weight, mean divides by sum(w[y_i]), not N.",
        ),
        references=("bishop2006pattern", "goodfellow2016deep"),
        differentiable_args=("log_probs",),
        rules={"weight": weights("class weights")},
        inputs=Inputs(target="indices", reduces="last"),
        weighted_mean="weight",
        example=Example(
            ([0, 1], [[-0.5, -1.0], [-0.25, -2.0]]),
            {"weight": [1.0, 3.0]},
            1.625,
            [[-0.25, 0.0], [0.0, -0.75]],
        ),
    ),
    LossSpec(
        name="categorical_hinge",
        title="Categorical hinge (Crammer–Singer)",
        chinese="类别合页损失（Crammer–Singer）",
        task="multiclass classification",
        family="multiclass",
        args=("y_true", "scores"),
        params={},
        none_shape="per_sample",
        formula=r"\ell = \max\Bigl(0,\ 1 + \max_{j \ne y} s_j - s_y\Bigr)",
        gradient=(
            r"\frac{\partial \ell}{\partial s_k} = [\ell > 0]\,\bigl([k = j^*] - [k = y]\bigr),"
            r"\quad j^* = \arg\max_{j \ne y} s_j"
        ),
        estimates=(
            "A max-margin decision rule (the argmax class), not probabilities: the true class "
            "should beat the best wrong class by a margin of 1."
        ),
        torch_builtin=None,
        keras_builtin="keras.losses.CategoricalHinge",
        builtin_notes=(
            "Keras CategoricalHinge computes max(0, neg - pos + 1) with neg = max((1 - y) * s); "
            "the target's own entry contributes 0 to that max, so it equals max(0, 1 + "
            "max(0, max_{j != y} s_j) - s_y) and differs when every wrong-class score is negative. "
            "PyTorch's MultiMarginLoss is the Weston–Watkins sum (see multi_margin), not this."
        ),
        when_to_use=(
            "Multiclass SVM-style training where only the ranking of the true class against the "
            "hardest wrong class matters; samples already beyond the margin contribute no loss or gradient."
        ),
        pitfalls=(
            "y_true must be one-hot (exactly one 1 per row); use np.eye(C)[y] on indices.",
            "Zero gradient once the margin is met: the scores carry no calibrated probability.",
            "Only the largest wrong-class score gets gradient (ties: the first one).",
        ),
        references=("crammer2001algorithmic",),
        differentiable_args=("scores",),
        rules={},
        inputs=Inputs(target="onehot", reduces="last"),
        example=Example(
            ([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], [[0.5, 0.8, -2.0], [0.0, 2.0, 0.5]]),
            {},
            0.65,
            [[-0.5, 0.5, 0.0], [0.0, 0.0, 0.0]],
        ),
    ),
    LossSpec(
        name="multi_margin",
        title="Multiclass margin loss (Weston–Watkins)",
        chinese="多类间隔损失",
        task="multiclass classification",
        family="multiclass",
        args=("y_true", "scores"),
        params={"margin": 1.0},
        none_shape="per_sample",
        formula=r"\ell = \frac{1}{C}\sum_{j \ne y} \max\bigl(0,\ m - s_y + s_j\bigr)",
        gradient=(
            r"\frac{\partial \ell}{\partial s_j} = \frac{[m - s_y + s_j > 0]}{C}\ (j \ne y),"
            r"\qquad \frac{\partial \ell}{\partial s_y} = -\frac{1}{C}\sum_{j \ne y}"
            r" [m - s_y + s_j > 0]"
        ),
        estimates=(
            "A max-margin decision rule: the true class should beat every wrong class by m."
        ),
        torch_builtin="torch.nn.MultiMarginLoss",
        keras_builtin=None,
        builtin_notes=(
            "Equals torch.nn.MultiMarginLoss(p=1, margin=m) (divides by C, sums over j != y); "
            "torch takes (input, target), 1-D or 2-D input with classes on the last dim, and also "
            "offers p=2 and a class weight, which lossbook does not. No Keras built-in."
        ),
        when_to_use=(
            "Multiclass SVM-style training that penalises every wrong class inside the margin, "
            "not just the worst one (compare categorical_hinge)."
        ),
        pitfalls=(
            "The 1/C factor makes the loss scale depend on the number of classes.",
            "Scores, not probabilities: the margin is in score units.",
        ),
        references=("weston1999support",),
        differentiable_args=("scores",),
        rules={"margin": real("the margin")},
        inputs=Inputs(target="indices", reduces="last"),
        example=Example(
            ([0, 2], [[0.5, 0.8, -2.0], [0.0, 2.0, 0.5]]),
            {},
            0.7167,
            [[-0.1667, 0.1667, 0.0], [0.1667, 0.1667, -0.3333]],
        ),
    ),
    LossSpec(
        name="softmax_focal",
        title="Softmax focal loss",
        chinese="Softmax 焦点损失",
        task="multiclass classification",
        family="multiclass",
        args=("y_true", "logits"),
        params={"gamma": 2.0},
        none_shape="per_sample",
        formula=(
            r"\ell = -(1 - p_y)^{\gamma} \log p_y,"
            r"\quad p = \operatorname{softmax}(z)"
        ),
        gradient=(
            r"\frac{\partial \ell}{\partial z_k} = -(1 - p_y)^{\gamma}\Bigl([k = y] - p_k"
            r" + \gamma \log p_y\,\frac{\partial \log(1 - p_y)}{\partial z_k}\Bigr),"
            r"\quad \frac{\partial \log(1 - p_y)}{\partial z_k} = \begin{cases} -p_y & k = y \\"
            r" \dfrac{p_k\, p_y}{1 - p_y} & k \ne y \end{cases}"
        ),
        estimates=(
            "A classifier that concentrates on hard, misclassified examples; probabilities are "
            "not calibrated for gamma > 0."
        ),
        torch_builtin=None,
        keras_builtin="keras.losses.CategoricalFocalCrossentropy",
        builtin_notes=(
            "Keras CategoricalFocalCrossentropy(alpha=1.0, gamma, from_logits=True) with one-hot "
            "targets matches up to its clipping of the probabilities to [1e-7, 1 - 1e-7]; its "
            "default alpha=0.25 scales the loss by 0.25. PyTorch has no softmax focal loss "
            "(torchvision.ops.sigmoid_focal_loss is the binary/multi-label form)."
        ),
        when_to_use=(
            "Heavily imbalanced multiclass problems dominated by easy examples (dense detection, "
            "long-tailed classification); gamma = 2 is the usual choice, gamma = 0 is cross-entropy."
        ),
        pitfalls=(
            "Computing (1 - p)^gamma directly underflows/overflows for large logits and has an "
            "infinite slope at p = 1 when gamma < 1: use log-space, as here.",
            "No alpha: multiply by per-class weights yourself if you need class balancing.",
            "Predicted probabilities are under-confident for gamma > 0.",
        ),
        references=("lin2017focal",),
        differentiable_args=("logits",),
        rules={"gamma": real("focusing parameter (0: cross-entropy)", 0)},
        inputs=Inputs(target="indices", reduces="last"),
        example=Example(
            ([0, 1], [[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]]),
            {},
            0.0516,
            [[-0.0054, 0.0039, 0.0015], [0.0476, -0.0952, 0.0476]],
        ),
    ),
    LossSpec(
        name="kl_divergence",
        title="Kullback–Leibler divergence",
        chinese="KL 散度（相对熵）",
        task="distribution matching",
        family="multiclass",
        args=("p_true", "q_pred"),
        params={},
        none_shape="per_sample",
        formula=(
            r"\ell = \sum_{c=1}^{C} p_c \log \frac{p_c}{\max(q_c,\ 10^{-7})},"
            r"\quad 0 \log 0 = 0"
        ),
        gradient=(
            r"\frac{\partial \ell}{\partial q_c} = \begin{cases} -\dfrac{p_c}{q_c} & q_c \ge 10^{-7}"
            r" \\ 0 & q_c < 10^{-7} \end{cases}"
        ),
        estimates=(
            "q = p: the predicted distribution that matches the target one (forward KL is "
            "mass-covering); equals cross-entropy minus the entropy of p."
        ),
        torch_builtin="torch.nn.KLDivLoss",
        keras_builtin="keras.losses.KLDivergence",
        builtin_notes=(
            "torch.nn.KLDivLoss(reduction='batchmean') on (q.log(), p) matches lossbook's mean for "
            "2-D input: it takes log-probabilities as input (argument order (input, target)) and "
            "its 'mean' divides by N*C; no clip on q. Keras KLDivergence clips both p and q to "
            "[1e-7, 1], so entries of p below 1e-7 contribute 1e-7 log(1e-7 / q) instead of 0."
        ),
        when_to_use=(
            "Distillation (student q towards teacher p), matching soft labels, variational "
            "objectives with categorical distributions."
        ),
        pitfalls=(
            "The argument order matters: KL(p || q) != KL(q || p).",
            "Pass probabilities, not logits or log-probabilities (torch's kl_div wants log q).",
            "Rows are not renormalised; a row that does not sum to 1 gives a meaningless value.",
            "Where p > 0 and q -> 0 the loss is large (capped by the 1e-7 clip).",
        ),
        references=("kullback1951information", "bishop2006pattern"),
        differentiable_args=("q_pred",),
        rules={},
        inputs=Inputs(
            ndim=("q_pred", 1, "(..., C) with the distribution on the last axis", False),
            checks=(
                Check(
                    "p_true",
                    "unit",
                    "Pass probabilities (e.g. a softmax output), not logits or log-probabilities.",
                ),
                Check(
                    "q_pred",
                    "unit",
                    "Pass probabilities (e.g. a softmax output), not log-probabilities; "
                    "torch's kl_div takes log-probabilities, lossbook does not.",
                ),
            ),
            reduces="last",
        ),
        example=Example(
            ([[0.5, 0.5], [1.0, 0.0]], [[0.9, 0.1], [0.8, 0.2]]),
            {},
            0.367,
            [[-0.2778, -2.5], [-0.625, 0.0]],
        ),
    ),
    LossSpec(
        name="distillation_kl",
        title="Knowledge-distillation loss (temperature-scaled KL divergence)",
        chinese="知识蒸馏损失（温度缩放的 KL 散度）",
        task="distribution matching",
        family="multiclass",
        args=("teacher_logits", "student_logits"),
        params={"temperature": 1.0},
        none_shape="per_sample",
        formula=(
            r"\ell = T^2 \sum_{c=1}^{C} p_c \left(\log p_c - \log q_c\right),"
            r"\quad p = \operatorname{softmax}(z^{t} / T),"
            r"\quad q = \operatorname{softmax}(z^{s} / T)"
        ),
        gradient=r"\frac{\partial \ell}{\partial z^{s}_k} = T\,(q_k - p_k)",
        estimates=(
            "student logits whose softened distribution matches the teacher's: q = p, i.e. "
            "z^s = z^t up to a constant per row (the teacher's dark knowledge about the "
            "wrong classes included)"
        ),
        torch_builtin="torch.nn.KLDivLoss",
        keras_builtin="keras.losses.KLDivergence",
        builtin_notes=(
            "In torch: F.kl_div(F.log_softmax(student / T, -1), F.softmax(teacher / T, -1), "
            "reduction='batchmean') * T**2 is lossbook's 'mean' for 2-D logits (kl_div's own "
            "'mean' divides by N*C). Keras KLDivergence takes probabilities and clips them to "
            "[1e-7, 1]; apply the softmax at temperature T and multiply by T**2 yourself. "
            "lossbook works from logits with log_softmax, without a clip."
        ),
        when_to_use=(
            "Training a small student to mimic a large teacher's softened outputs (usually "
            "added to the cross-entropy on the true labels, with T between 1 and 20)."
        ),
        pitfalls=(
            "Forgetting the T² factor: the gradient then shrinks like 1/T² and the mix with "
            "the hard-label loss changes with the temperature.",
            "The argument order matters: teacher first (the target distribution p), student "
            "second.",
            "Both arguments are logits, not probabilities; divide both by the same T.",
        ),
        references=("hinton2015distilling",),
        differentiable_args=("student_logits",),
        rules={
            "temperature": real(
                "the softmax temperature T applied to both sets of logits", 0.0, lo_open=True
            ),
        },
        inputs=Inputs(
            ndim=("student_logits", 1, "(..., C) with the classes on the last axis", False),
            reduces="last",
            propagates=True,
        ),
        example=Example(
            ([[2.0, 1.0, 0.0], [0.0, 0.5, 1.0]], [[1.0, 1.0, 0.0], [0.5, 0.0, 1.0]]),
            {"temperature": 2.0},
            0.0981,
            [[-0.1228, 0.0765, 0.0464], [0.0722, -0.0722, 0.0]],
        ),
    ),
)
