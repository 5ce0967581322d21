"""The book's structure: toc, notebooks stored executed, setup cells, citations, and proof
that the strict checks (nbval, sphinx -W) really fail. The pages built from the catalog (API,
glossary) are tested in test_pages.py."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
import yaml
from booktoc import toc_files

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]

#: The first code cell of every chapter. On Colab it installs the release that matches the book
#: (no repository URL needed); the cell is collapsed in the book (tag hide-input).
SETUP_CELL = f"""# Setup. On Colab, install the lossbook release this book was built with; elsewhere lossbook
# is already installed (see the README).
import sys

if "google.colab" in sys.modules:
    import subprocess

    RELEASE = "lossbook[book,torch]=={VERSION}"
    if subprocess.run([sys.executable, "-m", "pip", "install", "-q", RELEASE]).returncode:
        raise RuntimeError(
            f"pip could not install {{RELEASE}}. If that release is not on PyPI, install lossbook "
            "from a clone of its repository instead: pip install -e '.[book,torch]' (README)."
        )

import lossbook

lossbook.setup(seed=0)"""


def _source(path: Path) -> Path:
    for ext in (".md", ".ipynb"):
        if path.with_suffix(ext).exists():
            return path.with_suffix(ext)
    raise FileNotFoundError(path)


def test_every_toc_entry_exists_and_every_notebook_is_in_the_toc():
    files = toc_files()
    for f in files:
        assert _source(ROOT / f).exists()
    in_toc = {f for f in files if f.startswith("notebooks/")}
    assert {f"notebooks/{nb.stem}" for nb in NOTEBOOKS} == in_toc


def test_there_is_at_least_one_chapter():
    assert NOTEBOOKS, "no chapter notebooks found"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_executed_in_order_with_the_setup_cell(nb_path):
    nb = json.loads(nb_path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    assert code, "no code cells"
    assert "".join(code[0]["source"]).strip() == SETUP_CELL, (
        "first code cell must be the standard setup cell"
    )
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        "re-execute top to bottom in a fresh kernel (make notebooks)"
    )
    for c in code:
        tags = c.get("metadata", {}).get("tags", [])
        for out in c.get("outputs", []):
            if out["output_type"] == "error":
                assert "raises-exception" in tags, (
                    f"cell stored with an error: {''.join(c['source'])[:80]}"
                )
            if out["output_type"] == "stream":
                assert out["name"] != "stderr", f"stderr output in: {''.join(c['source'])[:80]}"
    assert nb["cells"][0]["cell_type"] == "markdown" and "".join(
        nb["cells"][0]["source"]
    ).startswith("# ")


def _bib_keys() -> set[str]:
    return set(
        re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", (ROOT / "book" / "references.bib").read_text())
    )


def test_every_citation_resolves_to_the_bibtex_file():
    import lossbook

    keys = _bib_keys()
    cited = {k for e in lossbook.catalog for k in e.references}
    sources = [*NOTEBOOKS, *(ROOT / "book").glob("*.md")]
    for src in sources:
        cited |= {
            k.strip()
            for m in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", src.read_text())
            for k in m.split(",")
        }
    missing = sorted(cited - keys)
    assert not missing, f"cited but not in book/references.bib: {missing}"


def _tiny_notebook(tmp_path: Path, stored: str) -> Path:
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": 1,
                "metadata": {},
                "source": ["print(round(0.1 + 0.2, 6))"],
                "outputs": [{"output_type": "stream", "name": "stdout", "text": [stored + "\n"]}],
            }
        ],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "tiny.ipynb"
    path.write_text(json.dumps(nb))
    return path


@pytest.mark.slow
@pytest.mark.parametrize("stored, passes", [("0.3", True), ("0.31", False)])
def test_strict_nbval_fails_on_a_stale_output(tmp_path, stored, passes):
    nb = _tiny_notebook(tmp_path, stored)
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbval",
            "--nbval-current-env",
            "--nbval-sanitize-with",
            str(ROOT / "tests" / "nbval_sanitize.cfg"),
            str(nb),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert (r.returncode == 0) == passes, r.stdout[-2000:]


@pytest.mark.slow
def test_a_sphinx_warning_fails_the_strict_build(tmp_path):
    (tmp_path / "_config.yml").write_text("title: t\nexecute:\n  execute_notebooks: 'off'\n")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: index\n")
    (tmp_path / "index.md").write_text(
        "# Index\n\nA reference to {ref}`a-label-that-does-not-exist`.\n"
    )
    jb = Path(sys.executable).parent / "jupyter-book"
    r = subprocess.run(
        [str(jb), "build", "-W", "-n", "--keep-going", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert r.returncode != 0, r.stdout[-2000:]


@pytest.mark.slow
def test_tensorflow_logs_are_quiet_after_setup():
    code = "import lossbook; lossbook.setup(0, tensorflow=True); import tensorflow as tf; tf.constant(1.0) + 1"
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("TF_")}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == "", r.stderr


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_only_explorer_cells_skip_output_comparison(nb_path):
    nb = json.loads(nb_path.read_text())
    for c in nb["cells"]:
        if c["cell_type"] != "code":
            continue
        tags = set(c.get("metadata", {}).get("tags", []))
        src = "".join(c["source"])
        if re.search(r"\bexplorer\(", src):
            # compared by the static sweep after it; shown in the book as its frames (alt=),
            # as a numbered figure
            assert "nbval-ignore-output" in tags and "remove-output" not in tags, src[:80]
            assert re.search(r"\balt=", src), f"explorer without frames for the book: {src[:80]}"
            assert c["metadata"].get("mystnb", {}).get("figure", {}).get("caption"), src[:80]
        elif "nbval-ignore-output" in tags or "nbval-skip" in tags:
            pytest.fail(f"output comparison switched off for a non-explorer cell: {src[:80]}")


MAX_UNCOMPARED_CELLS = 10


def _code_cells(nb_path: Path) -> list[dict]:
    return [c for c in json.loads(nb_path.read_text())["cells"] if c["cell_type"] == "code"]


def _uncompared(cell: dict) -> bool:
    return bool(
        {"nbval-ignore-output", "nbval-skip"} & set(cell.get("metadata", {}).get("tags", []))
    )


def test_few_cells_escape_output_comparison_and_each_is_pinned_by_the_next():
    """A cell whose output nbval does not compare is the exception (at most 10 in the book), and
    the code cell right after it is compared and pins its claim: the static figure of the same
    sweep (`small_multiples`) or assertions."""
    uncompared = []
    for nb_path in NOTEBOOKS:
        cells = _code_cells(nb_path)
        for i, cell in enumerate(cells):
            if not _uncompared(cell):
                continue
            uncompared.append(f"{nb_path.name}: {''.join(cell['source'])[:60]!r}")
            nxt = cells[i + 1] if i + 1 < len(cells) else None
            assert nxt is not None and not _uncompared(nxt), (
                f"nothing compared after {uncompared[-1]}"
            )
            src = "".join(nxt["source"])
            assert "small_multiples(" in src or re.search(r"^\s*assert ", src, re.M), (
                f"the cell after {uncompared[-1]} neither redraws the sweep nor asserts its claim"
            )
    assert len(uncompared) <= MAX_UNCOMPARED_CELLS, uncompared


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_per_cell_execution_timestamps(nb_path):
    """Re-executing a notebook must rewrite only what changed (`make notebooks` strips them)."""
    stamped = [c.get("id") for c in _code_cells(nb_path) if "execution" in c.get("metadata", {})]
    assert not stamped, f"cells with execution timing metadata: {stamped[:5]}; run make notebooks"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_noise_level_numbers_in_stored_outputs(nb_path):
    """Differences between implementations at 1e-13 or below print other digits on another CPU:
    a notebook prints a bound or a verdict instead (`lossbook.check.agree`). A genuine tiny value
    (a likelihood of 1e-61) is fine: only lines about a difference or an error are checked."""
    noise = re.compile(r"(?<![\w.])\d(\.\d+)?e-(1[3-9]|[2-9]\d)\b")
    hits = []
    for cell in _code_cells(nb_path):
        for out in cell.get("outputs", []):
            text = "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
            hits += [
                line
                for line in text.splitlines()
                if noise.search(line) and re.search(r"diff|\||error", line, re.I)
            ]
    assert not hits, hits[:5]


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapters_use_the_one_bibliography(nb_path):
    assert "{bibliography}" not in nb_path.read_text(), "cite keys; the References page lists them"


CATALOGUE_CHAPTERS = [
    "02_likelihood_to_loss",
    "03_regression_losses",
    "04_classification_losses",
    "05_distribution_ranking_segmentation",
]


def test_every_catalog_loss_is_taught_in_a_catalogue_chapter():
    import lossbook

    code = ""
    for stem in CATALOGUE_CHAPTERS:
        nb = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text())
        code += "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    missing = [e.name for e in lossbook.catalog if not re.search(rf"\.{e.name}(_grad)?\(", code)]
    assert not missing, f"catalog losses never called in the catalogue chapters: {missing}"


def test_every_pitfall_has_a_mistake_a_symptom_and_a_fix():
    nb = json.loads((ROOT / "notebooks" / "10_pitfalls.ipynb").read_text())
    sections: list[list[dict]] = []
    for c in nb["cells"]:
        src = "".join(c["source"])
        if c["cell_type"] == "markdown" and re.match(r"## \d+\.", src):
            sections.append([c])
        elif sections:
            sections[-1].append(c)
    assert len(sections) >= 20
    for cells in sections:
        title = "".join(cells[0]["source"]).splitlines()[0]
        text = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        for label in ("**Mistake", "**Symptom", "**Fix"):
            assert label in text, f"{title}: no {label}"
        code = [c for c in cells if c["cell_type"] == "code"]
        mistakes = [c for c in code if "".join(c["source"]).startswith("# Mistake")]
        fixes = [c for c in code if "".join(c["source"]).startswith("# Fix")]
        assert mistakes and fixes, f"{title}: needs a '# Mistake' cell and a '# Fix' cell"
        for c in mistakes:  # the mistake shows a symptom: an error (tagged) or printed output
            assert c["outputs"], f"{title}: the mistake cell shows nothing"
            if any(o["output_type"] == "error" for o in c["outputs"]):
                assert "raises-exception" in c["metadata"].get("tags", [])
        for c in fixes:
            assert not any(o["output_type"] == "error" for o in c["outputs"]), (
                f"{title}: the fix fails"
            )


def test_repository_links_come_from_one_setting():
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    from lossbook_sphinx import repository_buttons

    for url in ("", "https://github.com/YOUR-GITHUB-USER/lossbook"):
        opts = {
            "repository_url": url,
            "launch_buttons": {"colab_url": "https://colab.research.google.com"},
        }
        repository_buttons(opts)
        assert opts["launch_buttons"] == {} and "repository_url" not in opts
        assert not any(
            opts[b] for b in ("use_repository_button", "use_edit_page_button", "use_issues_button")
        )
    opts = {
        "repository_url": "https://github.com/someone/lossbook",
        "launch_buttons": {"colab_url": "x"},
    }
    repository_buttons(opts)
    assert opts["use_repository_button"] and opts["use_issues_button"] and opts["launch_buttons"]


def test_no_placeholder_repository_anywhere():
    # The default build has no repository links at all; nothing points at a placeholder fork.
    paths = [*NOTEBOOKS, ROOT / "_config.yml", *(ROOT / "book").glob("*.md")]
    offenders = [p.name for p in paths if "YOUR-GITHUB-USER" in p.read_text()]
    assert not offenders, offenders


def test_no_control_characters_in_markdown():
    # A "\rvert" written as a Python string once turned into a carriage return and broke the math.
    bad = []
    for path in NOTEBOOKS:
        for i, cell in enumerate(json.loads(path.read_text())["cells"]):
            text = "".join(cell["source"])
            if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
                bad.append((path.name, i))
    assert not bad, f"control characters in cell sources: {bad}"


def test_figures_are_stored_at_twice_their_display_resolution():
    # lossbook.setup() stores inline figures as "retina" PNGs: twice the pixels, displayed at the
    # nominal size (the width/height metadata), so they stay sharp when a reader zooms.
    import base64
    import struct

    low = []
    for path in NOTEBOOKS:
        for i, cell in enumerate(json.loads(path.read_text())["cells"]):
            for out in cell.get("outputs", []):
                png = out.get("data", {}).get("image/png")
                if not png:
                    continue
                raw = base64.b64decode("".join(png) if isinstance(png, list) else png)
                pixels = struct.unpack(">I", raw[16:20])[0]
                shown = out.get("metadata", {}).get("image/png", {}).get("width")
                if not shown or pixels < 1.9 * shown:
                    low.append((path.name, i))
    assert not low, f"figures not stored at 2x (re-execute with lossbook.setup()): {low[:10]}"


#: The widest figure a phone can show legibly: two panels of 4-5 inches side by side. A figure is
#: stored as a retina PNG (twice the pixels) of matplotlib's 100 dpi, so its width in inches is
#: pixels / 2 / 100. Three panels fitted into 11 inches would be under 4 inches each, so the
#: sources are checked too: no subplots grid and no small_multiples with more than 2 columns.
MAX_FIGURE_WIDTH_IN = 11.0
FIGURE_DPI = 100
MIN_ALT_CHARS = 30
_WIDE_GRID = re.compile(r"subplots\(\s*\d+\s*,\s*([3-9]|\d{2,})\b|ncols\s*=\s*([3-9]|\d{2,})\b")


def _image_cells(nb_path: Path) -> list[tuple[int, dict]]:
    return [
        (i, cell)
        for i, cell in enumerate(json.loads(nb_path.read_text())["cells"])
        if cell["cell_type"] == "code"
        and any("image/png" in out.get("data", {}) for out in cell.get("outputs", []))
    ]


def _png_width(out: dict) -> int:
    import base64
    import struct

    png = out["data"]["image/png"]
    raw = base64.b64decode("".join(png) if isinstance(png, list) else png)
    return struct.unpack(">I", raw[16:20])[0]


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_has_a_caption_a_name_alt_text_and_two_panels_per_row_at_most(nb_path):
    # myst-nb reads the cell metadata {"mystnb": {"figure": {"caption", "name"}, "image": {"alt"}}}
    # and wraps each displayed output of the cell (an image, but also a Math or HTML display) in a
    # figure of that name: a second one is a duplicate target, a warning that fails the strict
    # build. So a figure cell displays only its image. The width bound keeps it readable on a phone.
    prefix = f"fig-{nb_path.name[:2]}-"
    problems = []
    for i, cell in _image_cells(nb_path):
        images = [out for out in cell["outputs"] if "image/png" in out.get("data", {})]
        meta = cell["metadata"].get("mystnb", {})
        caption = meta.get("figure", {}).get("caption", "")
        name = meta.get("figure", {}).get("name", "")
        alt = meta.get("image", {}).get("alt", "")
        # myst-nb wraps every displayed output of the cell in the figure (glue records excepted)
        shown = [
            out
            for out in cell["outputs"]
            if out["output_type"] in ("display_data", "execute_result")
            and not all(k.startswith("application/papermill.record/") for k in out["data"])
        ]
        if len(shown) != 1:
            problems.append(f"cell {i}: {len(shown)} displayed outputs with the figure (split it)")
        if not caption.strip():
            problems.append(f"cell {i}: no caption")
        if not re.fullmatch(re.escape(prefix) + r"[a-z0-9]+(-[a-z0-9]+)*", name):
            problems.append(f"cell {i}: name {name!r} does not start with {prefix!r}")
        if len(alt.strip()) < MIN_ALT_CHARS:
            problems.append(f"cell {i}: alt text shorter than {MIN_ALT_CHARS} characters")
        for out in images:
            inches = _png_width(out) / 2 / FIGURE_DPI
            if inches > MAX_FIGURE_WIDTH_IN:
                problems.append(
                    f"cell {i}: figure {inches:.1f} in wide (max {MAX_FIGURE_WIDTH_IN})"
                )
        wide = _WIDE_GRID.search("".join(cell["source"]))
        if wide:
            problems.append(f"cell {i}: more than 2 panels per row ({wide.group(0)!r})")
    assert not problems, f"{nb_path.name}: " + "; ".join(problems)


def test_figure_names_are_unique_across_the_book():
    names = [
        cell["metadata"]["mystnb"]["figure"]["name"]
        for path in NOTEBOOKS
        for _, cell in _image_cells(path)
        if cell["metadata"].get("mystnb", {}).get("figure", {}).get("name")
    ]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert not duplicates, f"figure names used twice: {duplicates}"


def test_plot_helpers_wrap_at_two_panels_per_row():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lossbook import plot

    fig = plot.small_multiples(lambda ax, v: ax.plot([0, v]), [1, 2, 3], param="v")
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert len(fig.axes) == 4 and len(shown) == 3  # 2 x 2, the spare one hidden
    assert fig.get_figwidth() <= MAX_FIGURE_WIDTH_IN
    with pytest.raises(ValueError, match="ncols"):
        plot.small_multiples(lambda ax, v: None, [1, 2, 3], param="v", ncols=3)
    hist = {"run": {"a": [1.0, 0.5], "b": [0.2, 0.1], "c": [3.0, 2.0]}}
    fig_h = plot.history(hist, metrics=("a", "b", "c"))
    rows = {round(ax.get_position().y0, 3) for ax in fig_h.axes if ax.get_visible()}
    assert len(fig_h.axes) == 4 and len(rows) == 2 and fig_h.get_figwidth() <= MAX_FIGURE_WIDTH_IN
    plt.close("all")


def test_frames_play_without_a_kernel():
    """lossbook.plot.frames: every frame is a self-contained PNG data URI, the slider swaps
    them with an inline handler, and the text nbval compares does not depend on pixels."""
    import base64
    import html as html_

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lossbook import plot

    def draw(k):
        plt.subplots(figsize=(4.0, 3.0))[1].plot([0, 1], [0, k])

    f = plot.frames(draw, "k", [1, 2, 3], alt="A line from the origin whose slope is k.")
    page = f._repr_html_()
    assert repr(f) == "<lossbook frames: k over 3 values>"
    srcs = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page)
    assert len(set(srcs)) == 3  # three different pictures, the middle one shown first
    assert srcs[0] == srcs[2] and "http" not in page
    assert all(base64.b64decode(s)[:8] == b"\x89PNG\r\n\x1a\n" for s in srcs)
    assert 'type="range"' in page and "oninput=" in page and 'value="1"' in page
    pixels = int.from_bytes(base64.b64decode(srcs[0])[16:20], "big")
    assert f"width: {pixels // 2}px" in html_.unescape(page)  # retina: shown at half its pixels
    assert 300 < pixels // 2 <= 400  # a 4-inch figure at 100 dpi, tight box
    with pytest.raises(ValueError, match="alt"):
        plot.frames(draw, "k", [1], alt=" ")
    with pytest.raises(ValueError, match="frame_values"):
        plot.explorer(draw, alt="A line from the origin.", k=(0.0, 2.0, 0.5, 1.0))
    assert not plt.get_fignums()  # every frame's figure was closed


#: The longest code cell a reader is shown; longer code (helpers, data, plotting) goes behind a
#: toggle (the `hide-input` tag) or is split where the lesson needs it visible.
MAX_VISIBLE_CODE_LINES = 45
#: Cells allowed to break either rule: (notebook, cell id) -> why. Keep it short.
COLLAPSE_ALLOWED: dict[tuple[str, str], str] = {}


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_plotting_code_is_collapsed_and_visible_code_cells_are_short(nb_path):
    # A figure's plotting code is not the lesson: the reader sees the figure and can open the code.
    # Where a cell mixed lesson code and plotting, it was split (lesson visible, figure hidden).
    problems = []
    for cell in json.loads(nb_path.read_text())["cells"]:
        if cell["cell_type"] != "code" or (nb_path.name, cell["id"]) in COLLAPSE_ALLOWED:
            continue
        if "hide-input" in cell["metadata"].get("tags", []):
            continue
        shows_image = any("image/png" in out.get("data", {}) for out in cell.get("outputs", []))
        n_lines = len("".join(cell["source"]).splitlines())
        if shows_image:
            problems.append(f"cell {cell['id']}: draws a figure but its code is not hide-input")
        if n_lines > MAX_VISIBLE_CODE_LINES:
            problems.append(
                f"cell {cell['id']}: {n_lines} visible lines (max {MAX_VISIBLE_CODE_LINES}: "
                "hide helpers and data, split the rest)"
            )
    assert not problems, f"{nb_path.name}: " + "; ".join(problems)


def test_glued_values_are_plain_python_numbers():
    # glue() stores repr(value); NumPy scalars print as "np.float64(1.118)", which the book's
    # {glue:text}`name:.3f` cannot format (a build warning, an error under -W).
    bad = []
    for path in NOTEBOOKS:
        for i, cell in enumerate(json.loads(path.read_text())["cells"]):
            for out in cell.get("outputs", []):
                text = out.get("data", {}).get("application/papermill.record/text/plain", "")
                text = "".join(text) if isinstance(text, list) else text
                if text.startswith("np."):
                    bad.append((path.name, i, text))
    assert not bad, f"glue a float()/int(), not a NumPy scalar: {bad}"


def test_contributing_lists_every_family_and_loss_as_the_catalog_does():
    """The family table of CONTRIBUTING.md is typed by hand: it must match the catalog."""
    import importlib

    cat = importlib.import_module("lossbook.catalog")
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\w+)` \| ([\w, ]+) \|$", text, flags=re.M))
    table = {family: [n.strip() for n in names.split(",")] for family, names in rows.items()}
    expected: dict[str, list[str]] = {family: [] for family in cat.FAMILIES}
    for name in cat.catalog.names():
        expected[cat.catalog[name].family].append(name)
    assert table == expected
