"""What a reader sees on a phone and on a desktop: navigation, overflow, raw math, favicon.

``check_reader_view(page, width)`` takes a playwright (sync) ``Page`` that is already
navigated and typeset (MathJax done) and returns a list of problems, empty when the page
reads well at that width:

* phone/tablet width (< 992 px): the visible ☰ opens the navigation drawer and the drawer
  shows chapter links; where the page has in-page contents, the "Contents" button opens them
  and they show links to the page's sections; each drawer closes again with Escape;
* desktop width (>= 992 px): the hamburger hides and shows the primary sidebar, a visible
  "Contents" button (992-1199 px) opens the in-page contents, and there is no second header
  (a second search box above the article);
* phone width (<= 480 px): no horizontal scroll
  (``document.documentElement.scrollWidth <= innerWidth + 1``, with innerWidth capped at the
  root's clientWidth, as mobile emulation widens it to the content); the problem names the
  outermost elements that stick out;
* no raw ``$``/``$$``/``\\(``/``\\[`` math in the text (code, outputs and typeset math are not
  looked at);
* no markdown table rendered as text (a paragraph that starts with ``|``: a pipe table the
  parser did not recognise, e.g. without a blank line before it);
* every image of the page body has alt text, and not a file name (what Sphinx writes when a
  figure has none);
* every figure of a notebook's output is a numbered figure with a caption ("Figure 4.1"),
  shown at the column's width or its own, whichever is smaller (never shrunk further);
* the first figure opens enlarged on click (wider than inline, or as wide as its own size)
  and closes with Escape;
* every explorer (a slider over precomputed pictures, ``lossbook.plot.frames``) plays: moving
  its slider changes the picture, and moving it back restores it;
* the page links a favicon and it loads (no 404 for ``/favicon.ico``).

The page's viewport is resized to ``width`` first if it differs. The function leaves the
page as it found it (drawers closed, sidebar shown).

Run on its own, it serves a built book and checks a few pages at 1366 and 390 px, saving a
screenshot of each page at each width (and of the open drawers) to a folder:

    python scripts/reader_view.py _build/html /tmp/reader-shots
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import sys
import threading
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

DESKTOP_MIN = 992  # the themes' "lg" breakpoint: below it the sidebars become drawers
PHONE_MAX = 480
HEIGHTS = {390: 844, 1366: 900}
PAGES = ["index", "notebooks/04_classification_losses", "notebooks/10_pitfalls"]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TIMEOUT_MS = 30_000

# Visible elements only: an element counts when it has a box and is not hidden by CSS.
_VISIBLE_JS = """
(el) => {
  if (!el) return false;
  const r = el.getBoundingClientRect();
  if (r.width < 1 || r.height < 1) return false;
  const s = getComputedStyle(el);
  return s.visibility !== 'hidden' && s.display !== 'none' && parseFloat(s.opacity || '1') > 0.05;
}
"""

# Links visible inside an element (the open drawer, the sidebar): [{text, href}].
_VISIBLE_LINKS_JS = (
    """
(root) => {
  const vis = """
    + _VISIBLE_JS
    + """;
  if (!root) return [];
  return [...root.querySelectorAll('a[href]')].filter(vis)
    .map(a => ({text: a.innerText.trim(), href: a.getAttribute('href')}));
}
"""
)

_OPEN_DIALOG_JS = """
(sel) => { const d = document.querySelector(sel); return !!(d && d.open); }
"""

# innerWidth alone is not the screen width: with mobile emulation (and on phones) the layout
# viewport grows to the content's width, so the narrower of it and the root's clientWidth is.
_OVERFLOW_JS = """
() => {
  const de = document.documentElement;
  const vw = Math.min(window.innerWidth, de.clientWidth);
  const res = {scrollWidth: de.scrollWidth, width: vw, culprits: []};
  if (de.scrollWidth <= vw + 1) return res;
  // Name the outermost elements that stick out past the right edge and are not inside a
  // scrolling or clipping box (a code cell scrolls on its own: that is fine).
  const clips = (el) => {
    if (getComputedStyle(el).position === 'fixed') return true;  // does not scroll the page
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.overflowX !== 'visible' || s.position === 'fixed') return true;
    }
    return false;
  };
  const sticksOut = (el) => el.getBoundingClientRect().right > vw + 1;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!sticksOut(el) || el.getBoundingClientRect().width < 1 || clips(el)) continue;
    const p = el.parentElement;
    if (p && p !== document.body && sticksOut(p)) continue;  // its parent is reported
    const id = el.id ? '#' + el.id : '';
    const cls = el.classList.length ? '.' + [...el.classList].slice(0, 2).join('.') : '';
    const txt = (el.innerText || '').trim().split('\\n')[0].slice(0, 50);
    const right = Math.round(el.getBoundingClientRect().right);
    out.push(`${el.tagName.toLowerCase()}${id}${cls} (right ${right} px) "${txt}"`);
    if (out.length >= 3) break;
  }
  res.culprits = out;
  return res;
}
"""

# Raw TeX left in the reading text. Code, cell outputs, typeset math and hidden elements are
# skipped (a `$` in a code cell or a shell line is not an error).
_RAW_MATH_JS = """
() => {
  const root = document.querySelector('main') || document.body;
  const skip = 'pre, code, kbd, samp, script, style, textarea, mjx-container, .MathJax, '
             + '.highlight, .cell_output, .output, .jp-OutputArea, .math';
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const hits = [];
  const pat = /\\$\\$|\\\\\\(|\\\\\\)|\\\\\\[|\\\\\\]|(^|[^\\\\$])\\$(?=\\S)[^$\\n]{1,200}?[^\\s\\\\]\\$(?!\\d)/;
  let n;
  while ((n = walker.nextNode())) {
    const el = n.parentElement;
    if (!el || el.closest(skip)) continue;
    if (el.offsetParent === null && getComputedStyle(el).position !== 'fixed') continue;
    const m = n.textContent.match(pat);
    if (m) {
      const i = Math.max(0, m.index - 20);
      hits.push(n.textContent.slice(i, i + 70).replace(/\\s+/g, ' ').trim());
      if (hits.length >= 5) break;
    }
  }
  return hits;
}
"""

# A markdown (pipe) table that was not parsed as one shows as a paragraph starting with "|".
_TEXT_TABLE_JS = """
() => [...document.querySelectorAll('main p')]
  .filter(p => !p.closest('pre, code, table'))
  .map(p => (p.innerText || '').trim())
  .filter(t => t.startsWith('|'))
  .map(t => t.split('\\n')[0].slice(0, 80))
"""

# Images of the page body without alt text (a figure a screen reader cannot name); a file
# name (Sphinx's default alt) does not count.
_NO_ALT_JS = """
() => [...document.querySelectorAll('main img')]
  .filter(i => {
    const a = (i.getAttribute('alt') || '').trim();
    return !a || /^\\S+\\.(png|svg|jpe?g|gif)$/i.test(a);
  })
  .map(i => (i.getAttribute('src') || '').split('/').pop().slice(0, 60))
"""

# Figures of notebook outputs: numbered, captioned, not shrunk below the column's width.
_FIGURES_JS = """
() => [...document.querySelectorAll('main .cell_output img')].map(i => {
  const fig = i.closest('figure');
  const cap = fig ? fig.querySelector('figcaption') : null;
  // the width the picture may take: its container's content box (a figure has margins)
  const box = i.parentElement, cs = getComputedStyle(box);
  const avail = box.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  return {
    src: (i.getAttribute('src') || '').split('/').pop().slice(0, 24),
    caption: cap ? cap.innerText.trim().slice(0, 40) : '',
    shown: i.getBoundingClientRect().width,
    own: parseFloat(i.style.width) || parseFloat(i.getAttribute('width')) || i.naturalWidth,
    column: avail,
  };
})
"""

_FAVICON_JS = """
() => {
  const links = [...document.querySelectorAll('link[rel~="icon"]')];
  const url = links.length ? links[0].href : new URL('/favicon.ico', location.href).href;
  return {declared: links.length, url};
}
"""


def _visible(page, selector: str) -> list:
    """The elements matching selector that are visible, in document order."""
    return [h for h in page.query_selector_all(selector) if page.evaluate(_VISIBLE_JS, h)]


def _shot(page, prefix: Path | None, name: str) -> None:
    if prefix is not None:
        page.screenshot(path=f"{prefix}-{name}.png")


def _check_drawer(page, toggle_sel: str, dialog_sel: str, what: str, want, shot_prefix, shot_name):
    """Click the visible toggle, check the dialog opened with links, close it. -> problems."""
    problems: list[str] = []
    toggles = _visible(page, toggle_sel)
    if not toggles:
        return [f"{what}: no visible button ({toggle_sel})"]
    toggles[0].click()
    try:
        page.wait_for_function(_OPEN_DIALOG_JS, arg=dialog_sel, timeout=3_000, polling=50)
    except PlaywrightError:  # a TimeoutError
        return [f"{what}: clicking the button did not open the drawer ({dialog_sel})"]
    page.wait_for_timeout(400)  # the slide-in transition, so the screenshot shows it
    links = page.evaluate(_VISIBLE_LINKS_JS, page.query_selector(dialog_sel))
    problems += want(links)
    _shot(page, shot_prefix, shot_name)
    page.keyboard.press("Escape")
    try:
        page.wait_for_function(
            f"(sel) => !({_OPEN_DIALOG_JS})(sel)", arg=dialog_sel, timeout=3_000, polling=50
        )
    except PlaywrightError:
        problems.append(f"{what}: Escape did not close the drawer")
    return problems


def _want_chapters(links) -> list[str]:
    chapters = [a for a in links if "notebooks/" in a["href"] or a["href"].startswith("../")]
    nb = [a for a in links if "_" in a["href"] and a["href"].split("/")[-1][:2].isdigit()]
    if len(links) < 5 or not (nb or chapters):
        return [f"nav drawer: shows {len(links)} link(s), no chapter list"]
    return []


def _want_sections(links) -> list[str]:
    anchors = [a for a in links if a["href"].startswith("#")]
    if not anchors:
        return [f"contents drawer: no links to sections of the page ({len(links)} link(s))"]
    return []


def _check_phone_nav(page, shot_prefix) -> list[str]:
    problems = _check_drawer(
        page,
        ".primary-toggle",
        "#pst-primary-sidebar-modal",
        "☰ (navigation)",
        _want_chapters,
        shot_prefix,
        "nav",
    )
    has_toc = page.evaluate(
        "() => !!document.querySelector('#pst-secondary-sidebar .page-toc a, "
        "#pst-secondary-sidebar nav.bd-toc-nav a')"
    )
    if has_toc:
        problems += _check_contents_drawer(page, shot_prefix)
    return problems


def _check_contents_drawer(page, shot_prefix) -> list[str]:
    """The in-page contents ("Contents" button) open in a drawer that lists the sections."""
    return _check_drawer(
        page,
        ".secondary-toggle",
        "#pst-secondary-sidebar-modal",
        "Contents",
        _want_sections,
        shot_prefix,
        "contents",
    )


def _check_desktop_nav(page, shot_prefix) -> list[str]:
    problems: list[str] = []
    header = page.query_selector("#pst-header")
    if header is not None and page.evaluate(_VISIBLE_JS, header):
        h = round(header.bounding_box()["height"])
        problems.append(f"a second header is shown above the article ({h} px)")
    searches = _visible(page, ".search-button-field")
    if len(searches) > 1:
        problems.append(f"{len(searches)} search boxes visible (want one)")
    sidebar = page.query_selector("#pst-primary-sidebar")
    if sidebar is None or not page.evaluate(_VISIBLE_JS, sidebar):
        return problems + ["primary sidebar not shown on desktop"]
    toggles = _visible(page, ".primary-toggle")
    if not toggles:
        return problems + ["no visible hamburger on desktop"]
    toggles[0].click()
    page.wait_for_timeout(500)  # the theme's transition
    if page.evaluate(_VISIBLE_JS, sidebar):
        problems.append("desktop hamburger does not hide the sidebar")
    elif page.evaluate(_OPEN_DIALOG_JS, "#pst-primary-sidebar-modal"):
        problems.append("desktop hamburger opens a modal instead of hiding the sidebar")
    _shot(page, shot_prefix, "sidebar-hidden")
    if page.evaluate(_OPEN_DIALOG_JS, "#pst-primary-sidebar-modal"):
        page.keyboard.press("Escape")
    toggles = _visible(page, ".primary-toggle")
    if toggles:
        toggles[0].click()
        page.wait_for_timeout(500)
    if not page.evaluate(_VISIBLE_JS, sidebar):
        problems.append("desktop hamburger does not show the sidebar again")
    # Between 992 and 1200 px the in-page contents are behind a "Contents" button too.
    if _visible(page, ".secondary-toggle"):
        problems += _check_contents_drawer(page, shot_prefix)
    return problems


def _check_figures(page) -> list[str]:
    problems: list[str] = []
    figs = page.evaluate(_FIGURES_JS)
    bad = [f["src"] for f in figs if not re.match(r"Figure \d+\.\d+\b", f["caption"])]
    if bad:
        problems.append(f"{len(bad)} figure(s) without a numbered caption: " + ", ".join(bad[:3]))
    small = [
        f"{f['src']} ({f['shown']:.0f} px of {min(f['own'], f['column']):.0f})"
        for f in figs
        if f["shown"] < min(f["own"], f["column"]) - 2
    ]
    if small:
        problems.append(f"{len(small)} figure(s) shown smaller than fits: " + ", ".join(small[:3]))
    zoomable = _visible(page, "main img.lossbook-zoomable") if figs else []
    if figs and not zoomable:
        problems.append("figures cannot be enlarged (no img.lossbook-zoomable)")
    elif zoomable:
        img = zoomable[0]
        img.scroll_into_view_if_needed()
        inline = img.bounding_box()["width"]
        img.click()
        page.wait_for_timeout(200)
        big = page.query_selector(".lossbook-zoom img")
        if big is None or not page.evaluate(_VISIBLE_JS, big):
            problems.append("a click on a figure does not enlarge it")
        else:
            own = page.evaluate("i => parseFloat(i.style.width) || i.naturalWidth", img)
            wide = big.bounding_box()["width"]
            if wide < min(own, 1.2 * inline) - 2:
                problems.append(f"enlarged figure is {wide:.0f} px wide (inline {inline:.0f})")
            page.keyboard.press("Escape")
            page.wait_for_timeout(100)
            if page.query_selector(".lossbook-zoom") is not None:
                problems.append("Escape does not close the enlarged figure")
    problems += _check_frames(page)
    return problems


# Move every explorer's slider (lossbook.plot.frames) to another frame: the picture must change.
_FRAMES_JS = """
() => [...document.querySelectorAll('main .lossbook-frames')].map(f => {
  const img = f.querySelector('img'), range = f.querySelector('input[type=range]');
  if (!img || !range) return 'no picture or no slider';
  const before = img.src, value = range.value;
  range.value = String((Number(range.value) + 1) % (Number(range.max) + 1));
  range.dispatchEvent(new Event('input', {bubbles: true}));
  const changed = img.src !== before;
  range.value = value;
  range.dispatchEvent(new Event('input', {bubbles: true}));
  return changed && img.src === before ? '' : 'moving the slider does not change the picture';
})
"""


def _check_frames(page) -> list[str]:
    bad = [m for m in page.evaluate(_FRAMES_JS) if m]
    return [f"{len(bad)} explorer(s): {bad[0]}"] if bad else []


def check_reader_view(page, width: int, *, shot_prefix: Path | str | None = None) -> list[str]:
    """Problems a reader meets on this page at this viewport width (see the module doc).

    shot_prefix: if given, screenshots of the open drawers go to ``{shot_prefix}-nav.png``,
    ``-contents.png`` (phone) and ``-sidebar-hidden.png`` (desktop).
    """
    prefix = Path(shot_prefix) if shot_prefix is not None else None
    vp = page.viewport_size or {}
    if vp.get("width") != width:
        page.set_viewport_size(
            {"width": width, "height": vp.get("height") or HEIGHTS.get(width, 900)}
        )
        page.wait_for_timeout(300)
    problems: list[str] = []

    if width < DESKTOP_MIN:
        problems += _check_phone_nav(page, prefix)
    else:
        problems += _check_desktop_nav(page, prefix)

    if width <= PHONE_MAX:
        o = page.evaluate(_OVERFLOW_JS)
        if o["scrollWidth"] > o["width"] + 1:
            problems.append(
                f"horizontal scroll at {width} px: page is {o['scrollWidth']} px wide; "
                + "; ".join(o["culprits"])
            )

    raw = page.evaluate(_RAW_MATH_JS)
    if raw:
        problems.append(f"raw math in the text ({len(raw)}+): " + " | ".join(raw))

    tables = page.evaluate(_TEXT_TABLE_JS)
    if tables:
        problems.append(
            f"markdown table rendered as text ({len(tables)} paragraph(s)): "
            + " // ".join(tables[:3])
        )

    no_alt = page.evaluate(_NO_ALT_JS)
    if no_alt:
        problems.append(f"{len(no_alt)} image(s) without alt text: " + ", ".join(no_alt[:3]))

    problems += _check_figures(page)

    fav = page.evaluate(_FAVICON_JS)
    try:  # playwright's own HTTP client: not subject to the page's routes or cache
        fav["status"] = page.request.get(fav["url"]).status
    except PlaywrightError as e:
        fav["status"] = f"error {e}"
    if not fav["declared"]:
        problems.append(f"no <link rel=icon>; {fav['url']} -> HTTP {fav['status']}")
    elif fav["status"] != 200:
        problems.append(f"favicon {fav['url']} -> HTTP {fav['status']}")
    return problems


# --------------------------------------------------------------------------- command line

_MATHJAX_DONE_JS = """
() => {
  const mj = window.MathJax;
  if (!(mj && mj.startup && mj.startup.promise)) {
    return ![...document.scripts].some(s => /mathjax/i.test(s.src)) || document.readyState === 'complete';
  }
  if (window.__rvMathJax === undefined) {
    window.__rvMathJax = false;
    (async () => { let p; do { p = mj.startup.promise; await p; } while (p !== mj.startup.promise); })()
      .then(() => { window.__rvMathJax = true; }, () => { window.__rvMathJax = true; });
  }
  return window.__rvMathJax && document.fonts.status === 'loaded';
}
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(html: Path):
    handler = functools.partial(_Quiet, directory=str(html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    if len(argv) != 2:
        print(__doc__)
        return 2
    html, shots = Path(argv[0]), Path(argv[1])
    shots.mkdir(parents=True, exist_ok=True)
    httpd, base = _serve(html)
    failed = 0
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                ],
            )
            for width in (1366, 390):
                context = browser.new_context(
                    viewport={"width": width, "height": HEIGHTS[width]},
                    device_scale_factor=1,
                    is_mobile=width < DESKTOP_MIN,
                    has_touch=width < DESKTOP_MIN,
                )
                context.set_default_timeout(TIMEOUT_MS)
                # offline book: anything not on 127.0.0.1 is blocked (and reported)
                context.route(
                    "**/*",
                    lambda route: (
                        route.abort()
                        if not route.request.url.startswith(("http://127.0.0.1", "data:"))
                        else route.continue_()
                    ),
                )
                for name in PAGES:
                    page = context.new_page()
                    errors: list[str] = []
                    page.on("console", lambda m, e=errors: m.type == "error" and e.append(m.text))
                    page.on("pageerror", lambda x, e=errors: e.append(str(x)))
                    page.goto(base + name + ".html", wait_until="load")
                    page.wait_for_function(_MATHJAX_DONE_JS, polling=100)
                    stem = f"{name.replace('/', '_')}-{width}"
                    page.screenshot(path=str(shots / f"{stem}.png"))
                    problems = check_reader_view(page, width, shot_prefix=shots / stem)
                    problems += [f"console error: {e}" for e in errors]
                    failed += bool(problems)
                    status = "ok" if not problems else f"{len(problems)} problem(s)"
                    print(f"{name:42s} {width:5d} px  {status}")
                    for pr in problems:
                        print(f"    - {pr}")
                    page.close()
                context.close()
            browser.close()
    finally:
        httpd.shutdown()
    print(f"screenshots: {shots}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
