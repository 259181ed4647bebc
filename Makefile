# grassroots-briefs: the front door. `make help` lists the targets.
#
# Directories can be overridden on the command line, with absolute paths outside the repo:
#   make extract RAW_DIR=/abs/in PROCESSED_DIR=/abs/out
# File names inside RAW_DIR never pass through make or the shell (Python lists the folder),
# so names with spaces, quotes or semicolons are safe.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON_BOOTSTRAP ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SETUP_STAMP := $(VENV)/.setup-complete

RAW_DIR ?= data/raw
INTERIM_DIR ?= data/interim
PROCESSED_DIR ?= data/processed
REPORTS_DIR ?= reports
STRICT ?= 0
SCHEDULER ?=
export RAW_DIR INTERIM_DIR PROCESSED_DIR REPORTS_DIR STRICT SCHEDULER

# Keep Jupyter, IPython and matplotlib out of $HOME: their config, data and runtime live here.
CACHE := $(CURDIR)/.cache
export JUPYTER_CONFIG_DIR := $(CACHE)/jupyter/config
export JUPYTER_DATA_DIR := $(CACHE)/jupyter/data
export JUPYTER_RUNTIME_DIR := $(CACHE)/jupyter/runtime
export JUPYTER_PLATFORM_DIRS := 1
export IPYTHONDIR := $(CACHE)/ipython
export MPLCONFIGDIR := $(CACHE)/matplotlib
export MPLBACKEND := Agg
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

PIPELINE := $(PY) -m grassroots.pipeline

# The stages, as declared in the stage table (src/grassroots/pipeline/stages.py, which `make help`
# prints): a target per stage, named as the stage; tests/test_stages.py checks the two agree.
STAGES := extract validate briefs

.PHONY: help setup all $(STAGES) test test-fast lint manifest lab browser ocr reproduce bench clean docs

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@PYTHONPATH="$(CURDIR)/src" $(PYTHON_BOOTSTRAP) -m grassroots.pipeline.stages
	@echo "  Variables: RAW_DIR=$(RAW_DIR) INTERIM_DIR=$(INTERIM_DIR) PROCESSED_DIR=$(PROCESSED_DIR) REPORTS_DIR=$(REPORTS_DIR) STRICT=$(STRICT)"

setup: $(SETUP_STAMP) ## Create .venv with pip (idempotent; reruns only when pyproject.toml or the lock change)

$(SETUP_STAMP): pyproject.toml requirements.lock
	@$(PYTHON_BOOTSTRAP) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (found %d.%d); set PYTHON_BOOTSTRAP=python3.11" % sys.version_info[:2])'
	@test -x $(PY) || $(PYTHON_BOOTSTRAP) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=23.2"
	$(PY) -m pip install --quiet -c requirements.lock -e '.[test]'
	@touch $@

all: setup ## Every stage: extract, validate and render the briefs from RAW_DIR (STRICT=1: fail on any problem)
	@$(PIPELINE) all

$(STAGES): setup
	@$(PIPELINE) $@

manifest: setup ## Record the checksums of RAW_DIR in MANIFEST.sha256 (a deliberate addition)
	@$(PY) -c 'from grassroots.pipeline.rawio import write_manifest; from grassroots.paths import resolve_dir; print("wrote", write_manifest(resolve_dir(None, "RAW_DIR")))'

docs: setup ## Regenerate docs/codebook.md from the codebook
	@$(PY) -m grassroots.codebook docs/codebook.md

test: setup browser ocr ## The whole test suite (unit, notebook runs, pipeline, browser, OCR)
	$(PY) -m pytest

ocr: ## Install Tesseract (Vietnamese) and LibreOffice for the transcription tests when missing (root and apt)
	@tools/install-system-packages.sh --ocr --office --check >/dev/null 2>&1 || tools/install-system-packages.sh --ocr --office \
	  || echo "warning: Tesseract/LibreOffice could not be installed; the OCR and office tests will be skipped"

browser: ## Install Debian's chromium for the browser test when missing (needs root and apt)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian chromium for the browser test ..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; the browser test will be skipped"; \
	  else echo "warning: chromium is missing and cannot be installed here; the browser test will be skipped"; fi; }

test-fast: setup ## The quick daily subset (no notebook or browser runs)
	$(PY) -m pytest -m "not slow"

lint: setup ## ruff over src, tests and tools
	$(VENV)/bin/ruff check src tests tools

lab: ## Open the notebooks in JupyterLab (own venv: .venv-lab)
	@test -x .venv-lab/bin/python || $(PYTHON_BOOTSTRAP) -m venv .venv-lab
	.venv-lab/bin/python -m pip install --quiet -c requirements.lock -e '.[lab]'
	.venv-lab/bin/jupyter lab --notebook-dir=notebooks

reproduce: setup ## Rerun everything into a temp dir and compare byte for byte with the committed outputs
	@$(PY) -m grassroots.pipeline.reproduce

bench: setup ## Benchmarks on synthetic corpora -> reports/bench/
	@$(PY) -m grassroots.bench

clean: ## Remove derived files (interim data, executed notebooks, caches); keeps processed tables and briefs
	rm -rf "$(INTERIM_DIR)" "$(REPORTS_DIR)/runs" .cache .pytest_cache
