# Two commands: `make run` and `make test`. `make install` is the step both share.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
export ASEANBOT_HOME ?= $(CURDIR)/var
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install system-deps run serve ingest test test-fast eval clean

install: $(VENV)/.installed

# Debian tools the product shells out to: OCR for scanned PDFs, antiword for .doc,
# Chromium for the widget's browser tests. Skipped with a warning when not root.
system-deps:
	@bash scripts/system-deps.sh

$(VENV)/.installed: pyproject.toml | system-deps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# torch first and pinned: 2.13.0 is the local CPU build; anything else pulls a CUDA build.
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[test,llm]'
	$(VENV)/bin/aseanbot setup
	touch $@

ingest: install
	$(VENV)/bin/aseanbot ingest

run: install ingest
	$(VENV)/bin/aseanbot serve --host 127.0.0.1 --port 8000

test: install
	bash scripts/run-tests.sh

eval: install
	$(PY) -m eval.retrieval
	$(PY) -m eval.answers

clean:
	rm -rf var test-artifacts .pytest_cache
