"""Replace per-chapter {bibliography} blocks with a pointer to the References page.

A key listed in two bibliographies is a "duplicate citation" warning (fatal under -W), so
the book keeps one bibliography (book/references.md). Markdown-only edit: outputs untouched.
"""

import json
import sys
from pathlib import Path

POINTER = (
    "## References\n\nThe works cited in this chapter (author–year links above) are listed in "
    "full on the [References](../book/references.md) page."
)

for path in map(Path, sys.argv[1:]):
    nb = json.loads(path.read_text())
    changed = False
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and "{bibliography}" in src:
            cell["source"] = POINTER
            changed = True
    if changed:
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        print(f"fixed {path}")
