"""Browser check of the built book (part of `make test`).

Serves _build/html on 127.0.0.1 and drives Debian's chromium through playwright. For
every page in _toc.yml: HTTP 200 for the page and every local asset, MathJax typesets
(no raw $$ or \\( left, no MathJax error boxes), every image loads, no request leaves
127.0.0.1, no console errors. Screenshots of the first pages go to _build/screenshots/.
"""

from __future__ import annotations

import functools
import http.server
import os
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

from booktoc import toc_files
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
N_SCREENSHOTS = 4


def toc_pages() -> list[str]:
    return [f + ".html" for f in toc_files()]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the CI log readable
        pass


def serve() -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


CHECK_JS = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
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


def main() -> int:
    if not HTML.exists():
        print("no _build/html: build the book first (make book)")
        return 1
    pages = toc_pages()
    SHOTS.mkdir(parents=True, exist_ok=True)
    httpd, base = serve()
    problems: list[str] = []
    with sync_playwright() as p:
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
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        for i, rel in enumerate(pages):
            page = context.new_page()
            issues: list[str] = []

            def on_route(route, issues=issues):
                host = urlparse(route.request.url).hostname
                if host not in ("127.0.0.1", None) and not route.request.url.startswith("data:"):
                    issues.append(f"request leaves 127.0.0.1: {route.request.url}")
                    route.abort()
                else:
                    route.continue_()

            page.route("**/*", on_route)
            page.on(
                "response",
                lambda r, issues=issues: (
                    (r.status not in (200, 304)) and issues.append(f"HTTP {r.status}: {r.url}")
                ),
            )
            page.on(
                "console",
                lambda m, issues=issues: (
                    m.type == "error" and issues.append(f"console error: {m.text}")
                ),
            )
            page.on("pageerror", lambda e, issues=issues: issues.append(f"page error: {e}"))
            resp = page.goto(base + rel, wait_until="load")
            if resp is None or resp.status != 200:
                issues.append(f"page status {resp.status if resp else 'none'}")
            page.wait_for_load_state("networkidle")
            r = page.evaluate(CHECK_JS)
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
            if i < N_SCREENSHOTS:
                shot = SHOTS / (rel.replace("/", "_").replace(".html", "") + ".png")
                page.screenshot(path=str(shot), full_page=False)
            status = "ok" if not issues else "FAIL"
            print(f"{status:4} {rel}: {r['typeset']} math, {r['images']} images")
            problems += [f"{rel}: {m}" for m in issues]
            page.close()
        browser.close()
    httpd.shutdown()
    if problems:
        print("\n".join(problems))
        return 1
    print(f"browser check passed: {len(pages)} pages; screenshots in {SHOTS.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
