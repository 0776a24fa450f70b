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
	# llama.cpp built for a portable x86-64 (AVX2/AVX-512), not -march=native: the native build of
	# 0.3.36 dies with a general protection fault in libggml-cpu on AMX machines (seen 2026-12-04).
	# No cache: a natively built wheel cached earlier must not be reused.
	CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_AVX512=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_CURL=OFF" \
		CMAKE_BUILD_PARALLEL_LEVEL=2 $(PIP) install -q --no-cache-dir 'llama-cpp-python[server]==0.3.36'
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
