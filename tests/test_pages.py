"""The pages built from the catalog at build time (book/_ext/lossbook_pages.py): the glossary
and summary tables, the per-loss entries and the API reference. Nothing generated is
committed: book/api.md and book/glossary.md only hold the directives."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import lossbook_pages as pages  # noqa: E402

import lossbook  # noqa: E402
from lossbook._glossary import GENERAL_TERMS  # noqa: E402


def _bar_entries():
    return [e for e in lossbook.catalog if "|" in e.estimates]


def test_some_catalog_entries_have_a_bar_in_what_they_estimate():
    # the rows that a markdown table cut off ("The sign of P(y = 1"): the test below needs them
    assert len(_bar_entries()) >= 3


def test_glossary_table_keeps_every_row_whole():
    table = pages.glossary_table()
    text = table.astext()
    rows = table.findall(lambda n: n.tagname == "row")
    titles = {e.title.lower() for e in lossbook.catalog}
    general = [t for t in GENERAL_TERMS if t[0].lower() not in titles]  # a loss's row wins
    assert len(list(rows)) == 1 + len(lossbook.catalog) + len(general)  # header + terms
    for e in lossbook.catalog:
        whole = f"Loss ({e.task}): {pages._sentence(e.estimates)} See {e.name}."
        assert whole in text, whole
    assert "The conditional probability P(y = 1 | x)." in text
    for en, zh, d in general:
        assert en in text and zh in text and d in text


def test_glossary_is_sorted_and_links_each_loss_to_its_entry():
    rows = pages.glossary_rows()
    assert [r[0].lower() for r in rows] == sorted(r[0].lower() for r in rows)
    refs = [p for _, _, cell in rows for p in cell if isinstance(p, tuple) and p[0] == "ref"]
    assert sorted(r[1] for r in refs) == sorted(f"api-{e.name}" for e in lossbook.catalog)


def test_summary_table_has_one_row_per_loss_with_its_builtins():
    table = pages.summary_table()
    text = table.astext()
    assert len(pages.summary_rows()) == len(lossbook.catalog)
    for e in lossbook.catalog:
        for s in (e.name, e.task, e.torch_builtin, e.keras_builtin):
            if s:
                assert s in text


def test_escape_bars_leaves_math_doctests_and_literals_alone():
    lines = [
        "agrees even at |z| = 1000, and ||a - p|| is a norm",
        "``|z|`` up to 1e4 for |logits|",
        ".. math::",
        "",
        "    |y - \\hat{y}|",
        "",
        ">>> abs(-1)  # |x|",
        "1",
    ]
    assert pages.escape_bars(lines) == [
        "agrees even at \\|z\\| = 1000, and ||a - p|| is a norm",
        "``|z|`` up to 1e4 for \\|logits\\|",
        ".. math::",
        "",
        "    |y - \\hat{y}|",
        "",
        ">>> abs(-1)  # |x|",
        "1",
    ]


@pytest.mark.parametrize("module", ["lossbook.numpy", "lossbook.torch"])
def test_api_lists_every_loss_of_the_backend(module):
    names = pages.api_functions(module)
    for e in lossbook.catalog:
        assert e.name in names
        if module == "lossbook.numpy":
            assert names.index(f"{e.name}_grad") == names.index(e.name) + 1
    assert len(names) == len(set(names))


def test_committed_pages_hold_only_the_directives():
    api = (ROOT / "book" / "api.md").read_text()
    glossary = (ROOT / "book" / "glossary.md").read_text()
    assert "{lossbook-glossary}" in glossary
    for d in (
        "{lossbook-summary}",
        "lossbook-losses",
        *(f"lossbook-api:: lossbook.{b}" for b in ("numpy", "torch", "tensorflow")),
    ):
        assert d in api
    for page in (api, glossary):
        assert "\n|" not in page  # no markdown table: the tables come from the directives
    assert not (ROOT / "scripts" / "gen_pages.py").exists()


CONF = """
import sys
sys.path.insert(0, {ext!r})
extensions = ["myst_parser", "sphinxcontrib.bibtex", "lossbook_pages"]
bibtex_bibfiles = [{bib!r}]
autodoc_typehints = "none"
add_module_names = False
napoleon_google_docstring = False
napoleon_use_param = False
napoleon_use_rtype = False
nitpick_ignore = [("py:class", "ValueError")]
nitpick_ignore_regex = [("py:mod", r"lossbook(\\..+)?\\._\\w+")]
"""

INDEX = """
# Pages

```{toctree}
glossary
api
```

```{bibliography}
```
"""

API = """
# API

```{lossbook-summary}
```

```{eval-rst}
.. lossbook-losses::
   :backends: numpy
```

## numpy

```{eval-rst}
.. lossbook-api:: lossbook.numpy
```
"""


@pytest.mark.slow
def test_directives_build_warning_free_and_render_the_full_rows(tmp_path):
    """A strict (-W -n) Sphinx build of the directives (NumPy backend only, for speed)."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        CONF.format(ext=str(ROOT / "book" / "_ext"), bib=str(ROOT / "book" / "references.bib"))
    )
    (src / "index.md").write_text(textwrap.dedent(INDEX))
    (src / "glossary.md").write_text((ROOT / "book" / "glossary.md").read_text())
    (src / "api.md").write_text(textwrap.dedent(API))
    out = tmp_path / "html"
    r = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "-n", "--keep-going", "-q"]
        + [str(src), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    glossary = (out / "glossary.html").read_text()
    api = (out / "api.html").read_text()
    for e in _bar_entries():
        assert pages._sentence(e.estimates).replace(">", "&gt;") in glossary, e.name
    assert 'href="api.html#api-focal"' in glossary
    for e in lossbook.catalog:
        assert f'id="api-{e.name}"' in api
        assert f'id="lossbook.numpy.{e.name}"' in api
        assert f'id="lossbook.numpy.{e.name}_grad"' in api
    assert "Undefined substitution" not in api and "problematic" not in api
    assert 'class="math notranslate nohighlight"' in api  # the formulas go to MathJax
