"""General English–Chinese terms of the book, with a one-line definition each.

``GENERAL_TERMS`` is a tuple of ``(english, chinese, definition)`` triples in the order the
glossary page shows them (roughly: concepts, probability, classification, optimisation,
training practice, metrics). The names of the individual losses (均方误差, 合页损失, ...)
are not here: they come from :data:`lossbook.catalog` (``LossSpec.chinese``).

The Chinese terms are the standard ones used in textbooks and in the Chinese documentation
of the major frameworks. A few mistranslations found in the source articles are deliberately
avoided, e.g. BatchNorm is 批量归一化 (not 批量正则化, which would mean regularisation),
gradient clipping is 梯度裁剪, and log loss (对数损失) is binary cross-entropy, not hinge loss.
"""

from __future__ import annotations

GENERAL_TERMS: tuple[tuple[str, str, str], ...] = (
    # --- what a loss is -------------------------------------------------------------
    (
        "loss function",
        "损失函数",
        "A fixed function ℓ(y, ŷ) that scores how bad one prediction ŷ is for one target y.",
    ),
    (
        "cost function",
        "代价函数",
        "The loss aggregated over a data set, usually the mean of the per-sample losses.",
    ),
    (
        "objective function",
        "目标函数",
        "The quantity the optimiser actually minimises: empirical risk plus any regularisation terms.",
    ),
    (
        "risk (expected loss)",
        "风险（期望损失）",
        "The expected loss E[ℓ(y, f(x))] over the true data distribution; it cannot be computed exactly.",
    ),
    (
        "empirical risk",
        "经验风险",
        "The average loss (1/N) Σ ℓ(yᵢ, f(xᵢ)) over the training set, an estimate of the risk.",
    ),
    (
        "empirical risk minimisation",
        "经验风险最小化",
        "Choosing the parameters that minimise the empirical risk (possibly plus a regulariser).",
    ),
    (
        "regulariser",
        "正则项",
        "A penalty on the parameters (e.g. λ‖w‖²) added to the objective to discourage overfitting.",
    ),
    (
        "evaluation metric",
        "评估指标",
        "A number reported to judge a model (accuracy, F1, BLEU); it need not be differentiable or be the training loss.",
    ),
    (
        "surrogate loss",
        "替代损失",
        "A differentiable (often convex) loss optimised in place of a metric that cannot be optimised directly.",
    ),
    (
        "0-1 loss",
        "0-1 损失",
        "1 for a wrong class decision and 0 for a right one; its gradient is zero almost everywhere.",
    ),
    ("residual", "残差", "The difference y − ŷ between a target and a prediction."),
    (
        "reduction",
        "归约",
        "How per-element losses are combined into one number: mean, sum, or none (keep them all).",
    ),
    # --- probability and information ------------------------------------------------
    (
        "maximum likelihood estimation",
        "最大似然估计",
        "Choosing parameters that make the observed data most probable under the model.",
    ),
    (
        "negative log-likelihood",
        "负对数似然",
        "−log p(y | x; θ); minimising it is maximum likelihood, and many losses are NLLs of some distribution.",
    ),
    (
        "entropy",
        "熵",
        "H(p) = −Σ p log p, the average uncertainty (in nats or bits) of a distribution.",
    ),
    (
        "cross-entropy",
        "交叉熵",
        "H(p, q) = −Σ p log q; equals H(p) + KL(p‖q), so minimising it over q minimises the KL divergence.",
    ),
    (
        "Kullback–Leibler divergence",
        "KL 散度（相对熵）",
        "KL(p‖q) = Σ p log(p/q) ≥ 0, zero only when p = q; not symmetric, so not a distance.",
    ),
    (
        "log loss",
        "对数损失",
        "Another name for binary cross-entropy (the NLL of a Bernoulli model); it is not hinge loss.",
    ),
    (
        "probability distribution",
        "概率分布",
        "An assignment of probabilities to outcomes (a discrete pmf or a continuous density).",
    ),
    # --- classification ---------------------------------------------------------------
    (
        "logit",
        "对数几率（logit）",
        "A raw, unnormalised score of a model; σ(z) or softmax(z) turns logits into probabilities.",
    ),
    (
        "softmax",
        "softmax（归一化指数函数）",
        "softmax(z)_c = exp(z_c) / Σ_k exp(z_k), mapping a score vector to a probability vector.",
    ),
    (
        "sigmoid (logistic function)",
        "sigmoid 函数（逻辑函数）",
        "σ(z) = 1 / (1 + e^(−z)), mapping a real score to a probability in (0, 1).",
    ),
    (
        "log-sum-exp",
        "对数求和指数（log-sum-exp）",
        "log Σ exp(z_k) computed as m + log Σ exp(z_k − m) with m = max z, to avoid overflow.",
    ),
    (
        "one-hot encoding",
        "独热编码",
        "Representing class c among C classes as a length-C vector with a 1 at position c and 0 elsewhere.",
    ),
    (
        "label smoothing",
        "标签平滑",
        "Replacing a one-hot target by (1 − ε)·onehot + ε/C to discourage over-confident predictions.",
    ),
    (
        "class imbalance",
        "类别不平衡",
        "Some classes are much rarer than others; plain cross-entropy then favours the frequent classes.",
    ),
    (
        "class weight",
        "类别权重",
        "A per-class factor multiplying the loss, used to counter class imbalance.",
    ),
    (
        "margin",
        "间隔",
        "How far a score is on the correct side of a decision threshold, e.g. y·f(x) for labels ±1.",
    ),
    (
        "decision boundary",
        "决策边界",
        "The set of inputs where the classifier's predicted class changes.",
    ),
    (
        "embedding",
        "嵌入（向量表示）",
        "A learned vector representation of an input, compared by distance or cosine similarity.",
    ),
    # --- optimisation -----------------------------------------------------------------
    (
        "gradient",
        "梯度",
        "The vector of partial derivatives of a scalar function; it points in the direction of steepest ascent.",
    ),
    (
        "subgradient",
        "次梯度",
        "A generalised gradient at a kink of a convex function (e.g. any value in [−1, 1] for |x| at 0).",
    ),
    (
        "backpropagation",
        "反向传播",
        "Computing gradients of the loss with respect to all parameters by the chain rule, layer by layer.",
    ),
    (
        "gradient descent",
        "梯度下降",
        "Updating parameters by θ ← θ − η ∇J(θ), a step against the gradient of the objective.",
    ),
    (
        "stochastic gradient descent",
        "随机梯度下降",
        "Gradient descent with the gradient of one sample (classically) or a mini-batch (in practice).",
    ),
    (
        "mini-batch",
        "小批量",
        "A small random subset of the training set used to estimate the gradient in one step.",
    ),
    (
        "learning rate",
        "学习率",
        "The step size η of a gradient-based update; too large diverges or oscillates, too small is slow.",
    ),
    (
        "learning-rate schedule",
        "学习率调度",
        "A rule that changes the learning rate during training, e.g. warm-up then cosine decay.",
    ),
    (
        "optimiser",
        "优化器",
        "The algorithm that turns gradients into parameter updates (SGD, momentum, Adam, ...).",
    ),
    (
        "momentum",
        "动量",
        "An exponential moving average of past gradients used as the update direction to damp oscillation.",
    ),
    (
        "Adam",
        "Adam 优化器",
        "An optimiser with per-parameter steps from running moments of the gradient; it still needs a base learning rate.",
    ),
    (
        "convex function",
        "凸函数",
        "A function whose chords lie above its graph; every local minimum is a global minimum.",
    ),
    (
        "local minimum",
        "局部极小值",
        "A point with no lower value in its neighbourhood, but possibly a higher value than elsewhere.",
    ),
    (
        "saddle point",
        "鞍点",
        "A stationary point that is a minimum along some directions and a maximum along others.",
    ),
    ("epoch", "轮次（epoch）", "One full pass of the optimiser over the training set."),
    ("iteration (step)", "迭代（步）", "One parameter update, computed from one mini-batch."),
    (
        "vanishing gradient",
        "梯度消失",
        "Gradients shrinking towards zero as they flow back through many layers or time steps.",
    ),
    (
        "exploding gradient",
        "梯度爆炸",
        "Gradients growing without bound as they flow back through many layers or time steps.",
    ),
    (
        "gradient clipping",
        "梯度裁剪",
        "Rescaling (or capping) gradients whose norm exceeds a threshold, a remedy for exploding gradients.",
    ),
    (
        "weight initialisation",
        "权重初始化",
        "How parameters are set before training (e.g. Glorot or He scaling), which affects gradient flow.",
    ),
    (
        "activation function",
        "激活函数",
        "The elementwise non-linearity of a layer (ReLU, tanh, sigmoid, ...).",
    ),
    (
        "batch normalisation",
        "批量归一化",
        "Normalising each layer's activations with mini-batch statistics, then a learned scale and shift.",
    ),
    (
        "numerical stability",
        "数值稳定性",
        "Computing a formula so that rounding, overflow and underflow do not ruin the result (e.g. log-sum-exp).",
    ),
    # --- generalisation and training practice -------------------------------------------
    (
        "overfitting",
        "过拟合",
        "Fitting the training data so closely that the error on unseen data grows.",
    ),
    (
        "underfitting",
        "欠拟合",
        "A model too simple or too little trained to capture the structure of the data.",
    ),
    (
        "generalisation",
        "泛化",
        "How well a model trained on one sample performs on new data from the same distribution.",
    ),
    (
        "weight decay",
        "权重衰减",
        "Shrinking weights by a small factor each step; for plain SGD it equals an L2 penalty.",
    ),
    (
        "L1 / L2 regularisation",
        "L1 / L2 正则化",
        "Adding λ‖w‖₁ (encourages sparsity) or λ‖w‖² (encourages small weights) to the objective.",
    ),
    ("early stopping", "提前停止", "Ending training when the validation metric stops improving."),
    (
        "dropout",
        "随机失活（Dropout）",
        "Randomly zeroing activations during training so that units cannot co-adapt.",
    ),
    (
        "training / validation / test set",
        "训练集 / 验证集 / 测试集",
        "Data used to fit parameters / to tune choices and stop early / to report the final estimate once.",
    ),
    (
        "hyperparameter",
        "超参数",
        "A setting chosen outside gradient training: learning rate, λ, margin, temperature, ...",
    ),
    (
        "temperature",
        "温度（参数）",
        "A divisor τ of logits before softmax; small τ sharpens and large τ flattens the distribution.",
    ),
    ("calibration", "校准", "Agreement between predicted probabilities and observed frequencies."),
    (
        "outlier",
        "离群点（异常值）",
        "An observation far from the bulk of the data; squared losses are very sensitive to it.",
    ),
    # --- metrics ----------------------------------------------------------------------
    (
        "accuracy",
        "准确率",
        "The fraction of correct class decisions: a metric, piecewise constant in the parameters.",
    ),
    (
        "precision / recall",
        "精确率 / 召回率",
        "Of the predicted positives, the fraction truly positive / of the true positives, the fraction found.",
    ),
    (
        "F1 score",
        "F1 分数",
        "The harmonic mean of precision and recall: a metric, not a training loss.",
    ),
    (
        "root mean squared error (RMSE)",
        "均方根误差",
        "√MSE, a metric in the target's units; it is not MAE (平均绝对误差).",
    ),
    (
        "BLEU",
        "BLEU（双语评估替补）",
        "An n-gram overlap metric for machine translation, not differentiable and not a training loss.",
    ),
)

__all__ = ["GENERAL_TERMS"]
