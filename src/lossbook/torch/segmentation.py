"""Segmentation losses in PyTorch: dice."""

from __future__ import annotations

from ._ops import prepare_pair, reduce, validator

__all__ = ["dice"]


def dice(y_true, p, *, smooth=1.0, reduction="mean"):
    """Soft Dice loss: ``1 − (2·Σ y·p + s) / (Σ y + Σ p + s)`` per sample.

    The sums run over all non-batch axes (axis 0 is the batch), so ``reduction="none"``
    gives ``(N,)``.

    Parameters
    ----------
    y_true : Tensor ``(N, ...)``, masks or soft masks in [0, 1].
    p : Tensor, same shape, probabilities in [0, 1] (apply a sigmoid/softmax first).
    smooth : float s ≥ 0 (s > 0 keeps empty masks finite).
    reduction : {"mean", "sum", "none"}.

    float16/bfloat16 are upcast to float32 (result float32); the result is on the input's
    device. No PyTorch or Keras built-in; libraries differ on whether they sum over the
    batch too (lossbook: per sample) and on squaring ``p`` in the denominator (lossbook: no).

    Examples
    --------
    >>> import torch, lossbook.torch as lt
    >>> y = torch.tensor([[1.0, 1.0, 0.0, 0.0]])
    >>> round(float(lt.dice(y, torch.tensor([[0.9, 0.6, 0.2, 0.1]]))), 4)
    0.1667
    """
    v = validator("dice")
    v.reduction(reduction)
    v.positive_param("smooth", smooth, allow_zero=True)
    y, p = prepare_pair(v, "y_true", y_true, "p", p)
    v.in_unit_interval("y_true", y, fix="Pass masks with values in [0, 1].")
    v.in_unit_interval("p", p)
    n = y.shape[0] if y.dim() else 1
    y2, p2 = y.reshape(n, -1), p.reshape(n, -1)
    inter = (y2 * p2).sum(-1)
    loss = 1.0 - (2.0 * inter + smooth) / (y2.sum(-1) + p2.sum(-1) + smooth)
    return reduce(loss, reduction)
