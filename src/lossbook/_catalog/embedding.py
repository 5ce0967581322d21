"""Catalog entries of the ``embedding`` family (ranking and metric learning)."""

from __future__ import annotations

from ..catalog import Check, Example, Inputs, LossSpec, real

ENTRIES = (
    LossSpec(
        name="margin_ranking",
        title="Margin ranking loss",
        chinese="间隔排序损失",
        task="ranking",
        family="embedding",
        args=("y", "s1", "s2"),
        params={"margin": 0.0},
        none_shape="per_pair",
        formula=r"\ell = \max\bigl(0,\ -y\,(s_1 - s_2) + m\bigr),\quad y \in \{-1, +1\}",
        gradient=(
            r"\frac{\partial \ell}{\partial s_1} = -y\,[\ell > 0],"
            r"\qquad \frac{\partial \ell}{\partial s_2} = y\,[\ell > 0]"
        ),
        estimates="A scoring function whose order agrees with the labelled pairwise preferences.",
        torch_builtin="torch.nn.MarginRankingLoss",
        keras_builtin=None,
        builtin_notes=(
            "torch.nn.MarginRankingLoss(margin) takes (input1, input2, target): the label last; "
            "values agree. No Keras built-in."
        ),
        when_to_use=(
            "Learning to rank from pairwise preferences (search, recommendation), or any "
            "comparison 'a should score higher than b'."
        ),
        pitfalls=(
            "Labels are -1/+1, not 0/1: convert with 2*y - 1.",
            "With margin = 0 any correctly ordered pair has zero loss and zero gradient, however "
            "small the gap.",
        ),
        references=("herbrich1999support",),
        differentiable_args=("s1", "s2"),
        rules={"margin": real("the margin s1 must beat s2 by (for y = 1)")},
        inputs=Inputs(checks=(Check("y", "pm1"),)),
        example=Example(
            ([1.0, -1.0], [0.6, 0.2], [0.4, 0.9]), {"margin": 0.5}, 0.15, ([-0.5, 0.0], [0.5, 0.0])
        ),
    ),
    LossSpec(
        name="contrastive",
        title="Contrastive loss",
        chinese="对比损失",
        task="metric learning",
        family="embedding",
        args=("y_similar", "distance"),
        params={"margin": 1.0},
        none_shape="per_pair",
        formula=r"\ell = y\, d^2 + (1 - y)\max(0,\ m - d)^2,\quad y \in \{0, 1\}",
        gradient=r"\frac{\partial \ell}{\partial d} = 2 y\, d - 2 (1 - y)\max(0,\ m - d)",
        estimates=(
            "An embedding in which similar pairs are close and dissimilar pairs at least m apart."
        ),
        torch_builtin=None,
        keras_builtin=None,
        builtin_notes=(
            "No PyTorch or Keras core built-in. The paper uses y = 0 for similar pairs and factors "
            "1/2; lossbook uses y = 1 for similar pairs, no 1/2. pytorch-metric-learning's "
            "ContrastiveLoss uses non-squared hinges with two margins."
        ),
        when_to_use=(
            "Siamese networks trained on labelled pairs (same / different), e.g. signature or "
            "face verification, dimensionality reduction."
        ),
        pitfalls=(
            "Takes a distance, not a similarity; the gradient of the Euclidean distance at 0 is "
            "undefined, so compute it with an eps or use squared distances.",
            "Label convention: 1 = similar here; some code uses 1 = dissimilar.",
            "Most random pairs are easy negatives: mine hard pairs or the loss vanishes.",
        ),
        references=("hadsell2006dimensionality",),
        differentiable_args=("distance",),
        rules={"margin": real("distance beyond which dissimilar pairs cost nothing", 0)},
        inputs=Inputs(
            checks=(
                Check(
                    "y_similar",
                    "binary",
                    "Use 1 for similar pairs and 0 for dissimilar ones "
                    "(convert -1/+1 labels with (y + 1) / 2).",
                ),
                Check(
                    "distance",
                    "nonneg",
                    "Pass a distance such as the Euclidean norm of the difference, not a similarity.",
                ),
            )
        ),
        example=Example(([1.0, 0.0], [0.5, 0.3]), {}, 0.37, [0.5, -0.7]),
    ),
    LossSpec(
        name="triplet",
        title="Triplet margin loss",
        chinese="三元组损失",
        task="metric learning",
        family="embedding",
        args=("anchor", "positive", "negative"),
        params={"margin": 1.0},
        none_shape="per_pair",
        formula=(
            r"\ell = \max\bigl(0,\ \lVert a - p \rVert_2 - \lVert a - n \rVert_2 + m\bigr),"
            r"\quad \lVert u \rVert_2 = \sqrt{\max(\textstyle\sum_k u_k^2,\ 10^{-12})}"
        ),
        gradient=(
            r"\frac{\partial \ell}{\partial a} = [\ell > 0]\Bigl(\frac{a - p}{\lVert a - p\rVert_2}"
            r" - \frac{a - n}{\lVert a - n\rVert_2}\Bigr),\quad"
            r" \frac{\partial \ell}{\partial p} = -[\ell > 0]\,\frac{a - p}{\lVert a - p\rVert_2},"
            r"\quad \frac{\partial \ell}{\partial n} = [\ell > 0]\,\frac{a - n}{\lVert a - n\rVert_2}"
        ),
        estimates=(
            "An embedding in which each anchor is closer to its positive than to its negative by "
            "at least m."
        ),
        torch_builtin="torch.nn.TripletMarginLoss",
        keras_builtin=None,
        builtin_notes=(
            "torch.nn.TripletMarginLoss(margin, p=2) computes ||a - p + eps|| with eps = 1e-6 added "
            "to the difference (values agree to ~1e-6) and requires margin > 0; it also offers "
            "swap=True. FaceNet uses squared distances. No Keras core built-in (TensorFlow Addons "
            "had TripletSemiHardLoss with in-batch mining)."
        ),
        when_to_use=(
            "Metric learning with relative supervision (face recognition, retrieval, "
            "re-identification), usually with hard or semi-hard negative mining."
        ),
        pitfalls=(
            "Easy triplets give zero loss: without mining most of a random batch contributes "
            "nothing.",
            "Too-hard negatives early in training can collapse the embedding to a point.",
            "Unnormalised embeddings: the margin is in absolute distance units.",
        ),
        references=("schroff2015facenet",),
        differentiable_args=("anchor", "positive", "negative"),
        rules={"margin": real("how much closer the positive must be than the negative", 0)},
        inputs=Inputs(
            ndim=("anchor", 1, "(..., D) with the embedding on the last axis", False),
            reduces="last",
        ),
        example=Example(
            ([[0.0, 0.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 0.0]], [[0.0, 2.0], [1.0, 1.5]]),
            {},
            0.75,
            ([[0.0, 0.0], [0.0, 1.0]], [[0.0, 0.0], [0.0, -0.5]], [[0.0, 0.0], [0.0, -0.5]]),
        ),
    ),
    LossSpec(
        name="cosine_embedding",
        title="Cosine embedding loss",
        chinese="余弦嵌入损失",
        task="metric learning",
        family="embedding",
        args=("y", "x1", "x2"),
        params={"margin": 0.0},
        none_shape="per_pair",
        formula=(
            r"\ell = \begin{cases} 1 - \cos(x_1, x_2) & y = 1 \\"
            r" \max\bigl(0,\ \cos(x_1, x_2) - m\bigr) & y = -1 \end{cases},"
            r"\quad \cos(x_1, x_2) = \frac{x_1^\top x_2}{\sqrt{(\lVert x_1\rVert^2 + 10^{-12})"
            r"(\lVert x_2\rVert^2 + 10^{-12})}}"
        ),
        gradient=(
            r"\frac{\partial \ell}{\partial x_1} = g\Bigl(\frac{x_2}{\sqrt{AB}}"
            r" - \cos(x_1, x_2)\,\frac{x_1}{A}\Bigr),\quad"
            r" \frac{\partial \ell}{\partial x_2} = g\Bigl(\frac{x_1}{\sqrt{AB}}"
            r" - \cos(x_1, x_2)\,\frac{x_2}{B}\Bigr),\quad"
            r" g = \begin{cases} -1 & y = 1 \\ [\cos(x_1, x_2) > m] & y = -1 \end{cases},"
            r"\ A = \lVert x_1\rVert^2 + 10^{-12},\ B = \lVert x_2\rVert^2 + 10^{-12}"
        ),
        estimates=(
            "An embedding whose directions agree for similar pairs and whose cosine is below m "
            "for dissimilar pairs."
        ),
        torch_builtin="torch.nn.CosineEmbeddingLoss",
        keras_builtin=None,
        builtin_notes=(
            "torch.nn.CosineEmbeddingLoss(margin) takes (input1, input2, target) and uses the same "
            "1e-12 on the squared norms; values agree. keras.losses.CosineSimilarity is a "
            "different loss (-cos, no labels or margin)."
        ),
        when_to_use=(
            "Pairs labelled similar / dissimilar when only the direction of the embeddings matters "
            "(text and sentence embeddings, cross-modal matching)."
        ),
        pitfalls=(
            "Labels are -1/+1, not 0/1.",
            "margin should lie in [-1, 1]; 0 to 0.5 is typical.",
            "The loss ignores the norms: add a norm penalty if they drift.",
        ),
        references=(),
        differentiable_args=("x1", "x2"),
        rules={"margin": real("cosine below which dissimilar pairs cost nothing")},
        inputs=Inputs(
            target="per_row",
            ndim=("x1", 1, "(..., D) with the embedding on the last axis", False),
            checks=(Check("y", "pm1"),),
            reduces="last",
        ),
        example=Example(
            ([1.0, -1.0], [[1.0, 0.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 0.0]]),
            {},
            0.5,
            ([[0.0, -0.3536], [0.1768, -0.1768]], [[-0.1768, 0.1768], [0.0, 0.3536]]),
        ),
    ),
    LossSpec(
        name="info_nce",
        title="InfoNCE (NT-Xent) loss",
        chinese="InfoNCE 损失",
        task="metric learning",
        family="embedding",
        args=("queries", "keys"),
        params={"temperature": 0.1},
        none_shape="per_pair",
        formula=(
            r"\ell_i = -\log \frac{\exp(\hat q_i^\top \hat k_i / \tau)}"
            r"{\sum_{j=1}^{N} \exp(\hat q_i^\top \hat k_j / \tau)},"
            r"\quad \hat x = \frac{x}{\max(\lVert x \rVert_2,\ 10^{-12})}"
        ),
        gradient=(
            r"\frac{\partial \ell_i}{\partial \hat q_i} = \frac{1}{\tau}\Bigl(\sum_{j} P_{ij}\,"
            r"\hat k_j - \hat k_i\Bigr),\quad \frac{\partial \ell_i}{\partial \hat k_j} ="
            r" \frac{1}{\tau}\bigl(P_{ij} - [i = j]\bigr)\,\hat q_i,\quad"
            r" \frac{\partial \ell}{\partial x} = \frac{I - \hat x \hat x^\top}{\lVert x \rVert_2}"
            r"\,\frac{\partial \ell}{\partial \hat x},\quad P_{ij} = \operatorname{softmax}_j"
            r"(\hat q_i^\top \hat k_j / \tau)"
        ),
        estimates=(
            "Representations whose positive pairs are identifiable among in-batch negatives; "
            "minimising it maximises a lower bound on the mutual information of the two views."
        ),
        torch_builtin=None,
        keras_builtin=None,
        builtin_notes=(
            "No PyTorch or Keras built-in; equals torch.nn.functional.cross_entropy(q_hat @ "
            "k_hat.T / tau, arange(N)) with F.normalize'd rows. One direction only: SimCLR's "
            "NT-Xent uses all 2N - 2 other views as negatives; CLIP averages both directions."
        ),
        when_to_use=(
            "Self-supervised and contrastive representation learning (SimCLR, MoCo, CLIP, CPC) "
            "with paired views and in-batch negatives."
        ),
        pitfalls=(
            "The temperature matters a lot: too high blurs, too low gives noisy, sparse gradients.",
            "Each query has N - 1 in-batch negatives: small batches weaken the bound "
            "(the mutual-information estimate is at most log N).",
            "Duplicates of a positive elsewhere in the batch count as negatives (false negatives).",
        ),
        references=("oord2018representation", "chen2020simple"),
        differentiable_args=("queries", "keys"),
        rules={"temperature": real("softmax temperature", 0, lo_open=True)},
        inputs=Inputs(ndim=("queries", 2, "(N, D): one embedding per row", True), reduces="last"),
        example=Example(
            ([[1.0, 0.0], [0.0, 1.0]], [[0.9, 0.1], [0.2, 0.8]]),
            {"temperature": 0.5},
            0.1829,
            ([[0.0, 0.1565], [0.1142, 0.0]], [[-0.0209, 0.1878], [0.2511, -0.0628]]),
        ),
    ),
    LossSpec(
        name="bpr",
        title="Bayesian personalised ranking (BPR) loss",
        chinese="贝叶斯个性化排序损失",
        task="ranking",
        family="embedding",
        args=("pos_scores", "neg_scores"),
        params={},
        none_shape="elementwise",
        formula=r"\operatorname{softplus}(s^- - s^+) = -\log \sigma(s^+ - s^-)",
        gradient=(
            r"\frac{\partial \ell}{\partial s^+} = -\sigma(s^- - s^+), \quad "
            r"\frac{\partial \ell}{\partial s^-} = \sigma(s^- - s^+)"
        ),
        estimates=(
            "a scoring function that ranks each user's observed items above unobserved ones "
            "(the MAP estimate of a logistic model of pairwise preferences)"
        ),
        torch_builtin=None,
        keras_builtin=None,
        builtin_notes=(
            "Neither PyTorch nor Keras has a built-in: it is F.softplus(neg - pos) in torch "
            "and tf.nn.softplus(neg - pos) in TensorFlow, i.e. "
            "binary_cross_entropy_with_logits(ones, pos - neg). Recommender libraries "
            "(e.g. LightFM, RecBole) often add an L2 penalty on the embeddings; lossbook does "
            "not."
        ),
        when_to_use=(
            "Implicit-feedback recommendation: one observed (positive) and one sampled "
            "unobserved (negative) item per user, scores from any model."
        ),
        pitfalls=(
            "Only the score difference matters: the scores are not probabilities.",
            "Sampling negatives uniformly makes most pairs easy; the gradient then vanishes "
            "(sample harder negatives).",
        ),
        references=("rendle2009bpr",),
        differentiable_args=("pos_scores", "neg_scores"),
        rules={},
        inputs=Inputs(propagates=True),
        example=Example(
            ([2.0, 0.5], [1.0, 1.5]), {}, 0.8133, ([-0.1345, -0.3655], [0.1345, 0.3655])
        ),
    ),
)
