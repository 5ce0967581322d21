"""Bounding-box losses in NumPy, with hand-derived gradients."""

from __future__ import annotations

import numpy as np

from ._ops import gradient, implements

__all__ = ["giou", "giou_grad"]


def _giou_parts(boxes_true, boxes_pred, eps):
    g1, h1, g2, h2 = np.moveaxis(boxes_true, -1, 0)
    x1, y1, x2, y2 = np.moveaxis(boxes_pred, -1, 0)
    # intersection; at a tie the prediction's coordinate is the one selected
    sel = {"ix1": x1 >= g1, "iy1": y1 >= h1, "ix2": x2 <= g2, "iy2": y2 <= h2}
    iw = np.where(sel["ix2"], x2, g2) - np.where(sel["ix1"], x1, g1)
    ih = np.where(sel["iy2"], y2, h2) - np.where(sel["iy1"], y1, h1)
    inter = np.maximum(iw, 0) * np.maximum(ih, 0)
    # enclosing box
    sel.update(cx1=x1 <= g1, cy1=y1 <= h1, cx2=x2 >= g2, cy2=y2 >= h2)
    cw = np.where(sel["cx2"], x2, g2) - np.where(sel["cx1"], x1, g1)
    ch = np.where(sel["cy2"], y2, h2) - np.where(sel["cy1"], y1, h1)
    area_c = cw * ch
    union = (x2 - x1) * (y2 - y1) + (g2 - g1) * (h2 - h1) - inter
    return locals()


@implements("giou")
def giou(boxes_true, boxes_pred, *, eps):
    """Written as torchvision writes it, with ``np.where`` for the max / min of the corners."""
    p = _giou_parts(boxes_true, boxes_pred, eps)
    iou = p["inter"] / (p["union"] + eps)
    return 1 - iou + (p["area_c"] - p["union"]) / (p["area_c"] + eps)


@gradient("giou")
def giou_grad(boxes_true, boxes_pred, *, eps):
    """At a tie between a predicted and a true coordinate the max / min passes the whole
    gradient to the prediction; an empty intersection (width or height <= 0) passes none."""
    p = _giou_parts(boxes_true, boxes_pred, eps)
    x1, y1, x2, y2, iw, ih, cw, ch = (
        p[k] for k in ("x1", "y1", "x2", "y2", "iw", "ih", "cw", "ch")
    )
    sel, inter, union, area_c = p["sel"], p["inter"], p["union"], p["area_c"]
    u, c = union + eps, area_c + eps
    g_union = inter / u**2 - 1 / c  # d loss / d union
    g_inter = -1 / u - g_union  # d loss / d inter, through inter and union = ... - inter
    g_c = u / c**2  # d loss / d area_c
    w, h = x2 - x1, y2 - y1
    riw, rih = np.maximum(iw, 0) * (ih > 0), np.maximum(ih, 0) * (iw > 0)
    d_inter = (-rih * sel["ix1"], -riw * sel["iy1"], rih * sel["ix2"], riw * sel["iy2"])
    d_area = (-h, -w, h, w)
    d_c = (-ch * sel["cx1"], -cw * sel["cy1"], ch * sel["cx2"], cw * sel["cy2"])
    cols = [
        g_union * da + g_inter * di + g_c * dc
        for da, di, dc in zip(d_area, d_inter, d_c, strict=True)
    ]
    return np.stack(cols, axis=-1).astype(boxes_pred.dtype, copy=False)
