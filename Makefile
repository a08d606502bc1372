# The two commands of the README: `make demo` runs a demo season, `make test` runs every check.
# Both create .venv and (re)install the project when pyproject.toml changes.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSTEM_PACKAGES := fonts-wqy-microhei poppler-utils chromium chromium-driver postfix zbar-tools
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: test test-fast fuzz demo lint typecheck imports pytest sysdeps clean

# The project is installed with uv (from PyPI, into the venv) when it can be had: a fresh venv in
# ~25 s instead of ~55 s with pip. The modules are compiled on install, as pip does: where
# PYTHONDONTWRITEBYTECODE is set, every process would otherwise compile Prefect anew (+6 s each).
# Without uv (or if its install fails) pip installs as before.
UV := 'uv>=0.5,<1'
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@($(BIN)/python -m pip install --quiet $(UV) 2>/dev/null \
	  && $(BIN)/python -m uv pip install --quiet --python $(BIN)/python --compile-bytecode -e '.[dev]') \
	|| ($(BIN)/python -m pip install --quiet --upgrade pip \
	  && $(BIN)/python -m pip install --quiet -e '.[dev]')
	@touch $(STAMP)

# Debian packages the product or its tests need: installed when missing and running as root,
# otherwise the one apt-get line to run is printed.
sysdeps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "warning: could not install$$missing"; \
	  else echo "please run: sudo apt-get install -y$$missing"; fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

# Two workers (the machines have 2 cores); the slowest tests are listed at the end.
PYTEST := $(BIN)/pytest -n 2 --durations=15

# The season fuzzer's many seeds are marked `fuzz` and left to `make fuzz`; a few stay here.
pytest: $(STAMP) sysdeps
	$(PYTEST) -m "not fuzz"

# The static checks run beside pytest (each one's output is printed whole when it ends): on a
# fresh clone this saves most of mypy's and import-linter's ~45 s.
test: $(STAMP) sysdeps
	@$(MAKE) --no-print-directory --jobs=4 --output-sync=target lint typecheck imports pytest

# The quick lane while working: every check but the flow tests (no Prefect server, no harness).
test-fast: lint typecheck imports $(STAMP) sysdeps
	$(PYTEST) -m "not flow and not fuzz"

# The season fuzzer (tests/fuzz/): FUZZ_SEEDS seeded seasons (default 200) from FUZZ_START
# (default 1), each replayed through the real daily clock and checked after every played day;
# one line per seed (seed, units, days played, seconds, violations) at the end. The intake
# fuzzer (tests/fuzz/test_intake_files.py) mutates valid files INTAKE_FUZZ_EXAMPLES times per
# shape (default 400, about a minute); `make test` runs 25 of them.
FUZZ_SEEDS ?= 200
FUZZ_START ?= 1
INTAKE_FUZZ_EXAMPLES ?= 400
fuzz: $(STAMP) sysdeps
	FUZZ_SEEDS=$(FUZZ_SEEDS) FUZZ_START=$(FUZZ_START) INTAKE_FUZZ_EXAMPLES=$(INTAKE_FUZZ_EXAMPLES) $(BIN)/pytest -n 2 tests/fuzz

demo: $(STAMP) sysdeps
	$(BIN)/campaign demo

clean:
	rm -rf workspace .pytest_cache .mypy_cache .ruff_cache
