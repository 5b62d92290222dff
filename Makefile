# femtologging developer tasks. `make demo` and `make test` are the two commands README.md
# promises work on a fresh machine.
#
# Every supported CPython X.Y has its own virtualenv (.venv-X.Y), Cargo target directory
# (target/pyX.Y, so switching versions never rebuilds the others) and CPython-suite floor
# (cpython_tests/floor-X.Y). Its interpreter is $(PY_X.Y) when set, else `pythonX.Y` on PATH,
# else ~/.pyenv/versions/X.Y.*/bin/pythonX.Y (.ci/find-python); a missing one FAILS the run.
#
#   make test                 every step on every version in PYTHONS
#   make test-3.12            every step on one version
#   make build PY=3.13        build into .venv-3.13 (also: demo, bench, bench-quick)
#
# Adding a per-version step: define `mystep-$(1)` inside `per_version` below (recipes use
# $(1) for X.Y, $$(VPY_$(1)) for the venv's python, $$(CARGO_ENV_$(1)) for cargo), then add
# `mystep` to STEPS (part of `make test-X.Y`; also to CHECKS if it only runs Python tests
# against the built extension, so `make test` runs it in the parallel phase) or leave it out
# (run on request as `make mystep-X.Y`, or `make mystep` for every version if listed in STEPS).

PYTHONS ?= 3.11 3.12 3.13
PY ?= 3.11
STEPS := test-rust test-py test-cpython-install test-cpython
# Steps that only run Python tests against a built extension: mostly waiting (sleeps, sockets,
# subprocesses), so `make test` runs them for all versions at once, after the builds.
CHECKS := test-py test-cpython-install test-cpython
# Third-party code the femtologging.install() tests (tests/install/) run against.
INSTALL_TEST_DEPS := uvicorn django opentelemetry-sdk structlog urllib3 gunicorn

.PHONY: venv build demo test bench bench-deps bench-quick bench-native reliability fuzz clean check-py314 $(STEPS) \
        $(foreach v,$(PYTHONS),venv-$(v) build-$(v) test-ext-$(v) test-$(v) check-$(v) $(addsuffix -$(v),$(STEPS)))

define per_version
VENV_$(1) := .venv-$(1)
VPY_$(1) := .venv-$(1)/bin/python
# The Rust test binary links libpython: its directory goes on the loader's path.
CARGO_ENV_$(1) = CARGO_TARGET_DIR=target/py$(1) PYO3_PYTHON=$$$$(readlink -f $$(VPY_$(1))) \
    LD_LIBRARY_PATH=$$$$($$(VPY_$(1)) -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR"))')$$$${LD_LIBRARY_PATH:+:$$$$LD_LIBRARY_PATH}

.venv-$(1)/.deps-stamp: pyproject.toml Makefile
	@interp="$$(PY_$(1))"; [ -n "$$$$interp" ] || interp=$$$$(.ci/find-python $(1)) || exit 1; \
	test -x $$(VPY_$(1)) || "$$$$interp" -m venv $$(VENV_$(1))
	$$(VPY_$(1)) -m pip install -q --upgrade pip
	$$(VPY_$(1)) -m pip install -q "maturin>=1.5,<2" "pytest>=8" "msgpack>=1.0"
	$$(VPY_$(1)) -m pip install -q $(INSTALL_TEST_DEPS)
	touch $$@

venv-$(1): .venv-$(1)/.deps-stamp

build-$(1): venv-$(1)
	$$(if $$(SKIP_BUILD),,VIRTUAL_ENV=$$(CURDIR)/$$(VENV_$(1)) CARGO_TARGET_DIR=target/py$(1) \
	    $$(VENV_$(1))/bin/maturin develop --release -q)

test-rust-$(1): venv-$(1)
	$$(CARGO_ENV_$(1)) cargo test --lib -q

# The pyo3-log test extension (tests/pyo3_log_ext, debug build).
test-ext-$(1): venv-$(1)
	$$(if $$(SKIP_BUILD),,VIRTUAL_ENV=$$(CURDIR)/$$(VENV_$(1)) CARGO_TARGET_DIR=target/ext-py$(1) \
	    $$(VENV_$(1))/bin/maturin develop -q -m tests/pyo3_log_ext/Cargo.toml)

test-py-$(1): build-$(1) test-ext-$(1)
	$$(VPY_$(1)) -m pytest -q

test-cpython-$(1): build-$(1)
	$$(VPY_$(1)) cpython_tests/run.py --check-floor

# CPython's test_logging with the real logging imported first, then femtologging.install()
# (floor and report per version: cpython_tests/floor-install-X.Y).
test-cpython-install-$(1): build-$(1)
	$$(VPY_$(1)) cpython_tests/run.py --install --check-floor

test-$(1): $(addsuffix -$(1),$(STEPS))

# The steps after the build, one after the other, each run even if an earlier one failed
# (what `make test` runs per version, in parallel).
check-$(1):
	$$(MAKE) --no-print-directory -k -j1 SKIP_BUILD=1 $(addsuffix -$(1),$(CHECKS))
endef

$(foreach v,$(PYTHONS),$(eval $(call per_version,$(v))))

# A step without a version runs on every version.
$(STEPS): %: $(foreach v,$(PYTHONS),%-$(v))

# Builds and Rust tests one version after the other (each keeps both cores busy), then the
# Python test steps of every version in parallel, their output kept per version.
test:
	$(MAKE) --no-print-directory $(foreach v,$(PYTHONS),build-$(v) test-ext-$(v) test-rust-$(v)) check-py314
	$(MAKE) --no-print-directory -j$(words $(PYTHONS)) --output-sync=recurse \
	    $(foreach v,$(PYTHONS),check-$(v))

venv: venv-$(PY)
build: build-$(PY)

demo: build
	$(VPY_$(PY)) examples/demo.py

# Per CPython: make bench PY=3.12 BENCH_ARGS="--quick --scenarios idioms"
# (a library with no wheel for that Python is skipped and shown as n/a).
BENCH_ARGS ?=
BENCH_LIBS := picologging loguru structlog logly

bench-deps: build
	$(VPY_$(PY)) -m pip install -q pyperf
	for p in $(BENCH_LIBS); do $(VPY_$(PY)) -m pip install -q $$p || echo "$$p: not installable here (n/a)"; done

bench: bench-deps
	$(VPY_$(PY)) benchmarks/run.py $(BENCH_ARGS)

bench-quick: bench-deps
	$(VPY_$(PY)) benchmarks/run.py --quick $(BENCH_ARGS)

# Slow reliability variants (16 threads x 100k records, a 1 KiB/s receiver...).
reliability: build
	FEMTOLOGGING_RELIABILITY_SLOW=1 $(VPY_$(PY)) -m pytest -q tests/reliability

# Differential fuzzing against the standard library (fixed number of iterations).
FUZZ_RUNS ?= 20000
fuzz: build
	$(VPY_$(PY)) -m pip install -q "atheris>=2.3"
	$(VPY_$(PY)) tests/reliability/fuzz_differential.py -runs=$(FUZZ_RUNS)

bench-native: build
	$(VPY_$(PY)) benchmarks/native_api.py --calls 200000 --rounds 3

# The crate must keep compiling against CPython 3.14 (no interpreter needed: a PyO3 config file
# describes it). Only `cargo check`: nothing is linked or run.
check-py314:
	PYO3_CONFIG_FILE=$(CURDIR)/build/pyo3-cpython314.cfg CARGO_TARGET_DIR=target/py314 cargo check --lib

clean:
	rm -rf target $(foreach v,$(PYTHONS),.venv-$(v)) femtologging/*.so

# Release wheels: one manylinux wheel per supported CPython (zig links against the
# manylinux2014 glibc floor), built without debug info and stripped, in target/wheels.
# The build tools live in their own venv, target/dist-tools.
WHEEL_PYTHONS ?= $(foreach v,$(PYTHONS),$(or $(PY_$(v)),$(shell .ci/find-python $(v))))
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
