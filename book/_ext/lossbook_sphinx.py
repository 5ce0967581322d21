"""Small Sphinx fixes for the offline, warning-free book.

- sphinx-thebe 0.3.1 under Jupyter Book 1 adds its inline configuration script twice,
  which throws "Identifier 'THEBE_JS_URL' has already been declared" in the browser.
  Drop exact duplicate script entries from every page.
"""

from __future__ import annotations


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        key = (getattr(js, "filename", None) or "", tuple(sorted((k, str(v)) for k, v in getattr(js, "attributes", {}).items())))
        if key in seen:
            continue
        seen.add(key)
        unique.append(js)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
