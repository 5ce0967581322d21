"""Install paths: the lock installs anywhere, and the reader's lists cover every import.

A reader runs ``pip install -r requirements.txt`` then ``pip install -e ".[book,torch,tensorflow]"``
(README). Every third-party module a notebook imports must therefore be in requirements.txt
*and* in a pyproject extra, and every module the package imports must be in its dependencies or
extras. An import this file cannot map to a distribution fails too, so that a new dependency
cannot slip in unnoticed: add it to ``PROVIDERS`` and to both lists.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PACKAGE = ROOT / "src" / "lossbook"

# import name -> the distributions any one of which provides it (canonical names).
PROVIDERS: dict[str, set[str]] = {
    "numpy": {"numpy"},
    "scipy": {"scipy"},
    "sklearn": {"scikit-learn"},
    "matplotlib": {"matplotlib"},
    "pandas": {"pandas"},
    "torch": {"torch"},
    "torchvision": {"torchvision"},
    "tensorflow": {"tensorflow", "tensorflow-cpu"},
    "keras": {"keras", "tensorflow", "tensorflow-cpu"},  # TensorFlow >= 2.16 brings Keras 3
    "IPython": {"ipython", "ipykernel", "ipywidgets", "jupyterlab"},
    "ipywidgets": {"ipywidgets"},
    "tqdm": {"tqdm"},
    "yaml": {"pyyaml"},
    "PIL": {"pillow"},
    "myst_nb": {"myst-nb", "jupyter-book"},  # glue: numbers in the prose come from cells
}

# Imports in src/lossbook that are optional on purpose, with where the guard is.
OPTIONAL_IN_PACKAGE = {
    # rosetta.py: the focal row has requires="torchvision"; without it the table says
    # "torchvision not installed" instead of failing.
    "torchvision",
    # plot.py: retina inline figures only inside a Jupyter kernel (it brings matplotlib-inline).
    "matplotlib_inline",
}

LOCAL_LABEL_PIN = re.compile(r"===?\s*[^\s;#,]*\+")


def _requirement_names(lines: list[str]) -> set[str]:
    names = set()
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        names.add(canonicalize_name(Requirement(line).name))
    return names


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _package_names() -> set[str]:
    """Distributions installed by ``pip install -e ".[every extra]"``."""
    project = _pyproject()["project"]
    lines = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        lines += extra
    return _requirement_names(lines)


def _reader_names() -> set[str]:
    return _requirement_names((ROOT / "requirements.txt").read_text().splitlines())


def _strip_magics(source: str) -> str | None:
    """Cell source as plain Python: IPython line magics and shell escapes become ``pass``.

    Returns None for a cell magic (``%%...``), whose body need not be Python.
    """
    if source.lstrip().startswith("%%"):
        return None
    out = []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            line = line[: len(line) - len(stripped)] + "pass"
        out.append(line)
    return "\n".join(out)


def _top_level_imports(tree: ast.AST) -> set[str]:
    """Top-level module names of absolute imports (``import a.b`` and ``from a.b import c``)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _third_party(names: set[str]) -> set[str]:
    return {n for n in names if n not in sys.stdlib_module_names and n != "lossbook"}


def _notebook_imports() -> dict[str, set[str]]:
    """Third-party import name -> the notebooks that import it."""
    found: dict[str, set[str]] = {}
    for nb in NOTEBOOKS:
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        for i, cell in enumerate(cells):
            if cell["cell_type"] != "code":
                continue
            source = cell["source"]
            source = _strip_magics("".join(source) if isinstance(source, list) else source)
            if source is None:
                continue
            try:
                tree = ast.parse(source)
            except SyntaxError as exc:  # an import hidden in an unparsable cell would be missed
                pytest.fail(f"{nb.name} cell {i} is not Python once magics are removed: {exc}")
            for name in _third_party(_top_level_imports(tree)):
                found.setdefault(name, set()).add(nb.name)
    return found


def _package_imports() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name in _third_party(_top_level_imports(tree)):
            found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def _uncovered(imports: dict[str, set[str]], available: set[str]) -> list[str]:
    problems = []
    for name, where in sorted(imports.items()):
        if name not in PROVIDERS:
            problems.append(
                f"{name} (imported in {', '.join(sorted(where))}) is not in PROVIDERS in "
                "tests/test_install.py: add its distribution there and to the install lists"
            )
        elif not PROVIDERS[name] & available:
            problems.append(
                f"{name} (imported in {', '.join(sorted(where))}) needs one of "
                f"{sorted(PROVIDERS[name])}"
            )
    return problems


def test_lock_has_no_local_version_labels():
    """`torch==2.13.0+cpu` exists only in the build machines' wheel folder; `make lock` strips it."""
    lock = (ROOT / "requirements-lock.txt").read_text().splitlines()
    labelled = [line for line in lock if LOCAL_LABEL_PIN.search(line.split("#", 1)[0])]
    assert not labelled, f"local version labels in requirements-lock.txt: {labelled}"


@pytest.mark.parametrize(
    ("line", "labelled"),
    [
        ("torch==2.13.0+cpu", True),
        ("torchvision===0.29.1+cu128 ; sys_platform == 'linux'", True),
        ("torch==2.13.0", False),
        ("tensorflow_cpu==2.21.0", False),
        ("pkg @ https://example.org/pkg-1.0+local.whl", False),
    ],
)
def test_local_label_pattern(line, labelled):
    assert bool(LOCAL_LABEL_PIN.search(line)) is labelled


def test_notebooks_are_scanned():
    imports = _notebook_imports()
    assert len(NOTEBOOKS) >= 15
    assert {"numpy", "torch", "matplotlib"} <= imports.keys()


def test_magics_do_not_hide_imports():
    source = "if x:\n    %pip install foo\n    !ls\nimport pandas as pd\nfrom scipy import stats"
    assert _top_level_imports(ast.parse(_strip_magics(source))) == {"pandas", "scipy"}
    assert _strip_magics("%%bash\nls") is None


def test_every_notebook_import_is_in_requirements_txt():
    problems = _uncovered(_notebook_imports(), _reader_names())
    assert not problems, "requirements.txt misses:\n" + "\n".join(problems)


def test_every_notebook_import_is_in_a_pyproject_extra():
    problems = _uncovered(_notebook_imports(), _package_names())
    assert not problems, "pyproject dependencies/extras miss:\n" + "\n".join(problems)


def test_every_package_import_is_in_dependencies_or_extras():
    imports = {k: v for k, v in _package_imports().items() if k not in OPTIONAL_IN_PACKAGE}
    problems = _uncovered(imports, _package_names())
    assert not problems, "pyproject dependencies/extras miss:\n" + "\n".join(problems)


def test_readme_gives_the_reader_install_that_the_lists_support():
    readme = (ROOT / "README.md").read_text()
    assert "pip install -r requirements.txt" in readme
    assert 'pip install -e ".[book,torch,tensorflow]"' in readme
    extras = set(_pyproject()["project"]["optional-dependencies"])
    assert {"book", "torch", "tensorflow"} <= extras
    assert "/opt/" not in readme, "no build-machine paths in the README"


def test_readme_one_minute_example_runs():
    # The README's "package in one minute" block is run as written (it once raised NameError).
    import contextlib
    import io

    readme = (ROOT / "README.md").read_text()
    section = readme.split("## The package in one minute", 1)[1]
    block = section.split("```python\n", 1)[1].split("```", 1)[0]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, "README.md", "exec"), {})
    assert "y_true" in out.getvalue() and "-1" in out.getvalue(), out.getvalue()
