# femtologging developer tasks. `make demo` and `make test` are the two
# commands README.md promises work on a fresh machine.
PY ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.deps-stamp
# One cargo target directory per virtualenv, so that building for another CPython
# (`make build PY=python3.12 VENV=.venv312`) does not rebuild PyO3 for the others.
export CARGO_TARGET_DIR ?= $(if $(filter .venv,$(VENV)),target,target/$(notdir $(VENV)))

.PHONY: venv build demo test test-rust test-py test-cpython bench bench-quick clean check-py314

$(STAMP): pyproject.toml
	test -x $(VPY) || $(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q "maturin>=1.5,<2" "pytest>=8"
	touch $(STAMP)

venv: $(STAMP)

build: venv
	$(VENV)/bin/maturin develop --release -q

demo: build
	$(VPY) examples/demo.py

test-rust:
	PYO3_PYTHON=$$(readlink -f $(VPY)) cargo test --lib -q

test-py: build
	$(VPY) -m pytest -q

test-cpython: build
	$(VPY) cpython_tests/run.py --check-floor

test: venv test-rust test-py test-cpython

bench: build
	$(VPY) -m pip install -q pyperf picologging loguru structlog logly
	$(VPY) benchmarks/run.py

bench-quick: build
	$(VPY) -m pip install -q pyperf picologging loguru structlog logly
	$(VPY) benchmarks/run.py --quick

# The crate must keep compiling against CPython 3.14 (no interpreter needed: a PyO3 config file
# describes it). Only `cargo check`: nothing is linked or run.
check-py314:
	PYO3_CONFIG_FILE=$(CURDIR)/build/pyo3-cpython314.cfg CARGO_TARGET_DIR=target/py314 cargo check --lib

clean:
	rm -rf target $(VENV) femtologging/*.so
