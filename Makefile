# The two set-up commands: `make run` and `make test`. Each creates .venv on first use;
# `make run` installs what the service needs to run, `make test` adds the dev extras.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: run test lint bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP)

run: $(STAMP)
	$(BIN)/landreg migrate
	$(BIN)/landreg demo --quiet
	$(BIN)/landreg serve

test: $(DEV_STAMP)
	$(BIN)/pytest
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy registry spatial projections api

lint: $(DEV_STAMP)
	$(BIN)/ruff check registry spatial projections api tests
	$(BIN)/mypy registry spatial projections api

# Opt-in, long: the national run at PARCELS parcels on the PostgreSQL named by LANDREG_BENCH_URL
# (default: database landreg_bench on 127.0.0.1, dropped and refilled). Figures: benchmarks/README.md.
PARCELS ?= 100000
BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(DEV_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks national --parcels $(PARCELS)
