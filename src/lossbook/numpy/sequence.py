"""Sequence losses in NumPy: CTC by the forward-backward algorithm in log space, with its
hand-derived gradient."""

from __future__ import annotations

import numpy as np

from ._ops import gradient, implements

__all__ = ["ctc", "ctc_grad"]


def _extended(labels, blank):
    """The label sequence with a blank before, between and after the labels (length 2L+1),
    and where a transition may skip a blank (s -> s+2: different labels around it)."""
    ext = np.full(2 * len(labels) + 1, blank, dtype=np.intp)
    ext[1::2] = labels
    skip = np.zeros(len(ext), dtype=bool)
    skip[3::2] = ext[3::2] != ext[1:-2:2]  # into label s from label s-2
    return ext, skip


def _forward_backward(lp, labels, blank):
    """log alpha, log beta (each includes the emission at t) and log p(labels | x) for one
    sample: ``lp`` of shape (T', C), the frames inside its input length."""
    ext, skip = _extended(labels, blank)
    t_len, n_states = lp.shape[0], len(ext)
    em = lp[:, ext]
    alpha = np.full((t_len, n_states), -np.inf, dtype=lp.dtype)
    beta = np.full((t_len, n_states), -np.inf, dtype=lp.dtype)
    skip_from = np.concatenate((skip, [False, False]))[2:]  # s -> s+2 allowed
    with np.errstate(invalid="ignore"):
        alpha[0, :2] = em[0, :2]
        for t in range(1, t_len):
            a = alpha[t - 1]
            prev = np.logaddexp(a, np.concatenate(([-np.inf], a))[:n_states])
            two = np.concatenate(([-np.inf, -np.inf], a))[:n_states]
            prev = np.where(skip, np.logaddexp(prev, two), prev)
            alpha[t] = prev + em[t]
        beta[-1, -2:] = em[-1, -2:]
        for t in range(t_len - 2, -1, -1):
            b = beta[t + 1]
            nxt = np.logaddexp(b, np.concatenate((b, [-np.inf]))[1:])
            two = np.concatenate((b, [-np.inf, -np.inf]))[2:]
            nxt = np.where(skip_from, np.logaddexp(nxt, two), nxt)
            beta[t] = nxt + em[t]
    log_p = np.logaddexp(alpha[-1, -1], alpha[-1, -2]) if n_states > 1 else alpha[-1, -1]
    return alpha, beta, em, ext, log_p


def _per_sample(targets, log_probs, input_lengths, target_lengths, blank):
    for i in range(log_probs.shape[0]):
        labels = targets[i, : target_lengths[i]]
        yield i, labels, _forward_backward(log_probs[i, : input_lengths[i]], labels, blank)


def _reduce(values, target_lengths, reduction):
    if reduction == "none":
        return values
    if reduction == "sum":
        return values.sum()
    return (values / np.maximum(target_lengths, 1)).mean()


@implements("ctc")
def ctc(targets, log_probs, input_lengths, target_lengths, *, blank, zero_infinity, reduction):
    """Forward algorithm in log space (``np.logaddexp``), sample by sample; a target with
    no alignment in its input length gives ``log p = -inf``, hence inf (0 with
    ``zero_infinity``)."""
    out = np.empty(log_probs.shape[0], dtype=log_probs.dtype)
    for i, _, (*_, log_p) in _per_sample(targets, log_probs, input_lengths, target_lengths, blank):
        out[i] = -log_p
    if zero_infinity:
        out = np.where(np.isinf(out), 0, out).astype(log_probs.dtype)
    return _reduce(out, target_lengths, reduction)


@gradient("ctc")
def ctc_grad(targets, log_probs, input_lengths, target_lengths, *, blank, zero_infinity, reduction):
    """The derivative with respect to ``log_probs`` taken as free inputs (what finite
    differences measure): minus the posterior occupation of class k at frame t,
    ``-Σ_{s: y'_s = k} exp(α_t(s) + β_t(s) - log p_t(k) - log p(y | x))``, and 0 on the
    frames past the input length. PyTorch's built-in ``ctc_loss`` backward adds
    ``exp(log_probs)`` on the valid frames (the derivative with respect to the logits of a
    log_softmax); both give the same gradient once chained through a log_softmax. A sample
    with no alignment gets a zero gradient (its loss is inf, or the constant 0 with
    ``zero_infinity``)."""
    grad = np.zeros_like(log_probs)
    for i, _, (alpha, beta, em, ext, log_p) in _per_sample(
        targets, log_probs, input_lengths, target_lengths, blank
    ):
        if not np.isfinite(log_p):
            continue
        occ = np.exp(alpha + beta - em - log_p)  # (T', 2L+1)
        g = np.zeros((alpha.shape[0], log_probs.shape[2]), dtype=log_probs.dtype)
        for s, k in enumerate(ext):
            g[:, k] -= occ[:, s]
        grad[i, : alpha.shape[0]] = g
    if reduction == "mean":  # the mean of loss_i / max(target_length_i, 1)
        scale = np.maximum(target_lengths, 1) * log_probs.shape[0]
        grad = grad / scale[:, None, None].astype(grad.dtype)
    return grad
