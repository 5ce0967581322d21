"""Catalog entries of the ``detection`` family (bounding boxes)."""

from __future__ import annotations

from ..catalog import Check, Example, Inputs, LossSpec, real

ENTRIES = (
    LossSpec(
        name="giou",
        title="Generalized IoU (GIoU) loss",
        chinese="广义交并比损失（GIoU 损失）",
        task="object detection",
        family="detection",
        args=("boxes_true", "boxes_pred"),
        params={"eps": 1e-7},
        none_shape="per_pair",
        formula=(
            r"\ell = 1 - \mathrm{IoU} + \frac{|C| - |A \cup B|}{|C| + \varepsilon},"
            r"\quad \mathrm{IoU} = \frac{|A \cap B|}{|A \cup B| + \varepsilon}"
            r",\quad C \text{ the smallest box enclosing } A \text{ and } B"
        ),
        gradient=(
            r"\frac{\partial \ell}{\partial b} = g_U \frac{\partial |B|}{\partial b}"
            r" + (g_I - g_U) \frac{\partial |A \cap B|}{\partial b}"
            r" + \frac{|A \cup B| + \varepsilon}{(|C| + \varepsilon)^2}"
            r" \frac{\partial |C|}{\partial b},"
            r"\quad g_I = -\frac{1}{|A \cup B| + \varepsilon},"
            r"\quad g_U = \frac{|A \cap B|}{(|A \cup B| + \varepsilon)^2}"
            r" - \frac{1}{|C| + \varepsilon}"
        ),
        estimates=(
            "the box of each object: the loss is 0 only for a predicted box equal to the true "
            "one, and, unlike 1 - IoU, it still has a gradient when the boxes do not overlap"
        ),
        torch_builtin="torchvision.ops.generalized_box_iou_loss",
        keras_builtin=None,
        builtin_notes=(
            "torchvision's generalized_box_iou_loss(boxes_pred, boxes_true, eps=1e-7) is the "
            "same loss (predictions first there; its 'none' is one value per box, like "
            "lossbook's). Keras has no built-in (KerasCV had a GIoULoss taking a "
            "bounding_box_format). At a tie between a predicted and a true coordinate "
            "(e.g. identical boxes) lossbook gives the whole gradient of max/min to the "
            "prediction in every backend; torch.maximum would split it."
        ),
        when_to_use=(
            "Bounding-box regression in object detection, when the boxes may not overlap "
            "early in training (1 - IoU is then flat); often added to an L1 loss on the "
            "coordinates (DETR)."
        ),
        pitfalls=(
            "Boxes are corners (x1, y1, x2, y2): pass (cx, cy, w, h) and the loss is "
            "meaningless (lossbook refuses boxes with x2 < x1 or y2 < y1).",
            "When one box contains the other, C equals the outer box and GIoU reduces to IoU: "
            "the gradient no longer says in which direction to move the centre (DIoU/CIoU "
            "add a centre-distance term).",
            "Coordinates in pixels give areas in pixels²: eps is negligible then, but not for "
            "normalised coordinates of tiny boxes.",
        ),
        references=("rezatofighi2019generalized",),
        differentiable_args=("boxes_pred",),
        rules={
            "eps": real("added to the union and to the enclosing area (as torchvision)", 0.0),
        },
        inputs=Inputs(
            ndim=("boxes_pred", 2, "(N, 4)", True),
            last_axis=4,
            checks=(Check("boxes_true", "boxes"), Check("boxes_pred", "boxes")),
            reduces="last",
        ),
        example=Example(
            (
                [[0.0, 0.0, 2.0, 2.0], [0.0, 0.0, 1.0, 1.0]],
                [[1.0, 1.0, 3.0, 3.0], [2.0, 0.0, 3.0, 1.0]],
            ),
            {},
            1.2063,
            [[0.1168, 0.1168, 0.0389, 0.0389], [0.1667, -0.1667, -0.0556, 0.1667]],
        ),
        arg_docs={
            "boxes_true": "boxes of shape (N, 4), rows (x1, y1, x2, y2) with x2 >= x1 and "
            "y2 >= y1.",
            "boxes_pred": "the same shape as ``boxes_true`` (no broadcasting), the same "
            "corner format.",
        },
    ),
)
