"""Small Sphinx fixes for the offline, warning-free book.

- sphinx-thebe 0.3.1 under Jupyter Book 1 adds its inline configuration script twice,
  which throws "Identifier 'THEBE_JS_URL' has already been declared" in the browser.
  Drop exact duplicate script entries from every page.
- Navigation on phones, tablets and desktops. pydata-sphinx-theme 0.17.1 sets
  ``navbar_persistent = ["search-button-field"]`` from Python whenever the user's
  ``html_theme_options`` do not name it, which defeats sphinx-book-theme 1.3.0's empty navbar
  (its theme.conf default is not seen by that check). The hidden PST header is then rendered,
  with a second search box (64 px above every page on desktop) and a second, hidden ☰ and
  "Contents" button; PST's JavaScript wires only the first ``.primary-toggle`` /
  ``.secondary-toggle`` it finds (the hidden ones), so the visible buttons of the book theme
  did nothing. sphinx-book-theme 1.3.0 requires pydata-sphinx-theme==0.17.1 exactly, so there
  is no other version to pin; naming ``navbar_persistent`` (empty) is the fix (upstream:
  executablebooks/sphinx-book-theme#988 and #999).
- The sidebar shows every chapter (``show_navbar_depth: 2``): the chapters are sections of
  the part intro pages and were collapsed under them. book/_static/lossbook.css lets the
  intro page's entry stand for the part's caption instead of repeating it.
- Links to the repository (buttons, launch buttons) exist only when ``repository.url`` in
  _config.yml is set to a real repository: :func:`repository_buttons`.
- The footer shows the package version (``lossbook.__version__``), the licence (from
  pyproject.toml) and the build date (``SOURCE_DATE_EPOCH`` if set, for reproducible builds).
- The References page labels entries author-year ("Goodfellow et al., 2016"), as the citations
  in the text read: a pybtex label style, used by the formatting style ``lossbook`` that
  ``bibtex_default_style`` names in _config.yml.
- The theme's ".pdf" download entry prints the current page only: it is labelled so (the
  whole book is one PDF, made by `make pdf`, scripts/make_pdf.py).
- Search (snippets without raw TeX, the API page ranked after the chapters) is done in the
  browser by search_scorer.js, which _config.yml names as ``html_search_scorer``.
- The API page and the glossary are built from ``lossbook.catalog`` by the directives of
  lossbook_pages.py (autodoc, autosummary and napoleon over the generated docstrings).
"""

from __future__ import annotations

import ast
import datetime as _dt
import html
import os
from collections import Counter
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[2]


# ----------------------------------------------------------------------------- scripts


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        key = (
            getattr(js, "filename", None) or "",
            tuple(sorted((k, str(v)) for k, v in getattr(js, "attributes", {}).items())),
        )
        if key in seen:
            continue
        seen.add(key)
        unique.append(js)
    context["script_files"] = unique


# ----------------------------------------------------------------------------- theme, footer


def _package_version() -> str:
    """lossbook.__version__: imported if the package is installed, else read from its source."""
    try:
        import lossbook

        return lossbook.__version__
    except ImportError:
        tree = ast.parse((ROOT / "src" / "lossbook" / "__init__.py").read_text())
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                getattr(t, "id", None) == "__version__" for t in node.targets
            ):
                return ast.literal_eval(node.value)
        raise


def _package_license() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lic = project.get("license", "")
    return lic.get("text", "") if isinstance(lic, dict) else str(lic)


def _build_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc).date().isoformat()
    return _dt.date.today().isoformat()


def _footer_html() -> str:
    parts = [
        f"lossbook {html.escape(_package_version())}",
        f"{html.escape(_package_license())} License",
        f"built {_build_date()}",
    ]
    return '<p class="lossbook-build">' + " · ".join(parts) + "</p>"


_REPO_BUTTONS = ("use_repository_button", "use_edit_page_button", "use_issues_button")


def repository_buttons(opts: dict) -> None:
    """One setting, ``repository.url`` in _config.yml, switches on every link to the repository:
    the Repository, Suggest-edit and Open-issue buttons and the Colab/Binder launch buttons.
    Without a real URL (empty, or the fork placeholder) the book has none of them, so it never
    shows a dead link."""
    url = (opts.get("repository_url") or "").strip()
    if url.startswith("https://") and "YOUR-GITHUB-USER" not in url:
        for button in _REPO_BUTTONS:
            opts[button] = True
        return
    for button in _REPO_BUTTONS:
        opts[button] = False
    opts.pop("repository_url", None)
    opts["launch_buttons"] = {}


def _theme_options(app, config):
    # book/_static: lossbook.css (sidebar part headings, footer) and the favicon. No .js here.
    if "book/_static" not in config.html_static_path:
        config.html_static_path.append("book/_static")
    opts = config.html_theme_options
    repository_buttons(opts)
    # Named (even empty) so that pydata-sphinx-theme does not add its own header: see above.
    opts.setdefault("navbar_persistent", [])
    opts.setdefault("show_navbar_depth", 2)
    if not opts.get("extra_footer"):
        opts["extra_footer"] = _footer_html()


# ----------------------------------------------------------------------------- bibliography


def _register_label_style():
    from pybtex.plugin import register_plugin
    from pybtex.richtext import Text
    from pybtex.style.formatting.alpha import Style as AlphaStyle
    from pybtex.style.labels import BaseLabelStyle

    def _plain(latex: str) -> str:
        return Text.from_latex(latex).render_as("text")

    class AuthorYearLabelStyle(BaseLabelStyle):
        """'Bishop, 2006', 'Kingma and Ba, 2015', 'Goodfellow et al., 2016' (as cited in the text);
        a letter is appended to the year when two entries would get the same label."""

        def format_labels(self, sorted_entries):
            labels = [self.format_label(e) for e in sorted_entries]
            count, seen = Counter(labels), Counter()
            for label in labels:
                if count[label] == 1:
                    yield label
                else:
                    yield label + chr(ord("a") + seen[label])
                    seen[label] += 1

        def format_label(self, entry):
            persons = entry.persons.get("author") or entry.persons.get("editor") or []
            names = [_plain("\u00a0".join(p.prelast_names + p.last_names)) for p in persons]
            if not names:
                who = _plain(
                    entry.fields.get("organization", "") or entry.fields.get("key", "") or entry.key
                )
            elif len(names) == 1:
                who = names[0]
            elif len(names) == 2:
                who = f"{names[0]} and {names[1]}"
            else:
                who = f"{names[0]} et al."
            year = entry.fields.get("year", "")
            return f"{who}, {year}" if year else who

    class LossbookStyle(AlphaStyle):
        """The alpha style (sorted by author, year, title) with author-year labels."""

        default_label_style = "lossbook_authoryear"

    register_plugin("pybtex.style.labels", "lossbook_authoryear", AuthorYearLabelStyle, force=True)
    register_plugin("pybtex.style.formatting", "lossbook", LossbookStyle, force=True)


def _always_reread(app, env, added, changed, removed):
    # Built from the package, not from their (short) sources: read again on every build.
    return [d for d in ("book/api", "book/glossary") if d in env.found_docs]


# ----------------------------------------------------------------------------- header buttons


def _label_print_button(app, pagename, templatename, context, doctree):
    """The theme's ".pdf" download entry prints the current page only (window.print()): say so.
    The whole book is one PDF made by `make pdf` (linked from the landing page)."""
    for group in context.get("header_buttons") or []:
        for button in group.get("buttons", []) if isinstance(group, dict) else []:
            if button.get("label") == "download-pdf-button":
                button["text"] = ".pdf (this page)"
                button["tooltip"] = "Print this page to PDF (the whole book: make pdf)"


def setup(app):
    app.setup_extension("lossbook_pages")
    app.connect("env-get-outdated", _always_reread)
    _register_label_style()
    app.connect("config-inited", _theme_options)
    app.add_css_file("lossbook.css")
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    # after sphinx-book-theme's add_header_buttons (priority 501)
    app.connect("html-page-context", _label_print_button, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
