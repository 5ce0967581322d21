"""The book pages built from ``lossbook.catalog`` at build time (nothing generated is committed).

Directives (loaded by lossbook_sphinx.py):

``lossbook-glossary``
    The English ↔ 中文 glossary table: every catalog entry (its title, its Chinese name, what
    it estimates and a link to its API entry) and the general terms of
    ``lossbook._glossary.GENERAL_TERMS``, sorted by the English term.
``lossbook-summary``
    The API page's summary table of the catalog: loss (linked to its entry), task,
    arguments, keyword parameters and the closest PyTorch and Keras built-ins.
``lossbook-losses``
    One section per catalog entry, labelled ``api-<name>`` (the glossary and the summary
    link there): what it estimates, the unreduced loss and its gradient (LaTeX from the
    catalog), the built-ins, when to use it, its pitfalls, its references and links to the
    function in each backend (option ``:backends:``, default ``numpy torch tensorflow``: the
    backends documented on the same page). Use it inside ``{eval-rst}`` (the references are ``:cite:``
    roles parsed as reStructuredText).
``lossbook-api`` *module*
    The module's docstring, an autosummary table and one ``autofunction`` per public
    function of ``lossbook.numpy`` / ``lossbook.torch`` / ``lossbook.tensorflow`` in catalog
    order (each loss, then its ``_grad`` in NumPy, then any function outside the catalog).
    The docstrings are the ones the frame generates from the catalog (numpy style, read by
    ``sphinx.ext.napoleon``, with ``.. math::``). Use it inside ``{eval-rst}``.

The tables are docutils nodes built from the Python strings, never markdown: a ``|`` in a
definition ("P(y = 1 | x)") is text, not a column separator.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable

from docutils import nodes
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

# A cell is a list of parts: a str is text, ("code", s) inline code, ("ref", label, text) a
# link to a label of the book (rendered as inline code, the way the loss names are written).
Cell = list


def _sentence(text: str) -> str:
    text = text.strip()
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _catalog():
    import lossbook

    return lossbook.catalog


# ----------------------------------------------------------------------------- rows


def glossary_rows() -> list[tuple[str, str, Cell]]:
    """(English, 中文, meaning) of every glossary row, sorted by the English term."""
    from lossbook._glossary import GENERAL_TERMS

    rows: list[tuple[str, str, Cell]] = [
        (
            e.title,
            e.chinese,
            [
                f"Loss ({e.task}): {_sentence(e.estimates)} See ",
                ("ref", f"api-{e.name}", e.name),
                ".",
            ],
        )
        for e in _catalog()
    ]
    titles = {r[0].lower() for r in rows}
    rows += [(en, zh, [d]) for en, zh, d in GENERAL_TERMS if en.lower() not in titles]
    rows.sort(key=lambda r: r[0].lower())
    return rows


def summary_rows() -> list[list[Cell]]:
    """One row per catalog entry: loss, task, arguments, keyword parameters, built-ins."""
    rows = []
    for e in _catalog():
        params: Cell = []
        for i, (k, v) in enumerate(e.params.items()):
            params += [", "] if i else []
            params.append(("code", f"{k}={v!r}"))
        rows.append(
            [
                [("ref", f"api-{e.name}", e.name)],
                [e.task],
                [", ".join(e.args)],
                params or ["—"],
                [("code", e.torch_builtin)] if e.torch_builtin else ["—"],
                [("code", e.keras_builtin)] if e.keras_builtin else ["—"],
            ]
        )
    return rows


# ----------------------------------------------------------------------------- nodes


def _ref(label: str, text: str) -> nodes.Node:
    """A :ref: to a label of the book, shown as inline code."""
    ref = addnodes.pending_xref(
        "", refdomain="std", reftype="ref", reftarget=label, refexplicit=True, refwarn=True
    )
    ref += nodes.literal(text, text)
    return ref


def cell_nodes(cell: Cell) -> list[nodes.Node]:
    out: list[nodes.Node] = []
    for part in cell:
        if isinstance(part, str):
            out.append(nodes.Text(part))
        elif part[0] == "code":
            out.append(nodes.literal(part[1], part[1]))
        elif part[0] == "ref":
            out.append(_ref(part[1], part[2]))
        else:  # pragma: no cover - a programming error
            raise ValueError(f"unknown cell part {part!r}")
    return out


def table_node(
    header: list[str], rows: Iterable[list[Cell]], *, widths: list[int], classes: list[str]
) -> nodes.table:
    """A docutils table (header row + rows of cells); the CSS makes it scroll sideways on a
    phone instead of widening the page."""
    table = nodes.table(classes=["lossbook-table", *classes])
    group = nodes.tgroup(cols=len(header))
    table += group
    for w in widths:
        group += nodes.colspec(colwidth=w)
    head = nodes.thead()
    group += head
    head += _row([[h] for h in header])
    body = nodes.tbody()
    group += body
    for r in rows:
        body += _row(r)
    return table


def _row(cells: list[Cell]) -> nodes.row:
    row = nodes.row()
    for c in cells:
        entry = nodes.entry()
        entry += nodes.paragraph("", "", *cell_nodes(c))
        row += entry
    return row


def glossary_table() -> nodes.table:
    rows = [[[en], [zh], meaning] for en, zh, meaning in glossary_rows()]
    # fixed column widths (lossbook.css): the table fits a phone, the long words wrap
    return table_node(
        ["English", "中文", "meaning"],
        rows,
        widths=[24, 18, 58],
        classes=["lossbook-glossary", "colwidths-given"],
    )


def summary_table() -> nodes.table:
    return table_node(
        ["loss", "task", "arguments", "keyword parameters", "PyTorch built-in", "Keras built-in"],
        summary_rows(),
        widths=[18, 15, 13, 14, 20, 20],
        classes=["lossbook-summary", "colwidths-given"],
    )


# ----------------------------------------------------------------------------- directives


class GlossaryDirective(SphinxDirective):
    has_content = False

    def run(self):
        return [glossary_table()]


class SummaryDirective(SphinxDirective):
    has_content = False

    def run(self):
        return [summary_table()]


def _para(*parts) -> nodes.paragraph:
    return nodes.paragraph("", "", *parts)


class LossesDirective(SphinxDirective):
    """One section per catalog entry (see the module docstring)."""

    has_content = False
    option_spec = {"backends": lambda arg: arg.split()}

    def _inline(self, text: str) -> list[nodes.Node]:
        got, messages = self.state.inline_text(text, self.lineno)
        return [*got, *messages]

    def _section(self, e) -> nodes.section:
        from lossbook.catalog import NONE_SHAPES

        label = f"api-{e.name}"
        sec = nodes.section(ids=[label], names=[label])
        self.state.document.note_explicit_target(sec)
        title = nodes.title("", "", nodes.literal(e.name, e.name), nodes.Text(f": {e.title}"))
        sec += title
        links: list[nodes.Node] = [nodes.strong("", "Functions:"), nodes.Text(" ")]
        backends = self.options.get("backends", ["numpy", "torch", "tensorflow"])
        targets = [f"lossbook.{b}.{e.name}" for b in backends]
        if "numpy" in backends:
            targets.append(f"lossbook.numpy.{e.name}_grad")
        for i, t in enumerate(targets):
            if i:
                links.append(nodes.Text(", "))
            ref = addnodes.pending_xref(
                "", refdomain="py", reftype="func", reftarget=t, refexplicit=False, refwarn=True
            )
            ref += nodes.literal(t, t)
            links.append(ref)
        sec += _para(*links, nodes.Text("."))
        sec += _para(
            nodes.strong("", "Task:"),
            nodes.Text(f" {e.task}. "),
            nodes.strong("", "Estimates / use:"),
            nodes.Text(f" {_sentence(e.estimates)}"),
        )
        sec += _para(
            nodes.Text("Unreduced loss ("),
            nodes.literal('reduction="none"', 'reduction="none"'),
            nodes.Text(f": {NONE_SHAPES[e.none_shape]}):"),
        )
        sec += nodes.math_block(e.formula, e.formula, nowrap=False, number=None)
        wrt: list[nodes.Node] = [nodes.Text("Gradient with respect to ")]
        for i, a in enumerate(e.differentiable_args):
            wrt += [nodes.Text(", ")] if i else []
            wrt.append(nodes.literal(a, a))
        sec += _para(*wrt, nodes.Text(":"))
        sec += nodes.math_block(e.gradient, e.gradient, nowrap=False, number=None)
        built: list[nodes.Node] = [nodes.strong("", "Built-ins:"), nodes.Text(" PyTorch ")]
        built += cell_nodes([("code", e.torch_builtin)] if e.torch_builtin else ["—"])
        built.append(nodes.Text("; Keras "))
        built += cell_nodes([("code", e.keras_builtin)] if e.keras_builtin else ["—"])
        built.append(nodes.Text(f". {e.builtin_notes}"))
        sec += _para(*built)
        sec += _para(nodes.strong("", "When to use it."), nodes.Text(f" {e.when_to_use}"))
        sec += _para(nodes.strong("", "Pitfalls."))
        items = nodes.bullet_list(bullet="-")
        for p in e.pitfalls:
            items += nodes.list_item("", _para(nodes.Text(p)))
        sec += items
        if e.references:
            refs: list[nodes.Node] = [nodes.strong("", "References."), nodes.Text(" ")]
            refs += self._inline(", ".join(f":cite:`{k}`" for k in e.references))
            sec += _para(*refs)
        return sec

    def run(self):
        return [self._section(e) for e in _catalog()]


def api_functions(module: str) -> list[str]:
    """The public functions of a backend module: each catalog loss (and its NumPy gradient)
    in catalog order, then the module's other public functions in ``__all__`` order."""
    mod = importlib.import_module(module)
    public = list(getattr(mod, "__all__", []))
    names = []
    for e in _catalog():
        for n in (e.name, f"{e.name}_grad"):
            if n in public:
                names.append(n)
    names += [n for n in public if n not in names]
    return names


class ApiDirective(SphinxDirective):
    """``lossbook-api`` *module*: autosummary + autofunction of every public function."""

    required_arguments = 1
    has_content = False

    def run(self):
        module = self.arguments[0]
        names = api_functions(module)
        lines = [
            f".. automodule:: {module}",
            "",
            f".. currentmodule:: {module}",
            "",
            ".. autosummary::",
            "   :nosignatures:",
            "",
            *(f"   {n}" for n in names),
            "",
        ]
        for n in names:
            lines += [f".. autofunction:: {module}.{n}", ""]
        container = nodes.section()
        container.document = self.state.document
        nested_parse_with_titles(
            self.state, StringList(lines, source=f"<lossbook-api {module}>"), container
        )
        return container.children


# |z| in prose is a reStructuredText substitution reference ("Undefined substitution").
_BARS = re.compile(r"(?<![\\|\w])\|(?=[^\s|])([^|`]*?[^\s|\\])\|(?![|\w])")


def escape_bars(lines: list[str]) -> list[str]:
    """Escape ``|x|`` in the prose of a docstring, so that reStructuredText shows it as text.

    Math blocks (``.. math::`` and what is indented under it), doctest blocks (``>>>`` up to
    a blank line) and inline literals (double backquotes) are left as they are."""
    out, math_indent, doctest = [], None, False
    for line in lines:
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if math_indent is not None and stripped and indent <= math_indent:
            math_indent = None
        if not stripped:
            doctest = False
        elif stripped.startswith(">>>"):
            doctest = True
        if stripped.startswith(".. math::"):
            math_indent = indent
        if math_indent is not None or doctest:
            out.append(line)
            continue
        parts = line.split("``")
        for i in range(0, len(parts), 2):  # outside the inline literals
            parts[i] = _BARS.sub(lambda m: "\\|" + m.group(1) + "\\|", parts[i])
        out.append("``".join(parts))
    return out


def _process_docstring(app, what, name, obj, options, lines):
    if name.startswith("lossbook"):
        lines[:] = escape_bars(lines)


def setup(app):
    for ext in ("sphinx.ext.autodoc", "sphinx.ext.autosummary", "sphinx.ext.napoleon"):
        app.setup_extension(ext)
    app.connect("autodoc-process-docstring", _process_docstring)
    app.add_directive("lossbook-glossary", GlossaryDirective)
    app.add_directive("lossbook-summary", SummaryDirective)
    app.add_directive("lossbook-losses", LossesDirective)
    app.add_directive("lossbook-api", ApiDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
