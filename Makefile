# femtologging developer tasks. `make demo` and `make test` are the two
# commands README.md promises work on a fresh machine.
PY ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.deps-stamp

.PHONY: venv build demo test test-rust test-py test-cpython bench bench-deps bench-quick clean

$(STAMP): pyproject.toml
	test -x $(VPY) || $(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q "maturin>=1.5,<2" "pytest>=8"
	touch $(STAMP)

venv: $(STAMP)

build: venv
	VIRTUAL_ENV=$(abspath $(VENV)) $(VENV)/bin/maturin develop --release -q

demo: build
	$(VPY) examples/demo.py

test-rust:
	PYO3_PYTHON=$$(readlink -f $(VPY)) cargo test --lib -q

test-py: build
	$(VPY) -m pytest -q

test-cpython: build
	$(VPY) cpython_tests/run.py --check-floor

test: venv test-rust test-py test-cpython

# Per CPython: make bench PY=python3.12 VENV=.venv312 BENCH_ARGS="--quick --scenarios idioms"
# (a library with no wheel for that Python is skipped and shown as n/a).
BENCH_ARGS ?=
BENCH_LIBS := picologging loguru structlog logly

bench-deps: build
	$(VPY) -m pip install -q pyperf
	for p in $(BENCH_LIBS); do $(VPY) -m pip install -q $$p || echo "$$p: not installable here (n/a)"; done

bench: bench-deps
	$(VPY) benchmarks/run.py $(BENCH_ARGS)

bench-quick: bench-deps
	$(VPY) benchmarks/run.py --quick $(BENCH_ARGS)

clean:
	rm -rf target $(VENV) femtologging/*.so
