"""The prose claims only what the cells show.

* Every number typed in a chapter's markdown is produced by a cell of that chapter: it appears
  (to the precision written) in a code cell's source or stored output, or comes from myst-nb's
  ``glue``. Exempt: a short list of constants, software versions, exercise statements and worked
  solutions (their arithmetic is the lesson, and the solution's code cell checks it).
* Every paper named in the prose ("Burges et al.", "Barron (2019)", "Lim & Ye, 2017") is cited
  in the same cell with ``{cite}`` of a bibliography entry that has that author.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

#: Constants that need no cell: defaults, textbook thresholds and round illustration values.
ALLOWED = {
    "0.0", "0.5", "1.0", "2.0", "0.1", "0.01", "0.001", "0.2", "0.25", "0.75", "0.9", "0.95",
    "0.99", "0.999", "1e-7", "1e-8", "1e-6", "1e-5", "1e-4", "1e-3", "1e-12", "1e-15",
}  # fmt: skip

#: Arithmetic facts quoted in one chapter (not measurements), with the reason. Keep it short.
ALLOWED_IN = {
    "04_classification_losses": {"1.19": "float32 machine epsilon, 1.19e-7"},
    "06_optimisation": {
        "0.99900001": "float32(0.999)",
        "0.00099999": "1 - float32(0.999)",
    },
    "07_training_demos": {
        "7.5": "linear_with_outliers: offsets 15 x U(0.5, 1.5)",
        "22.5": "linear_with_outliers: offsets 15 x U(0.5, 1.5)",
        "0.025": "one positive in 40",
    },
    "08_implementing_a_loss": {"1.8": "the largest float64, about 1.8e308"},
    "09_frameworks": {
        "1.19": "float32 machine epsilon, 1.19e-7",
        "3.7": "e^-100 = 3.7e-44",
        "0.031": "float16 spacing at 32, 2^-5",
        "40.96": "4096 additions of 0.01",
    },
    "10_pitfalls": {"2.16": "TensorFlow 2.16, the first release with Keras 3"},
    "14_where_loss_design_is_going": {"9.2": "ln 1e-4"},
}

NUMBER = re.compile(
    r"(?<![\w.\\^_{])[-−]?\d+\.\d+(?:[eE][-+]?\d+)?(?![\w.])"  # 0.83, 2.42, 1.5e-3
    r"|(?<![\w.])\d+(?:\.\d+)?[eE][-+]?\d+(?![\w.])"  # 1e-7
)
VERSION = re.compile(
    r"(?:Python|NumPy|numpy|PyTorch|torch|TensorFlow|tensorflow|Keras|keras|CUDA|Jupyter Book|"
    r"jupyter-book|scikit-learn|matplotlib|version|v)\s*(?:==|>=)?\s*\d+(?:\.\d+)+"
)
ARXIV = re.compile(r"(?:arXiv|abs/|arxiv\.org/\w+/)\s*:?\s*\d{4}\.\d{4,5}")
GLUE = re.compile(r"\{glue(?::\w+)?\}`[^`]*`")


def _numbers(text: str) -> list[str]:
    return [m.group(0).replace("−", "-").lstrip("-") for m in NUMBER.finditer(text)]


def _produced(nb: dict) -> list[float]:
    values: list[float] = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        texts = ["".join(cell["source"])]
        for out in cell.get("outputs", []):
            texts.append("".join(out.get("text", "")))
            data = out.get("data", {})
            for mime in ("text/plain", "text/html", "text/markdown", "text/latex"):
                texts.append("".join(data.get(mime, "")))
        for text in texts:
            values += [float(x) for x in _numbers(text)]
    return values


def _matches(written: str, produced: list[float]) -> bool:
    exponent = Decimal(written).as_tuple().exponent
    half_ulp = 0.5 * 10.0 ** min(int(exponent), 0)
    value = float(written)
    tolerance = max(half_ulp, abs(value) * 1e-9)
    return any(abs(abs(p) - value) <= tolerance for p in produced)


def _prose_cells(nb: dict):
    """Markdown cells outside exercise statements and worked solutions, with their index."""
    inside = False
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        starts = text.count("{exercise-start}") + text.count("{solution-start}")
        ends = text.count("{exercise-end}") + text.count("{solution-end}")
        if not inside and not starts:
            yield i, text
        if starts > ends:
            inside = True
        elif ends > starts:
            inside = False


def unproduced_numbers(nb: dict, allowed: dict[str, str] | None = None) -> list[tuple[int, str]]:
    produced = _produced(nb)
    allowed = ALLOWED | set(allowed or {})
    missing = []
    for i, text in _prose_cells(nb):
        text = ARXIV.sub("", VERSION.sub("", GLUE.sub("", text)))
        for written in _numbers(text):
            if written not in allowed and not _matches(written, produced):
                missing.append((i, written))
    return missing


def test_the_number_check_catches_a_typed_number():
    nb = {
        "cells": [
            {"cell_type": "markdown", "source": ["The loss is about 2.3 and p = 0.10 here."]},
            {"cell_type": "code", "source": ["p = 0.0889"], "outputs": [{"text": "loss 2.42\n"}]},
            {
                "cell_type": "markdown",
                "source": ["TensorFlow 2.21 gives 2.42; {glue:text}`x:.3f`."],
            },
        ]
    }
    assert unproduced_numbers(nb) == [(0, "2.3"), (0, "0.10")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_number_in_the_prose_comes_from_a_cell(path):
    missing = unproduced_numbers(json.loads(path.read_text()), ALLOWED_IN.get(path.stem))
    assert not missing, (
        f"{path.name}: numbers in the prose that no cell produces (cell index, number): {missing}. "
        "Glue them ({glue:text}`name:.3f`), or print them in the cell the prose describes."
    )


# ---------------------------------------------------------------- citations

NAMED = re.compile(
    r"\b(?P<a>[A-Z][A-Za-zÀ-ÿ'’\-]+)(?:\s+(?:and|&)\s+[A-Z][A-Za-zÀ-ÿ'’\-]+)?"
    r"(?:\s+et\s+al\.?|,?\s+\(?(?:19|20)\d\d\)?)"
)
NOT_AUTHORS = {
    "In", "The", "See", "Since", "From", "Version", "Python", "Keras", "TensorFlow", "PyTorch",
    "Chapter", "Section", "Table", "Figure", "Exercise", "Colab", "Near", "Torch", "January",
    "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "NeurIPS", "Summer", "Winter", "Spring", "Autumn", "Until", "Before", "After",
}  # fmt: skip


LATEX_ACCENTS = {
    '"': {"u": "ü", "o": "ö", "a": "ä", "U": "Ü", "O": "Ö", "A": "Ä"},
    "'": {"e": "é", "a": "á", "o": "ó", "i": "í", "E": "É"},
    "`": {"e": "è", "a": "à"},
}


def _bib_authors() -> dict[str, str]:
    bib = (ROOT / "book" / "references.bib").read_text()
    authors = {}
    for m in re.finditer(r"@\w+\{([^,\s]+),(.*?)\n\}", bib, re.S):
        found = re.search(r"author\s*=\s*\{(.*?)\}\s*,?\s*\n", m.group(2), re.S)
        text = found.group(1) if found else ""
        for accent, letters in LATEX_ACCENTS.items():  # M{\"u}ller -> Müller
            for plain, accented in letters.items():
                text = text.replace("{\\" + accent + plain + "}", accented)
                text = text.replace("\\" + accent + plain, accented)
        authors[m.group(1)] = text
    return authors


def uncited_names(markdown_cells: list[str], authors: dict[str, str]) -> list[tuple[int, str]]:
    missing = []
    for i, text in enumerate(markdown_cells):
        keys = [
            k.strip()
            for group in re.findall(r"\{cite(?::\w+)?\}`([^`]*)`", text)
            for k in group.split(",")
        ]
        cited = " ".join(authors.get(k, "") for k in keys).lower()
        prose = re.sub(r"`[^`]*`", "", re.sub(r"\{cite(?::\w+)?\}`[^`]*`", "", text))
        for m in NAMED.finditer(prose):
            name = m.group("a")
            if name in NOT_AUTHORS or name.isupper() or name.lower() in cited:
                continue
            missing.append((i, " ".join(m.group(0).split())))
    return missing


def test_the_citation_check_catches_an_uncited_name():
    authors = {"burges2005learning": "Burges, Chris and Shaked, Tal"}
    cells = [
        "RankNet (Burges et al., 2005) is pairwise.",
        "RankNet {cite}`burges2005learning` (Burges et al.)",
    ]
    assert uncited_names(cells, authors) == [(0, "Burges et al.")]


@pytest.mark.parametrize(
    "path", NOTEBOOKS + sorted((ROOT / "book").glob("*.md")), ids=lambda p: p.name
)
def test_every_named_paper_is_cited(path):
    if path.suffix == ".ipynb":
        cells = [
            "".join(c["source"])
            for c in json.loads(path.read_text())["cells"]
            if c["cell_type"] == "markdown"
        ]
    else:
        cells = [path.read_text()]
    missing = uncited_names(cells, _bib_authors())
    assert not missing, (
        f"{path.name}: papers named without a {{cite}} of an entry by that author in the same cell "
        f"(cell index among markdown cells, text): {missing}"
    )
