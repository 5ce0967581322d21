"""The whole-book PDF (`make pdf`, scripts/make_pdf.py): `make pdf-check`.

Opt-in, not part of `make test`: it runs only with LOSSBOOK_TEST_PDF=1. It then checks
_build/pdf/lossbook.pdf if that is newer than the HTML build, else builds it first (the strict
HTML build and the browser print, about 3 minutes on a 2-core machine). Extracting the text of
the 500 pages with pypdf takes about 2 minutes more. Run it with

    make pdf-check
    LOSSBOOK_TEST_PDF=1 .venv/bin/python -m pytest -q tests/test_pdf.py   (after `make pdf`)

It is skipped when the PDF would have to be built but chromium or playwright is missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
PDF = ROOT / "_build" / "pdf" / "lossbook.pdf"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
sys.path.insert(0, str(ROOT / "scripts"))
from booktoc import toc_files  # noqa: E402

pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed (requirements-dev.txt)")
pytestmark = pytest.mark.slow

# A line of chapter 04 (152 characters) that the print clipped before code wrapped.
LONG_LINE_NB = "notebooks/04_classification_losses.ipynb"
LONG_LINE_START = '"keras CategoricalCrossentropy(ls=0.1), one-hot"'


def _fresh() -> bool:
    index = HTML / "index.html"
    return PDF.is_file() and index.is_file() and PDF.stat().st_mtime >= index.stat().st_mtime


def _squash(text: str) -> str:
    """NFKC (the PDF's ligatures: "ﬁ" -> "fi") and no whitespace: wrapped lines join up."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture(scope="module")
def pdf_text() -> tuple[int, str]:
    """(page count, text of every page), once per run; a failed build is not retried."""
    if os.environ.get("LOSSBOOK_TEST_PDF") != "1":
        pytest.skip("the PDF check is opt-in (about 2-5 minutes): make pdf-check")
    if not _fresh():
        if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
            pytest.skip(f"no chromium at {CHROMIUM} (scripts/install_browser.sh installs it)")
        pytest.importorskip("playwright", reason="playwright is not installed")
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
        subprocess.run([sys.executable, "scripts/make_pdf.py"], cwd=ROOT, env=env, check=True)
    reader = pypdf.PdfReader(PDF)
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


class _H1(HTMLParser):
    """The text of the article's first <h1> (the theme's print title comes before it)."""

    def __init__(self):
        super().__init__()
        self.in_article = self.in_h1 = self.done = False
        self.in_link = 0
        self.text = ""

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.in_article = True
        elif tag == "h1" and self.in_article and not self.done:
            self.in_h1 = True
        elif tag == "a" and self.in_h1 and "headerlink" in (dict(attrs).get("class") or ""):
            self.in_link += 1

    def handle_endtag(self, tag):
        if tag == "h1" and self.in_h1:
            self.in_h1, self.done = False, True
        elif tag == "a" and self.in_link:
            self.in_link -= 1

    def handle_data(self, data):
        if self.in_h1 and not self.in_link:
            self.text += data


def chapter_titles() -> list[str]:
    titles = []
    for f in toc_files():
        parser = _H1()
        parser.feed((HTML / (f + ".html")).read_text(encoding="utf-8"))
        titles.append(parser.text.strip())
    return titles


def test_pdf_has_every_page_of_the_book(pdf_text):
    n_pages, text = pdf_text
    print(f"lossbook.pdf: {n_pages} pages")
    assert n_pages > 100
    squashed = _squash(text)
    titles = chapter_titles()
    assert all(titles), f"a page of _toc.yml has no title: {titles}"
    missing = [t for t in titles if _squash(t) not in squashed]
    assert not missing, f"chapter titles not in the PDF: {missing}"


def test_pdf_math_is_typeset(pdf_text):
    _, text = pdf_text
    raw = [m.group(0) for m in re.finditer(r".{0,30}(\$\$|\\\(|\\\[).{0,30}", text)]
    assert not raw, f"raw math delimiters in the PDF (MathJax did not typeset): {raw[:5]}"


def test_pdf_code_is_wrapped_not_clipped(pdf_text):
    _, text = pdf_text
    nb = json.loads((ROOT / LONG_LINE_NB).read_text())
    lines = [
        line.strip()
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
        for line in "".join(cell["source"]).splitlines()
        if line.strip().startswith(LONG_LINE_START)
    ]
    assert lines and len(lines[0]) > 120, f"the long line of {LONG_LINE_NB} is gone: {lines}"
    assert _squash(lines[0]) in _squash(text), f"clipped in the PDF: {lines[0]}"
