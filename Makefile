# femtologging developer tasks. `make demo` and `make test` are the two
# commands README.md promises work on a fresh machine.
PY ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.deps-stamp

.PHONY: venv build demo test test-rust test-py test-cpython bench bench-quick clean reliability fuzz

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

# Slow reliability variants (16 threads x 100k records, a 1 KiB/s receiver...).
reliability: build
	FEMTOLOGGING_RELIABILITY_SLOW=1 $(VPY) -m pytest -q tests/reliability

# Differential fuzzing against the standard library (fixed number of iterations).
FUZZ_RUNS ?= 20000
fuzz: build
	$(VPY) -m pip install -q "atheris>=2.3"
	$(VPY) tests/reliability/fuzz_differential.py -runs=$(FUZZ_RUNS)

bench: build
	$(VPY) -m pip install -q pyperf picologging loguru structlog logly
	$(VPY) benchmarks/run.py

bench-quick: build
	$(VPY) -m pip install -q pyperf picologging loguru structlog logly
	$(VPY) benchmarks/run.py --quick

clean:
	rm -rf target $(VENV) femtologging/*.so
