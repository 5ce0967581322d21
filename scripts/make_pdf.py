"""The whole book as one PDF (`make pdf`): _build/pdf/lossbook.pdf.

Browser print, no LaTeX. Builds the HTML book with the strict build (`run_checks.py
build-book`; skip with --no-build), serves it on 127.0.0.1 and prints every page of _toc.yml,
in order, with Debian's chromium driven by playwright (`page.pdf()`), each after MathJax has
finished typesetting and every image has loaded. The print rules are the `@media print` block
of book/_static/lossbook.css (code and outputs wrap, no sidebars or buttons, figures fit A4).
Before printing a page, this opens every hidden code cell and solution, and prefixes the
page's ids so that the pages' link targets stay distinct once merged.

The pages are merged with pypdf into one file, with an outline (part > chapter > sections)
and page numbers that run through the book. Links between chapters become links inside the
PDF (to the target section when the target page marks it, else to the chapter's first page);
links to pages outside the book (the index, source files) are dropped. The PDF is also
copied into the built HTML as _build/html/lossbook.pdf, which the landing page links.

Why page by page rather than `jupyter-book build --builder singlehtml`: with myst-nb 1.4
the singlehtml builder stops at the first hidden code cell ("departing unknown node type:
HiddenCellNode"), and page by page starts every chapter on a new page.

Usage: python scripts/make_pdf.py [--no-build] [--html DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import yaml
from booktoc import toc_files
from check_site import EAGER_JS, IMAGES_DONE_JS, MATHJAX_READY_JS, NAV_TIMEOUT_MS, launch, serve
from playwright.sync_api import sync_playwright
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, NameObject, TextStringObject

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
OUT = ROOT / "_build" / "pdf" / "lossbook.pdf"
PDF_TIMEOUT_MS = 300_000  # printing a long chapter on a loaded 2-core machine
# A4 (210 mm) less the 15 mm side margins of the @page rule in lossbook.css, in CSS pixels:
# the width the print layout has, where wide math and tables are measured.
PRINT_WIDTH_PX = round((210 - 2 * 15) / 25.4 * 96)


def toc_parts(root: Path = ROOT) -> dict[str, str]:
    """{file: caption of its part} for the first file of each part of _toc.yml."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    firsts = {}
    for part in toc.get("parts", []):
        chapters = part.get("chapters") or []
        if chapters and "file" in chapters[0]:
            firsts[chapters[0]["file"]] = part.get("caption", "")
    return firsts


def prefix_of(i: int) -> str:
    return f"p{i:02d}"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def link_targets(html: Path, files: list[str]) -> dict[str, set[str]]:
    """{file: ids that another page of the book links to}: marked before printing, so that
    the PDF has a destination for them."""
    known = {f + ".html": f for f in files}
    targets: dict[str, set[str]] = {f: set() for f in files}
    for f in files:
        parser = _Links()
        parser.feed((html / (f + ".html")).read_text(encoding="utf-8"))
        for href in parser.hrefs:
            url = urlparse(urljoin("http://book/" + f + ".html", href))
            if url.netloc == "book" and url.fragment:
                target = known.get(unquote(url.path).lstrip("/"))
                if target and target != f:
                    targets[target].add(unquote(url.fragment))
    return targets


# Run in the page after MathJax and the images are done. Opens hidden content, prefixes
# every id of the article (and the same-page links) with the page's prefix, marks the ids
# other pages link to with a 1-pixel same-page link (chromium writes a PDF destination only
# for a link target), shrinks display math and tables wider than the page, sets the first
# page number, and returns the chapter title and the page's headings (clean outline titles).
PREPARE_JS = """
([prefix, targets, counterStart]) => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
  const here = location.pathname;
  // Only the article's ids: the theme's print rules select its own ids (#jb-print-docs-body).
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  article.querySelectorAll('[id]').forEach(el => { el.id = prefix + '--' + el.id; });
  document.querySelectorAll('a[href]').forEach(a => {
    const url = new URL(a.getAttribute('href'), location.href);
    if (url.origin === location.origin && url.pathname === here && url.hash) {
      a.setAttribute('href', '#' + prefix + '--' + decodeURIComponent(url.hash.slice(1)));
    }
  });
  for (const id of targets) {
    const el = document.getElementById(prefix + '--' + id);
    if (!el) continue;
    const mark = document.createElement('a');
    mark.href = '#' + prefix + '--' + id;
    mark.className = 'lossbook-pdf-target';
    mark.setAttribute('aria-hidden', 'true');
    mark.style.cssText = 'display:inline-block;width:1px;height:1px;overflow:hidden';
    el.prepend(mark);
  }
  const style = document.createElement('style');
  style.textContent = '@page :first { counter-set: page ' + counterStart + '; }';
  document.head.appendChild(style);
  // Too wide for the page (measured at its printable width): display math and tables shrink.
  for (const el of document.querySelectorAll('mjx-container[display="true"], main table')) {
    const avail = el.parentElement.clientWidth, need = el.scrollWidth;
    if (need > avail + 1 && avail > 0) {
      const size = parseFloat(getComputedStyle(el).fontSize);
      el.style.fontSize = (size * Math.max(0.55, (avail - 2) / need)) + 'px';
    }
  }
  const clean = h => {
    const c = h.cloneNode(true);
    c.querySelectorAll('.headerlink, .lossbook-pdf-target').forEach(x => x.remove());
    return c.textContent.replace(/\\s+/g, ' ').trim();
  };
  const headings = [...article.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    .filter(h => h.offsetParent !== null || getComputedStyle(h).display !== 'none')
    .map(clean);
  const h1 = article.querySelector('h1');
  return {title: h1 ? clean(h1) : document.title, headings};
}
"""


def print_page(context, url: str, prefix: str, targets: set[str], first_page: int):
    page = context.new_page()
    try:
        page.goto(url, wait_until="load", timeout=NAV_TIMEOUT_MS)
        page.wait_for_function(MATHJAX_READY_JS, polling=100)
        page.evaluate(EAGER_JS)
        page.wait_for_function(IMAGES_DONE_JS, polling=100)
        page.emulate_media(media="print")
        page.set_viewport_size({"width": PRINT_WIDTH_PX, "height": 1000})
        info = page.evaluate(PREPARE_JS, [prefix, sorted(targets), first_page])
        page.set_default_timeout(PDF_TIMEOUT_MS)
        data = page.pdf(prefer_css_page_size=True, print_background=True, outline=True, tagged=True)
    finally:
        page.close()
    return data, info


def _flatten(outline, depth=0):
    for item in outline:
        if isinstance(item, list):
            yield from _flatten(item, depth + 1)
        else:
            yield item, depth


def _add_outline(writer, reader, outline, start, parent, titles):
    """Copy a page's outline (chromium's, from its headings) under `parent`, with the clean
    titles when they match one for one (chromium joins wrapped heading lines without a space)."""
    last = None
    for item in outline:
        if isinstance(item, list):
            if last is not None:
                _add_outline(writer, reader, item, start, last, titles)
            continue
        page = reader.get_destination_page_number(item)
        title = titles.pop(0) if titles else str(item.title)
        last = writer.add_outline_item(title=title, page_number=start + page, parent=parent)


def merge(chunks, out: Path, base: str, files: list[str]) -> PdfWriter:
    writer = PdfWriter()
    parts = toc_parts()
    starts: dict[str, int] = {}
    part_item = None
    for f, data, info in chunks:
        reader = PdfReader(io.BytesIO(data))
        start = len(writer.pages)
        starts[f] = start
        writer.append(reader, import_outline=False)
        if f in parts:
            part_item = writer.add_outline_item(title=parts[f], page_number=start)
        if f in parts and parts[f] == info["title"]:
            chapter = part_item  # a part's intro page stands for the part
        else:
            parent = None if f == files[0] else part_item
            chapter = writer.add_outline_item(title=info["title"], page_number=start, parent=parent)
        outline = reader.outline
        # chromium's outline of a page is its h1 with the sections under it
        flat = [t for t, _ in _flatten(outline)]
        titles = list(info["headings"]) if len(info["headings"]) == len(flat) else []
        if titles:
            titles.pop(0)
        if len(outline) == 2 and isinstance(outline[1], list):
            _add_outline(writer, reader, outline[1], start, chapter, titles)
        elif outline:
            _add_outline(writer, reader, outline, start, chapter, titles)
    _relink(writer, base, starts)
    writer.page_mode = "/UseOutlines"
    writer.add_metadata({"/Title": "lossbook: loss functions for deep learning"})
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as fh:
        writer.write(fh)
    return writer


def _named_dests(writer: PdfWriter) -> set[str]:
    try:
        return set(writer.named_destinations)
    except Exception:  # noqa: BLE001 - an unreadable name tree just means no section targets
        return set()


def _relink(writer: PdfWriter, base: str, starts: dict[str, int]) -> None:
    """Links to the book's pages (http://127.0.0.1:PORT/...) become links inside the PDF."""
    names = _named_dests(writer)
    order = list(starts)
    for page in writer.pages:
        annots = page.get("/Annots")
        if not annots:
            continue
        keep = ArrayObject()
        for ref in annots:
            annot = ref.get_object()
            action = annot.get("/A")
            uri = action.get_object().get("/URI") if action is not None else None
            if uri is None or not str(uri).startswith(base):
                keep.append(ref)
                continue
            url = urlparse(str(uri))
            target = unquote(url.path).lstrip("/")
            target = re.sub(r"\.html$", "", target)
            if target not in starts:  # genindex, search, sources: not in the PDF
                continue
            name = f"{prefix_of(order.index(target))}--{unquote(url.fragment)}"
            del annot["/A"]
            if url.fragment and name in names:
                annot[NameObject("/Dest")] = TextStringObject(name)
            else:
                dest = ArrayObject(
                    [
                        writer.pages[starts[target]].indirect_reference,
                        NameObject("/Fit"),
                    ]
                )
                annot[NameObject("/Dest")] = dest
            keep.append(ref)
        page[NameObject("/Annots")] = keep


def build_html() -> None:
    cmd = [sys.executable, str(ROOT / "scripts" / "run_checks.py"), "build-book"]
    if subprocess.run(cmd, cwd=ROOT).returncode:
        sys.exit("make_pdf: the strict HTML build failed")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-build", action="store_true", help="print the existing HTML build")
    ap.add_argument("--html", type=Path, default=HTML, metavar="DIR")
    ap.add_argument("--out", type=Path, default=OUT, metavar="FILE")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    if not args.no_build:
        build_html()
    html: Path = args.html.resolve()
    if not (html / "index.html").is_file():
        print(f"no {html}: build the book first (make book), or drop --no-build")
        return 1
    files = toc_files()
    targets = link_targets(html, files)
    httpd, base = serve(html)
    chunks = []
    first_page = 1
    t_print = time.perf_counter()
    with sync_playwright() as p:
        browser, context = launch(p)
        for i, f in enumerate(files):
            t = time.perf_counter()
            data, info = print_page(
                context, base + f + ".html", prefix_of(i), targets[f], first_page
            )
            n = len(PdfReader(io.BytesIO(data)).pages)
            first_page += n
            chunks.append((f, data, info))
            print(f"{f}: {n} pages, {time.perf_counter() - t:.1f} s", flush=True)
        browser.close()
    httpd.shutdown()
    t_merge = time.perf_counter()
    writer = merge(chunks, args.out.resolve(), base, files)
    shutil.copyfile(args.out, html / "lossbook.pdf")
    size = args.out.stat().st_size / 2**20
    print(
        f"{args.out}: {len(writer.pages)} pages, {size:.1f} MiB; printing {t_merge - t_print:.0f} s, "
        f"merging {time.perf_counter() - t_merge:.0f} s, total {time.perf_counter() - t0:.0f} s; "
        f"copied to {html / 'lossbook.pdf'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
