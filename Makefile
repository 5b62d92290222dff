# femtologging developer tasks. `make demo` and `make test` are the two
# commands README.md promises work on a fresh machine.
PY ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.deps-stamp
# Third-party code the femtologging.install() tests (tests/install/) run against.
INSTALL_TEST_DEPS := uvicorn django opentelemetry-sdk structlog urllib3

.PHONY: venv build demo test test-rust test-py test-cpython test-cpython-install test-ext bench bench-quick clean

$(STAMP): pyproject.toml
	test -x $(VPY) || $(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q "maturin>=1.5,<2" "pytest>=8"
	$(VPY) -m pip install -q $(INSTALL_TEST_DEPS)
	touch $(STAMP)

venv: $(STAMP)

build: venv
	$(VENV)/bin/maturin develop --release -q

demo: build
	$(VPY) examples/demo.py

test-rust:
	PYO3_PYTHON=$$(readlink -f $(VPY)) cargo test --lib -q

# The pyo3-log test extension (tests/pyo3_log_ext, debug build: ~30 s the first time).
test-ext: venv
	$(VENV)/bin/maturin develop -q -m tests/pyo3_log_ext/Cargo.toml

test-py: build test-ext
	$(VPY) -m pytest -q

test-cpython: build
	$(VPY) cpython_tests/run.py --check-floor

# CPython's test_logging with the real logging imported first, then femtologging.install();
# floor and report are per interpreter version (cpython_tests/floor-install-X.Y).
test-cpython-install: build
	$(VPY) cpython_tests/run.py --install --check-floor

test: venv test-rust test-py test-cpython test-cpython-install

bench: build
	$(VPY) -m pip install -q pyperf picologging loguru structlog logly
	$(VPY) benchmarks/run.py

bench-quick: build
	$(VPY) -m pip install -q pyperf picologging loguru structlog logly
	$(VPY) benchmarks/run.py --quick

clean:
	rm -rf target $(VENV) femtologging/*.so
