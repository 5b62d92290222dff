# femtologging developer tasks. `make demo` and `make test` are the two
# commands README.md promises work on a fresh machine.
PY ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.deps-stamp

.PHONY: venv build demo test test-rust test-py test-cpython bench bench-quick bench-native clean

$(STAMP): pyproject.toml
	test -x $(VPY) || $(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q "maturin>=1.5,<2" "pytest>=8" "msgpack>=1.0"
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

bench-native: build
	$(VPY) benchmarks/native_api.py --calls 200000 --rounds 3

clean:
	rm -rf target $(VENV) femtologging/*.so
