# lossbook: two commands on a fresh machine.
#   make book   set up .venv and build the HTML book into _build/html (strict)
#   make test   set up and run every check (ruff, pytest, strict nbval, strict build, browser)
SHELL := /bin/bash
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# The CPU torch wheel lives in /opt/wheels on the build machines; elsewhere PyPI is used.
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)
MATHJAX_VERSION := 3.2.2
MATHJAX_DIR := book/_extra/_static/mathjax
CHROMIUM ?= /usr/bin/chromium
export TF_CPP_MIN_LOG_LEVEL := 2
export TF_ENABLE_ONEDNN_OPTS := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help setup browser book test lint unit nbval build-book browser-check notebooks lab bench lock pages clean

help:
	@echo "make book       set up .venv and build the HTML book (_build/html)"
	@echo "make test       set up and run every check (what CI runs)"
	@echo "make notebooks  re-execute every notebook in place in a fresh kernel"
	@echo "make pages      regenerate the book pages built from the catalog"
	@echo "make lab        open JupyterLab on the notebooks"
	@echo "make bench      run the benchmarks"

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
	@$(PY) scripts/gen_pages.py --check
	rm -rf _build/html _build/.doctrees _build/jupyter_execute
	$(VENV)/bin/jupyter-book build -W -n --keep-going --path-output . .
	@echo "Book built: open _build/html/index.html"

test: setup browser
	@$(PY) scripts/run_checks.py

browser:
	@scripts/install_browser.sh

browser-check: browser
lint unit nbval build-book browser-check: setup
	@$(PY) scripts/run_checks.py $@

notebooks: setup
	@for nb in notebooks/*.ipynb; do \
	  echo "executing $$nb"; \
	  $(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=600 "$$nb" || exit 1; \
	done

pages: setup
	$(PY) scripts/gen_pages.py

lab: setup
	$(VENV)/bin/jupyter lab notebooks/

bench: setup
	$(PY) benchmarks/bench_losses.py

lock: $(STAMP)
	$(PY) -m pip install -q $(FIND_LINKS) -r requirements-dev.txt
	$(PY) -m pip freeze --exclude-editable | grep -v '^lossbook' > requirements-lock.txt

clean:
	rm -rf _build book/_extra
