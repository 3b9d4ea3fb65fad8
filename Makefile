# The two set-up commands: `make run` and `make test`. Each creates .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/landreg demo --quiet
	$(BIN)/landreg serve

test: $(STAMP)
	$(BIN)/pytest
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy registry spatial projections api

lint: $(STAMP)
	$(BIN)/ruff check registry spatial projections api tests
	$(BIN)/mypy registry spatial projections api
