"""Catalog entries of the regression family."""

from __future__ import annotations

from ..catalog import Check, Example, Inputs, LossSpec, flag, real

_R = r"r = y - \hat{y}"

ENTRIES = (
    LossSpec(
        name="mse",
        title="Mean squared error",
        chinese="均方误差",
        task="regression",
        family="regression",
        args=("y_true", "y_pred"),
        params={},
        none_shape="elementwise",
        formula=r"(y - \hat{y})^2",
        gradient=r"2\,(\hat{y} - y)",
        estimates="the conditional mean E[y | x]",
        torch_builtin="torch.nn.functional.mse_loss",
        keras_builtin="keras.losses.MeanSquaredError",
        builtin_notes=(
            "Same values. torch takes (input, target); Keras's reduction=None output averages "
            "the last axis (shape (N,) for (N, C)) where lossbook's 'none' is elementwise."
        ),
        when_to_use=(
            "Default for real-valued targets with roughly Gaussian noise; the maximum-likelihood "
            "loss for a Gaussian with fixed variance."
        ),
        pitfalls=(
            "Outliers dominate: one error of 10 weighs as much as 100 errors of 1.",
            "Scale-dependent: standardise targets, or the loss and its gradients are huge.",
            "(N, 1) predictions against (N,) targets broadcast to (N, N) in plain NumPy/PyTorch; "
            "lossbook raises instead.",
        ),
        references=("bishop2006pattern", "goodfellow2016deep"),
        differentiable_args=("y_pred",),
        rules={},
        inputs=Inputs(propagates=True),
        example=Example(([1.0, 2.0], [1.5, 2.0]), {}, 0.125, [0.5, 0.0]),
    ),
    LossSpec(
        name="mae",
        title="Mean absolute error",
        chinese="平均绝对误差",
        task="regression",
        family="regression",
        args=("y_true", "y_pred"),
        params={},
        none_shape="elementwise",
        formula=r"\lvert y - \hat{y} \rvert",
        gradient=r"\mathrm{sign}(\hat{y} - y)",
        estimates="the conditional median",
        torch_builtin="torch.nn.functional.l1_loss",
        keras_builtin="keras.losses.MeanAbsoluteError",
        builtin_notes=(
            "Same values. torch calls it L1Loss and takes (input, target); Keras's per-sample "
            "output averages the last axis. All use sign(0) = 0 at the kink."
        ),
        when_to_use="Targets with heavy-tailed noise or outliers, or when the median is wanted.",
        pitfalls=(
            "The gradient has constant magnitude: it does not shrink near the optimum, so "
            "decay the learning rate.",
            "Not differentiable at zero error (the subgradient 0 is used).",
        ),
        references=("bishop2006pattern",),
        differentiable_args=("y_pred",),
        rules={},
        inputs=Inputs(propagates=True),
        example=Example(([1.0, 2.0, 3.0], [2.0, 2.0, 1.0]), {}, 1.0, [0.3333, 0.0, -0.3333]),
    ),
    LossSpec(
        name="huber",
        title="Huber loss",
        chinese="Huber 损失",
        task="regression",
        family="regression",
        args=("y_true", "y_pred"),
        params={"delta": 1.0},
        none_shape="elementwise",
        formula=(
            r"\begin{cases} \tfrac{1}{2} r^2 & \lvert r \rvert \le \delta \\ "
            r"\delta\,\bigl(\lvert r \rvert - \tfrac{1}{2}\delta\bigr) & \text{otherwise} "
            r"\end{cases}, \quad " + _R
        ),
        gradient=r"\mathrm{clip}(\hat{y} - y,\ -\delta,\ \delta)",
        estimates="a robust location: mean-like for small errors, median-like beyond delta",
        torch_builtin="torch.nn.functional.huber_loss",
        keras_builtin="keras.losses.Huber",
        builtin_notes=(
            "Equal to torch HuberLoss(delta) and keras Huber(delta) (Keras averages the last "
            "axis per sample). torch SmoothL1Loss(beta) is a different scaling: "
            "SmoothL1Loss(beta) = HuberLoss(delta=beta) / beta."
        ),
        when_to_use=(
            "Regression with occasional outliers where MSE's behaviour near the optimum is still "
            "wanted; value-function targets in reinforcement learning (DQN)."
        ),
        pitfalls=(
            "delta is in the units of the target: rescale it when the targets are rescaled.",
            "Confusing it with smooth L1: the linear tails have slope delta, not 1.",
        ),
        references=("huber1964robust",),
        differentiable_args=("y_pred",),
        rules={"delta": real("where the loss turns from quadratic to linear", 0, lo_open=True)},
        inputs=Inputs(propagates=True),
        example=Example(([0.0, 0.0], [0.5, 3.0]), {"delta": 2.0}, 2.0625, [0.25, 1.0]),
    ),
    LossSpec(
        name="smooth_l1",
        title="Smooth L1 loss",
        chinese="平滑 L1 损失",
        task="regression",
        family="regression",
        args=("y_true", "y_pred"),
        params={"beta": 1.0},
        none_shape="elementwise",
        formula=(
            r"\begin{cases} \tfrac{1}{2} r^2 / \beta & \lvert r \rvert < \beta \\ "
            r"\lvert r \rvert - \tfrac{1}{2}\beta & \text{otherwise} \end{cases}, \quad " + _R
        ),
        gradient=(
            r"\begin{cases} (\hat{y} - y) / \beta & \lvert \hat{y} - y \rvert < \beta \\ "
            r"\mathrm{sign}(\hat{y} - y) & \text{otherwise} \end{cases}"
        ),
        estimates="a robust location, like Huber (beta = 0: the conditional median)",
        torch_builtin="torch.nn.functional.smooth_l1_loss",
        keras_builtin=None,
        builtin_notes=(
            "Equal to torch SmoothL1Loss(beta); beta = 0 is L1 in both. Keras has none: "
            "keras Huber(delta=beta) / beta gives the same value."
        ),
        when_to_use=(
            "Bounding-box regression in object detectors (Fast/Faster R-CNN), or any L1-like "
            "regression that should be smooth near zero."
        ),
        pitfalls=(
            "Not the same as Huber for beta != 1: divided by beta.",
            "Small beta makes the quadratic zone, and its curvature 1/beta, extreme.",
        ),
        references=("girshick2015fast", "huber1964robust"),
        differentiable_args=("y_pred",),
        rules={"beta": real("width of the quadratic zone (0: the L1 loss)", 0)},
        inputs=Inputs(propagates=True),
        example=Example(([0.0, 0.0], [0.5, 3.0]), {"beta": 2.0}, 1.0312, [0.125, 0.5]),
    ),
    LossSpec(
        name="log_cosh",
        title="Log-cosh loss",
        chinese="对数双曲余弦损失",
        task="regression",
        family="regression",
        args=("y_true", "y_pred"),
        params={},
        none_shape="elementwise",
        formula=r"\log\cosh(\hat{y} - y)",
        gradient=r"\tanh(\hat{y} - y)",
        estimates="a robust location between the conditional mean and median",
        torch_builtin=None,
        keras_builtin="keras.losses.LogCosh",
        builtin_notes=(
            "Same values as keras LogCosh (which averages the last axis per sample); PyTorch "
            "has no built-in."
        ),
        when_to_use=(
            "A smooth (twice differentiable) alternative to Huber with delta = 1, e.g. when a "
            "second-order method needs a Hessian."
        ),
        pitfalls=(
            "Computing log(cosh(x)) directly overflows for |x| > 710 (float64) or 89 (float32).",
            "Has a fixed transition scale of about 1: standardise the targets.",
        ),
        references=(),
        differentiable_args=("y_pred",),
        rules={},
        inputs=Inputs(propagates=True),
        example=Example(([0.0, 0.0], [1.0, 1000.0]), {}, 499.8703, [0.3808, 0.5]),
    ),
    LossSpec(
        name="quantile",
        title="Quantile (pinball) loss",
        chinese="分位数损失（弹球损失）",
        task="regression",
        family="regression",
        args=("y_true", "y_pred"),
        params={"q": 0.5},
        none_shape="elementwise",
        formula=r"\max\bigl(q\,r,\ (q - 1)\,r\bigr), \quad " + _R,
        gradient=(
            r"\begin{cases} -q & \hat{y} < y \\ 1 - q & \hat{y} > y \\ 0 & \hat{y} = y "
            r"\end{cases}"
        ),
        estimates="the conditional q-quantile",
        torch_builtin=None,
        keras_builtin=None,
        builtin_notes=(
            "Neither PyTorch nor Keras has one (tfa.losses.PinballLoss was in the retired "
            "TensorFlow Addons). The mean equals sklearn.metrics.mean_pinball_loss(alpha=q)."
        ),
        when_to_use=(
            "Prediction intervals and risk-aware forecasts: train one output per quantile, "
            "e.g. q = 0.1, 0.5, 0.9."
        ),
        pitfalls=(
            "Separately trained quantiles can cross (q = 0.9 below q = 0.5); sort them or "
            "parametrise increments.",
            "q = 0.5 gives half the MAE, not the MAE.",
        ),
        references=("koenker1978regression",),
        differentiable_args=("y_pred",),
        rules={
            "q": real(
                "the quantile level",
                0,
                1,
                lo_open=True,
                hi_open=True,
                fix="For example q=0.9 estimates the 90th percentile.",
            )
        },
        inputs=Inputs(propagates=True),
        example=Example(([1.0, 1.0], [0.0, 2.0]), {"q": 0.9}, 0.5, [-0.45, 0.05]),
    ),
    LossSpec(
        name="poisson_nll",
        title="Poisson negative log-likelihood",
        chinese="泊松负对数似然",
        task="regression",
        family="regression",
        args=("y_true", "y_pred"),
        params={"log_input": False},
        none_shape="elementwise",
        formula=(
            r"\hat{y} - y \log(\hat{y} + 10^{-8}); \quad \text{log input: } e^{\hat{y}} - y\,\hat{y}"
        ),
        gradient=r"1 - \frac{y}{\hat{y} + 10^{-8}}; \quad \text{log input: } e^{\hat{y}} - y",
        estimates="the conditional mean count (the Poisson rate)",
        torch_builtin="torch.nn.functional.poisson_nll_loss",
        keras_builtin="keras.losses.Poisson",
        builtin_notes=(
            "torch PoissonNLLLoss defaults to log_input=True (predictions are log-rates); "
            "lossbook defaults to False (rates), so pass log_input explicitly when comparing. "
            "full=False in both (no log y! term). keras Poisson takes rates with eps 1e-7 and "
            "has no log-input mode."
        ),
        when_to_use="Count targets (events, clicks, photons) whose variance grows with the mean.",
        pitfalls=(
            "Passing log-rates with log_input=False (or rates to torch's default log_input=True).",
            "The loss is not zero at a perfect prediction and can be negative: the log y! "
            "constant is dropped.",
            "With log_input=True, exp overflows for log-rates above ~88 (float32).",
        ),
        references=("mccullagh1989generalized",),
        differentiable_args=("y_pred",),
        rules={"log_input": flag("whether y_pred holds log-rates instead of rates")},
        inputs=Inputs(
            checks=(
                Check("y_true", "nonneg", "Poisson targets are counts (or non-negative rates)."),
                Check(
                    "y_pred",
                    "nonneg",
                    "y_pred is a rate: pass softplus/exp of the model output, "
                    "or pass log-rates with log_input=True.",
                    unless="log_input",
                ),
            )
        ),
        example=Example(([2.0, 0.0], [4.0, 1.0]), {}, 1.1137, [0.25, 0.5]),
    ),
    LossSpec(
        name="gaussian_nll",
        title="Gaussian negative log-likelihood",
        chinese="高斯负对数似然",
        task="regression",
        family="regression",
        args=("y_true", "mean", "var"),
        params={},
        none_shape="elementwise",
        formula=(
            r"\tfrac{1}{2}\Bigl(\log v + \frac{(y - \mu)^2}{v}\Bigr), \quad "
            r"v = \max(\sigma^2, 10^{-6})"
        ),
        gradient=(
            r"\frac{\partial \ell}{\partial \mu} = \frac{\mu - y}{v}, \quad "
            r"\frac{\partial \ell}{\partial \sigma^2} = \tfrac{1}{2}\Bigl(\frac{1}{v} - "
            r"\frac{(y - \mu)^2}{v^2}\Bigr)\,\mathbf{1}[\sigma^2 \ge 10^{-6}]"
        ),
        estimates="the conditional mean and the conditional variance",
        torch_builtin="torch.nn.functional.gaussian_nll_loss",
        keras_builtin=None,
        builtin_notes=(
            "Same values as torch GaussianNLLLoss(full=False, eps=1e-6), whose argument order is "
            "(input, target, var); torch clamps var under no_grad (the gradient passes straight "
            "through the clamp, lossbook's is 0 below 1e-6) and broadcasts a shared variance, "
            "lossbook needs var of the same shape. Keras has no built-in."
        ),
        when_to_use=(
            "Heteroscedastic regression: the model predicts its own uncertainty per sample."
        ),
        pitfalls=(
            "Not bounded below by 0: it is negative whenever log v + r²/v < 0, e.g. a small variance and a small residual.",
            "The variance can shrink to fit easy points and stall the mean: warm up on MSE or "
            "use a beta-NLL weighting.",
            "var must stay positive: use softplus/exp, not a raw linear output.",
        ),
        references=("nix1994estimating", "bishop2006pattern"),
        differentiable_args=("mean", "var"),
        rules={},
        inputs=Inputs(
            checks=(
                Check(
                    "var",
                    "nonneg",
                    "var is a variance: produce it with softplus or exp of the model output.",
                ),
            )
        ),
        example=Example(
            ([1.0, 0.0], [0.0, 0.5], [2.0, 1.0]), {}, 0.3608, ([-0.25, 0.25], [0.0625, 0.1875])
        ),
    ),
)
