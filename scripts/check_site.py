"""Browser check of the built book (part of `make test`).

Serves the built HTML (default _build/html) on 127.0.0.1 and drives Debian's chromium
through playwright. For every page in _toc.yml: HTTP 200 for the page and every local asset,
MathJax typesets (no raw $$ or \\( left, no MathJax error boxes), every image loads, no
request leaves 127.0.0.1, no console errors. Then what a reader sees, at 1366x900 and at
390x844 (a phone), from scripts/reader_view.py (``check_reader_view``): navigation that works,
no horizontal scroll on the phone, no markdown table rendered as text, no raw TeX in the
text, alt text on every image. Each problem names the page, the width and the offending
snippet. Screenshots of chapters 04, 09, 10 and 12 at both widths go to _build/screenshots/
(or --screenshots DIR).

Built to pass on a busy machine: it waits for what the checks need (the `load` event,
MathJax's typesetting promise, every `main img` complete), never for network idle, with
timeouts sized for a loaded 2-core box, and it retries a failing page once in a fresh tab.
It prints each page's time and the slowest pages at the end.

Usage: python scripts/check_site.py [--html DIR] [--screenshots DIR]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from booktoc import toc_files
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright
from reader_view import HEIGHTS, check_reader_view

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Screenshots at both reader widths of these chapters (prefixes of the toc paths).
SHOT_PAGES = ("notebooks/04_", "notebooks/09_", "notebooks/10_", "notebooks/12_")
READER_WIDTHS = (1366, 390)
N_SLOWEST = 5
# Sized for a 2-core machine shared with a CPU-heavy job (nbval, another build): pages took
# 1-5 s each at load average ~7 and up to 12 s at ~11 (2 cores). Playwright's 30 s default
# for networkidle failed CI under load.
LAUNCH_TIMEOUT_MS = 120_000
NAV_TIMEOUT_MS = 120_000
WAIT_TIMEOUT_MS = 90_000
ATTEMPTS = 2  # a page is retried once, in a fresh tab, before it counts as failed


def toc_pages() -> list[str]:
    return [f + ".html" for f in toc_files()]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the CI log readable
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # chromium opens several connections at once; with the default backlog of 5 a server
    # starved of CPU can drop connection attempts, and each retry costs a second or more.
    request_queue_size = 128


def serve(html: Path = HTML) -> tuple[Server, str]:
    handler = functools.partial(QuietHandler, directory=str(html))
    httpd = Server(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


# Polled by page.wait_for_function after the `load` event: true once MathJax has finished
# typesetting, or at once on a page without MathJax. MathJax.startup.promise resolves after
# the initial typeset; code may chain onto it (startup.promise = startup.promise.then(...)),
# so wait until the promise we awaited is still the current one. Returns a string (truthy)
# when MathJax failed, so the check reports it instead of timing out.
MATHJAX_READY_JS = """
() => {
  const mj = window.MathJax;
  const started = !!(mj && mj.startup && mj.startup.promise);
  const hasScript = [...document.scripts].some(s => /mathjax/i.test(s.src));
  if (!hasScript && !started) return true;  // no MathJax here (untypeset math is reported)
  if (!started) {
    // `load` waits for the page's defer/async scripts, so by then MathJax should have run.
    return document.readyState === 'complete' ? 'MathJax script did not start' : false;
  }
  if (window.__lossbookMathJax === undefined) {
    window.__lossbookMathJax = 'pending';
    (async () => {
      let p;
      do { p = mj.startup.promise; await p; } while (p !== mj.startup.promise);
    })().then(() => { window.__lossbookMathJax = 'done'; },
              e => { window.__lossbookMathJax = 'MathJax failed: ' + e; });
  }
  return window.__lossbookMathJax === 'pending' ? false : window.__lossbookMathJax;
}
"""

# Lazy images below the fold would never become `complete` in an unscrolled tab.
EAGER_JS = "() => document.querySelectorAll('main img[loading=lazy]').forEach(i => { i.loading = 'eager'; })"

# Every image of the page body has finished (loaded or broken; broken is reported below),
# and the web fonts (MathJax's, the theme's) are in, so the screenshots show the real page.
IMAGES_DONE_JS = """
() => [...document.querySelectorAll('main img')].every(i => i.complete)
      && document.fonts.status === 'loaded'
"""

CHECK_JS = """
() => {
  const math = [...document.querySelectorAll('span.math, div.math')];
  const untypeset = math.filter(el => !el.querySelector('mjx-container')).length;
  const errors = document.querySelectorAll('mjx-merror').length;
  const text = document.querySelector('main') ? document.querySelector('main').innerText : document.body.innerText;
  const raw = (text.match(/\\$\\$|\\\\\\(|\\\\\\[/g) || []).length;
  const imgs = [...document.querySelectorAll('main img')];
  const broken = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src);
  return {math: math.length, typeset: document.querySelectorAll('mjx-container').length,
          untypeset, errors, raw, images: imgs.length, broken,
          mathjax: !!window.MathJax};
}
"""


def launch(p):
    """Chromium and a browser context with timeouts sized for a loaded machine."""
    browser = p.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
        timeout=LAUNCH_TIMEOUT_MS,
    )
    context = browser.new_context(
        viewport={"width": READER_WIDTHS[0], "height": HEIGHTS[READER_WIDTHS[0]]}
    )
    context.set_default_navigation_timeout(NAV_TIMEOUT_MS)
    context.set_default_timeout(WAIT_TIMEOUT_MS)
    return browser, context


def reader_checks(page, shot: Path | None) -> list[str]:
    """check_reader_view at each reader width (the viewport resized in place); screenshots
    ``{shot}-{width}.png`` if shot is given. -> problems, each prefixed with the width."""
    problems: list[str] = []
    for width in READER_WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHTS[width]})
        page.wait_for_timeout(300)  # the theme's layout for the new width
        if shot is not None:  # before the checks click the buttons (no focus rings)
            page.screenshot(path=f"{shot}-{width}.png", full_page=False, timeout=WAIT_TIMEOUT_MS)
        problems += [f"{width} px: {m}" for m in check_reader_view(page, width)]
    return problems


def check_page(context, url: str, shot: Path | None) -> tuple[list[str], list[str], dict | None]:
    """Load one page in a fresh tab and check it; returns (issues, reader problems, summary
    or None). Only the issues (loading, MathJax, assets) are worth a retry: the reader
    problems are the same on every load."""
    issues: list[str] = []
    reader: list[str] = []
    try:
        page = context.new_page()
    except PlaywrightError as e:
        return [f"could not open a tab: {str(e).splitlines()[0]}"], [], None

    def on_route(route):
        url_ = route.request.url
        host = urlparse(url_).hostname
        try:
            if host not in ("127.0.0.1", None) and not url_.startswith("data:"):
                issues.append(f"request leaves 127.0.0.1: {url_}")
                route.abort()
            else:
                route.continue_()
        except PlaywrightError:  # the tab was closed (timeout, retry) while this was queued
            pass

    page.route("**/*", on_route)
    page.on(
        "response",
        lambda r: (r.status not in (200, 304)) and issues.append(f"HTTP {r.status}: {r.url}"),
    )
    page.on(
        "requestfailed",
        lambda r: (
            urlparse(r.url).hostname == "127.0.0.1"
            and issues.append(f"request failed ({r.failure}): {r.url}")
        ),
    )
    page.on("console", lambda m: m.type == "error" and issues.append(f"console error: {m.text}"))
    page.on("pageerror", lambda e: issues.append(f"page error: {e}"))
    r = None
    try:
        resp = page.goto(url, wait_until="load", timeout=NAV_TIMEOUT_MS)
        if resp is None or resp.status != 200:
            issues.append(f"page status {resp.status if resp else 'none'}")
        mathjax = page.wait_for_function(MATHJAX_READY_JS, timeout=WAIT_TIMEOUT_MS, polling=100)
        mathjax_state = mathjax.json_value()
        page.evaluate(EAGER_JS)
        page.wait_for_function(IMAGES_DONE_JS, timeout=WAIT_TIMEOUT_MS, polling=100)
        r = page.evaluate(CHECK_JS)
        if isinstance(mathjax_state, str) and mathjax_state != "done":
            issues.append(mathjax_state)
        if r["math"] and not r["mathjax"]:
            issues.append("MathJax did not load")
        if r["untypeset"]:
            issues.append(f"{r['untypeset']} math element(s) not typeset")
        if r["errors"]:
            issues.append(f"{r['errors']} MathJax error box(es)")
        if r["raw"]:
            issues.append(f"{r['raw']} raw math delimiter(s) left in the text")
        if r["broken"]:
            issues.append(f"broken images: {r['broken'][:3]}")
        if not issues:
            reader = reader_checks(page, shot)
    except PlaywrightError as e:  # TimeoutError is a subclass
        issues.append(f"{type(e).__name__}: {str(e).splitlines()[0]}")
    finally:
        try:
            page.close()
        except PlaywrightError:
            pass
    return issues, reader, r


def _show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT)) + "/"
    except ValueError:
        return str(path) + "/"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--html", type=Path, default=HTML, metavar="DIR", help="built book (default: _build/html)"
    )
    ap.add_argument(
        "--screenshots",
        type=Path,
        default=SHOTS,
        metavar="DIR",
        help="where the screenshots go (default: _build/screenshots)",
    )
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    html: Path = args.html.resolve()
    shots: Path = args.screenshots.resolve()
    if not html.is_dir():
        print(f"no {html}: build the book first (make book)")
        return 1
    pages = toc_pages()
    shots.mkdir(parents=True, exist_ok=True)
    httpd, base = serve(html)
    problems: list[str] = []
    timings: list[tuple[float, str]] = []
    retried: list[str] = []
    t_start = time.perf_counter()
    with sync_playwright() as p:
        browser, context = launch(p)
        for rel in pages:
            shot = None
            if rel.startswith(SHOT_PAGES):
                shot = shots / rel.replace("/", "_").replace(".html", "")
            t0 = time.perf_counter()
            for attempt in range(1, ATTEMPTS + 1):
                if not browser.is_connected():  # chromium died (e.g. killed for memory)
                    print("chromium is gone; starting a new one", flush=True)
                    browser, context = launch(p)
                t_try = time.perf_counter()
                issues, reader, r = check_page(context, base + rel, shot)
                if not issues or attempt == ATTEMPTS:
                    break
                print(
                    f"retry {rel}: attempt {attempt} failed after "
                    f"{time.perf_counter() - t_try:.1f} s ({issues[0]}"
                    f"{f' +{len(issues) - 1} more' if len(issues) > 1 else ''}); "
                    "retrying in a fresh tab",
                    flush=True,
                )
                retried.append(rel)
            dt = time.perf_counter() - t0
            timings.append((dt, rel))
            status = "ok" if not issues and not reader else "FAIL"
            what = f"{r['typeset']} math, {r['images']} images" if r else "not checked"
            again = " (after a retry)" if rel in retried else ""
            print(f"{status:4} {rel}: {what}, {dt:.1f} s{again}", flush=True)
            problems += [f"{rel}: {m}" for m in issues + reader]
        if browser.is_connected():
            browser.close()
    httpd.shutdown()
    total = time.perf_counter() - t_start
    slowest = sorted(timings, reverse=True)[:N_SLOWEST]
    print("slowest pages: " + ", ".join(f"{rel} {dt:.1f} s" for dt, rel in slowest))
    print(
        f"browser check took {total:.1f} s for {len(pages)} pages"
        + (f"; retried: {', '.join(retried)}" if retried else "; no retries")
    )
    if problems:
        print("\n".join(problems))
        return 1
    print(f"browser check passed: {len(pages)} pages; screenshots in {_show(shots)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
