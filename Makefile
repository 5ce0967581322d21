# lossbook: two commands on a fresh machine.
#   make book   set up .venv and build the HTML book into _build/html (strict)
#   make test   set up and run every check (ruff, pytest, strict nbval, strict build, browser)
SHELL := /bin/bash
PYTHON ?= python3
# VENV and FIND_LINKS can be overridden: `make setup VENV=/tmp/venv FIND_LINKS=`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# The CPU torch wheel lives in /opt/wheels on the build machines; elsewhere PyPI is used
# (torch==2.13.0 there is the standard wheel; see the README for the CPU-only one).
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)
# reader-check: a fresh venv from requirements.txt alone (several GB; not part of `make test`).
READER_VENV ?= /tmp/lossbook-reader-venv
MATHJAX_VERSION := 3.2.2
MATHJAX_DIR := book/_extra/_static/mathjax
CHROMIUM ?= /usr/bin/chromium
export TF_CPP_MIN_LOG_LEVEL := 2
export TF_ENABLE_ONEDNN_OPTS := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help setup browser book pdf pdf-check test lint package unit nbval nbval-baseline build-book browser-check notebooks lab bench lock reader-check clean

help:
	@echo "make book       set up .venv and build the HTML book (_build/html)"
	@echo "make pdf        build the book and print it to one PDF (_build/pdf/lossbook.pdf)"
	@echo "make pdf-check  make pdf, then check the PDF (tests/test_pdf.py; not in make test)"
	@echo "make test       set up and run every check (what CI runs)"
	@echo "make notebooks  re-execute every notebook in place in a fresh kernel"
	@echo "make lab        open JupyterLab on the notebooks"
	@echo "make bench      run the benchmarks"
	@echo "make lock       refresh requirements-lock.txt from requirements-dev.txt"
	@echo "make reader-check  fresh venv from requirements.txt, run every notebook (downloads GBs)"

setup: $(STAMP) $(MATHJAX_DIR)/tex-chtml.js

$(STAMP): requirements-lock.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(FIND_LINKS) -r requirements-lock.txt
	$(PY) -m pip install -q --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (lossbook)" >/dev/null
	@touch $@

# MathJax served from the book itself, so math renders with no network (npm registry only).
$(MATHJAX_DIR)/tex-chtml.js:
	@rm -rf $(MATHJAX_DIR) _build/mathjax-npm && mkdir -p $(MATHJAX_DIR) _build/mathjax-npm
	cd _build/mathjax-npm && npm pack --silent mathjax@$(MATHJAX_VERSION) >/dev/null && tar xzf mathjax-$(MATHJAX_VERSION).tgz
	cp -r _build/mathjax-npm/package/es5/. $(MATHJAX_DIR)/
	@test -f $@

book: setup
	rm -rf _build/html _build/.doctrees _build/jupyter_execute
	$(VENV)/bin/jupyter-book build -W -n --keep-going --path-output . .
	@echo "Book built: open _build/html/index.html"

# The whole book as one PDF: the strict HTML build, printed page by page by Debian's chromium
# (playwright), merged with pypdf; also copied to _build/html/lossbook.pdf. No LaTeX.
pdf: setup browser
	@$(PY) scripts/make_pdf.py

# tests/test_pdf.py is opt-in (LOSSBOOK_TEST_PDF=1): pages, chapter titles, math, wrapped code.
pdf-check: pdf
	LOSSBOOK_TEST_PDF=1 $(PY) -m pytest -q -p no:cacheprovider tests/test_pdf.py

test: setup browser
	@$(PY) scripts/run_checks.py

browser:
	@scripts/install_browser.sh

browser-check: browser
lint package unit nbval nbval-baseline build-book browser-check: setup
	@$(PY) scripts/run_checks.py $@

# Re-execute notebooks in place, in a fresh kernel, under the pinned kernel dispatch and thread
# counts that nbval uses (lossbook._setup.PINNED_ENV). One notebook: make notebooks NB=notebooks/04_*.ipynb
notebooks: setup
	@$(PY) scripts/run_checks.py notebooks $(NB)

lab: setup
	$(VENV)/bin/jupyter lab notebooks/

bench: setup
	$(PY) benchmarks/bench_losses.py

lock: $(STAMP)
	$(PY) -m pip install -q $(FIND_LINKS) -r requirements-dev.txt
	@# Local version labels (torch==2.13.0+cpu) exist only in the build machines' wheel folder:
	@# strip them so that the lock installs anywhere (tests/test_install.py checks it).
	$(PY) -m pip freeze --exclude-editable | grep -v '^lossbook' \
	  | sed -E 's/^([A-Za-z0-9._-]+==[^+[:space:]]+)\+[^[:space:];]*/\1/' > requirements-lock.txt

# Not part of `make test`: builds a fresh venv from requirements.txt (current releases, no lock,
# no --find-links of its own; several GB) and runs every notebook in it. Run on a dependency bump and
# before a release.
reader-check:
	$(PYTHON) scripts/reader_check.py --venv $(READER_VENV)

clean:
	rm -rf _build book/_extra
