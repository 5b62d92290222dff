# femtologging developer tasks. `make demo` and `make test` are the two
# commands README.md promises work on a fresh machine.
PY ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.deps-stamp

.PHONY: venv build demo test test-rust test-py test-cpython bench bench-quick clean

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

clean:
	rm -rf target $(VENV) femtologging/*.so

# Release wheels: one manylinux wheel per supported CPython (zig links against the
# manylinux2014 glibc floor), built without debug info and stripped, in target/wheels.
# The build tools live in their own venv, target/dist-tools.
WHEEL_PYTHONS ?= /root/.pyenv/versions/3.11.7/bin/python3.11 \
	/root/.pyenv/versions/3.12.1/bin/python3.12 /root/.pyenv/versions/3.13.0/bin/python3.13
DIST_TOOLS := target/dist-tools
DIST_STAMP := $(DIST_TOOLS)/.deps-stamp

.PHONY: wheels test-wheels

$(DIST_STAMP): pyproject.toml
	test -x $(DIST_TOOLS)/bin/python || $(firstword $(WHEEL_PYTHONS)) -m venv $(DIST_TOOLS)
	$(DIST_TOOLS)/bin/pip install -q "maturin>=1.9,<2" "ziglang>=0.13,<0.18" auditwheel "pytest>=8"
	touch $@

wheels: $(DIST_STAMP)
	rm -f target/wheels/femtologging-*.whl
	PATH="$(CURDIR)/$(DIST_TOOLS)/bin:$$PATH" CARGO_PROFILE_RELEASE_DEBUG=0 \
		$(DIST_TOOLS)/bin/maturin build --release --strip --zig --compatibility manylinux2014 \
		$(addprefix -i ,$(WHEEL_PYTHONS)) -o target/wheels

# Installs each wheel into a fresh venv of its interpreter and runs the demo there.
test-wheels: wheels
	WHEEL_PYTHONS="$(WHEEL_PYTHONS)" $(DIST_TOOLS)/bin/python -m pytest -q wheel_tests
