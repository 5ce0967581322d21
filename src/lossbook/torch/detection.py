"""Bounding-box losses in PyTorch."""

from __future__ import annotations

import torch

from ._ops import implements

__all__ = ["giou"]


@implements("giou")
def giou(boxes_true, boxes_pred, *, eps):
    """As torchvision's ``generalized_box_iou_loss(boxes_pred, boxes_true)``, with
    ``torch.where`` for the max / min of the corners: at a tie the prediction's coordinate
    gets the whole gradient (``torch.maximum`` would split it), as in every lossbook backend."""
    g1, h1, g2, h2 = boxes_true.unbind(-1)
    x1, y1, x2, y2 = boxes_pred.unbind(-1)
    iw = torch.where(x2 <= g2, x2, g2) - torch.where(x1 >= g1, x1, g1)
    ih = torch.where(y2 <= h2, y2, h2) - torch.where(y1 >= h1, y1, h1)
    inter = torch.relu(iw) * torch.relu(ih)
    union = (x2 - x1) * (y2 - y1) + (g2 - g1) * (h2 - h1) - inter
    cw = torch.where(x2 >= g2, x2, g2) - torch.where(x1 <= g1, x1, g1)
    ch = torch.where(y2 >= h2, y2, h2) - torch.where(y1 <= h1, y1, h1)
    area_c = cw * ch
    return 1 - inter / (union + eps) + (area_c - union) / (area_c + eps)
