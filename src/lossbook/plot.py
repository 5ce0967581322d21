"""Plotting helpers shared by the chapters (matplotlib; ipywidgets for explorers).

The book's figures follow one pattern: a loss and its gradient drawn against the residual
or the margin, side by side (:func:`loss_and_gradient`); a parameter swept over a few values
as small multiples (:func:`small_multiples`), which is the static twin of an interactive
slider (:func:`explorer`, live in Jupyter; :func:`frames`, precomputed pictures behind a
slider that also plays in the static HTML book); and learning curves (:func:`history`).

Every figure has at most :data:`MAX_COLS` panels per row, each about 4-5 inches wide: a phone
shows a figure in a column of about 360 CSS pixels, where three or four panels side by side
shrink to unreadable text. More panels wrap onto further rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

#: The most panels a figure has side by side (a phone column is about 360 CSS pixels wide).
MAX_COLS = 2

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f")


def use_style() -> None:
    """Figure defaults that read well in the HTML book and in Jupyter."""
    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 3.6),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.prop_cycle": mpl.cycler(color=PALETTE),
            "font.size": 10,
            "legend.frameon": False,
            "svg.hashsalt": "lossbook",
        }
    )
    _retina_inline_figures()


def _retina_inline_figures() -> None:
    """In Jupyter, store figures as PNGs at twice the resolution and display them at their
    nominal size ("retina"), so that they stay crisp when a reader zooms in the HTML book."""
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # no IPython / inline backend: nothing to configure
        return
    if get_ipython() is not None:
        set_matplotlib_formats("retina")


def curves(
    x: np.ndarray,
    series: Mapping[str, np.ndarray],
    *,
    ax: plt.Axes | None = None,
    xlabel: str = "",
    ylabel: str = "",
    title: str | None = None,
    styles: Mapping[str, Mapping[str, Any]] | None = None,
) -> plt.Axes:
    """Draw several named curves over the same x on one axes (created if not given)."""
    if ax is None:
        _, ax = plt.subplots()
    styles = styles or {}
    for label, y in series.items():
        ax.plot(x, np.asarray(y), label=label, **styles.get(label, {}))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if len(series) > 1:
        ax.legend()
    return ax


def loss_and_gradient(
    x: np.ndarray,
    losses: Mapping[str, tuple[np.ndarray, np.ndarray]],
    *,
    xlabel: str = r"residual $r = y - \hat y$",
    grad_label: str = r"$\partial \ell / \partial \hat y$",
    title: str | None = None,
    figsize: tuple[float, float] = (9.6, 3.4),
) -> plt.Figure:
    """Two panels: each loss (left) and its gradient (right) against ``x``.

    ``losses`` maps a label to ``(loss_values, gradient_values)`` sampled at ``x``.
    """
    fig, (a, b) = plt.subplots(1, 2, figsize=figsize)
    curves(x, {k: v[0] for k, v in losses.items()}, ax=a, xlabel=xlabel, ylabel="loss")
    curves(x, {k: v[1] for k, v in losses.items()}, ax=b, xlabel=xlabel, ylabel=grad_label)
    for ax in (a, b):
        ax.axhline(0, color="0.5", lw=0.8)
        ax.axvline(0, color="0.5", lw=0.8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def small_multiples(
    draw: Callable[[plt.Axes, Any], None],
    values: Sequence[Any],
    *,
    param: str,
    ncols: int | None = None,
    panel_size: tuple[float, float] = (4.5, 3.0),
    sharey: bool = True,
    title: str | None = None,
) -> plt.Figure:
    """One panel per parameter value: ``draw(ax, value)`` fills each panel.

    The static counterpart of :func:`explorer` for the HTML book. The panels wrap at ``ncols``
    per row (default and maximum :data:`MAX_COLS`); spare axes of the last row are hidden.
    """
    n = len(values)
    ncols = ncols or min(n, MAX_COLS)
    if not 1 <= ncols <= MAX_COLS:
        raise ValueError(
            f"ncols must be between 1 and {MAX_COLS} (a phone-width figure), got {ncols}"
        )
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(panel_size[0] * ncols, panel_size[1] * nrows),
        sharey=sharey,
        squeeze=False,
    )
    for ax, v in zip(axes.flat, values, strict=False):
        draw(ax, v)
        ax.set_title(f"{param} = {v:g}" if isinstance(v, (int, float)) else f"{param} = {v}")
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def explorer(
    draw: Callable[..., None],
    *,
    alt: str | None = None,
    frame_values: Sequence[float] | None = None,
    **sliders: tuple[float, float, float, float],
):
    """Interactive twin of :func:`small_multiples` for Jupyter / Colab.

    ``sliders`` maps a parameter name to ``(min, max, step, initial)``; ``draw(**params)``
    draws a fresh figure. Returns the ipywidgets ``interactive`` object (displayed by
    Jupyter).

    With ``alt`` (the pictures' alt text), the result also carries :func:`frames` of the
    first slider's parameter at ``frame_values`` (then required; the other sliders at their
    initial values): Jupyter shows the live widget, and the
    static HTML book, which cannot run it, shows the precomputed slider instead (``_config.yml``
    drops the widget's mime type from the book's render priority).
    """
    if alt is not None and not frame_values:
        raise ValueError(
            "explorer(alt=...) needs `frame_values`: the values of the first slider's "
            "parameter to precompute for the static book"
        )
    import ipywidgets as widgets

    controls = {
        name: widgets.FloatSlider(
            min=lo, max=hi, step=step, value=init, description=name, continuous_update=False
        )
        for name, (lo, hi, step, init) in sliders.items()
    }

    def _draw(**params):
        draw(**params)
        plt.show()

    live = widgets.interactive(_draw, **controls)
    if alt is None:
        return live
    first, (*_, init) = next(iter(sliders.items()))
    fixed = {k: v[3] for k, v in sliders.items() if k != first}
    still = frames(
        draw, first, frame_values, start=init if init in frame_values else None, alt=alt, **fixed
    )
    return _Explorer(live, still)


class _Explorer:
    """A live ipywidgets explorer and its :class:`Frames`, displayed as one output: front ends
    with widgets render the widget; the HTML book renders the frames (its text/html)."""

    def __init__(self, live, still: Frames):
        self.live, self.still = live, still

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.live._repr_mimebundle_(include=include, exclude=exclude) or {}
        if isinstance(bundle, tuple):  # (data, metadata)
            bundle = bundle[0]
        return {**bundle, "text/html": self.still._repr_html_(), "text/plain": repr(self.still)}


class Frames:
    """A parameter sweep as a slider over precomputed pictures: :func:`frames` returns it.

    Its HTML (``_repr_html_``) is self-contained: the frames are PNG data URIs and the slider
    is an ``<input type="range">`` whose inline handler swaps the picture, so it plays in the
    static HTML book with no kernel, no widget library and nothing loaded from elsewhere (in
    Jupyter it plays once the notebook is trusted; :func:`explorer` is the live version).
    """

    def __init__(
        self,
        name: str,
        values: Sequence[Any],
        images: Sequence[str],
        start: int,
        width_px: int,
        alt: str,
    ):
        self.name, self.values, self.images = name, list(values), list(images)
        self.start, self.width_px, self.alt = start, width_px, alt

    def __repr__(self) -> str:  # what strict nbval compares: stable across CPUs
        return f"<lossbook frames: {self.name} over {len(self.values)} values>"

    def _repr_html_(self) -> str:
        import html
        import json

        labels = [f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in self.values]
        swap = (
            "const f=this.closest('.lossbook-frames');"
            "f.querySelector('img').src=JSON.parse(f.querySelector('script').textContent)"
            "[this.value];f.querySelector('output').textContent="
            "JSON.parse(this.dataset.labels)[this.value];"
        )
        return (
            f'<div class="lossbook-frames">'
            f'<img src="{self.images[self.start]}" alt="{html.escape(self.alt)}" '
            f'style="width: {self.width_px}px; max-width: 100%; height: auto;">'
            f'<div class="lossbook-frames-controls"><label>{html.escape(self.name)} = '
            f"<output>{html.escape(labels[self.start])}</output> "
            f'<input type="range" min="0" max="{len(self.images) - 1}" step="1" '
            f'value="{self.start}" aria-label="{html.escape(self.name)}" '
            f"data-labels='{html.escape(json.dumps(labels))}' "
            f'oninput="{html.escape(swap)}"></label></div>'
            f'<script type="application/json">{json.dumps(self.images)}</script></div>'
        )


def frames(
    draw: Callable[..., None],
    name: str,
    values: Sequence[Any],
    *,
    start: Any = None,
    alt: str,
    **fixed: Any,
) -> Frames:
    """The static, playable twin of :func:`explorer`: ``draw(**{name: v}, **fixed)`` is called
    for each value and each figure is kept as a retina PNG (twice the pixels of its nominal
    size); the result shows one frame and a slider that swaps between them.

    ``start``: the value shown first (default: the middle one). ``alt``: the pictures' alt
    text (what a reader who cannot see them needs to know). ``values`` must be non-empty.
    """
    import base64
    import io

    values = list(values)
    if not values:
        raise ValueError("frames() needs at least one value in `values`")
    if not alt or not alt.strip():
        raise ValueError(
            "frames() needs `alt`, a description of the pictures for readers who cannot see them"
        )
    i0 = len(values) // 2 if start is None else values.index(start)
    images, width_px = [], 0
    for v in values:
        with plt.ioff():
            draw(**{name: v}, **fixed)
            fig = plt.gcf()
            buf = io.BytesIO()
            dpi = fig.get_dpi()
            # as Jupyter's inline backend saves a retina figure: tight box, twice the dpi
            fig.savefig(
                buf, format="png", dpi=2 * dpi, bbox_inches="tight", metadata={"Software": None}
            )
            plt.close(fig)
        png = buf.getvalue()
        width_px = max(width_px, int.from_bytes(png[16:20], "big") // 2)  # IHDR width
        images.append("data:image/png;base64," + base64.b64encode(png).decode("ascii"))
    return Frames(name, values, images, i0, width_px, alt)


def history(
    histories: Mapping[str, Mapping[str, Sequence[float]]],
    *,
    metrics: Sequence[str] = ("loss",),
    logy: bool = False,
    figsize_per_panel: tuple[float, float] = (4.2, 3.2),
) -> plt.Figure:
    """Learning curves: one panel per metric, one line per run (``{run: {metric: [per epoch]}}``).

    The panels wrap at :data:`MAX_COLS` per row; spare axes of the last row are hidden.
    """
    n = len(metrics)
    ncols = min(n, MAX_COLS)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(figsize_per_panel[0] * ncols, figsize_per_panel[1] * nrows),
        squeeze=False,
    )
    for ax, metric in zip(axes.flat, metrics, strict=False):
        for run, h in histories.items():
            if metric in h:
                ax.plot(np.arange(1, len(h[metric]) + 1), h[metric], label=run)
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        if logy:
            ax.set_yscale("log")
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    axes.flat[0].legend()
    fig.tight_layout()
    return fig
