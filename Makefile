# The two set-up commands: `make run` and `make test`. Each creates .venv on first use;
# `make run` installs what the service needs to run, `make test` adds the dev extras.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: run test lint bench vendor

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
	$(BIN)/mypy registry spatial projections api benchmarks tests/workload
	$(BIN)/ruff check registry spatial projections api tests benchmarks

lint: $(DEV_STAMP)
	$(BIN)/ruff check registry spatial projections api tests benchmarks
	$(BIN)/mypy registry spatial projections api benchmarks tests/workload

# Opt-in, long: the national run at PARCELS parcels on the PostgreSQL named by LANDREG_BENCH_URL
# (default: database landreg_bench on 127.0.0.1, dropped and refilled). Figures: benchmarks/README.md.
PARCELS ?= 100000
BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(DEV_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks national --parcels $(PARCELS)

# The map libraries of the land office page, vendored from npm (the page loads nothing from the
# internet). To update: change a version here, `make vendor`, run tests/browser, commit the files.
OL_VERSION := 10.11.0
PROJ4_VERSION := 2.22.0
VENDOR := api/web/static/vendor

vendor:
	rm -rf /tmp/landreg-vendor && mkdir -p /tmp/landreg-vendor $(VENDOR)/ol $(VENDOR)/proj4
	cd /tmp/landreg-vendor && npm pack --silent ol@$(OL_VERSION) proj4@$(PROJ4_VERSION) >/dev/null
	tar xzf /tmp/landreg-vendor/ol-$(OL_VERSION).tgz -C /tmp/landreg-vendor --transform 's|^package|ol|'
	tar xzf /tmp/landreg-vendor/proj4-$(PROJ4_VERSION).tgz -C /tmp/landreg-vendor --transform 's|^package|proj4|'
	cp /tmp/landreg-vendor/ol/dist/ol.js /tmp/landreg-vendor/ol/ol.css /tmp/landreg-vendor/ol/LICENSE.md $(VENDOR)/ol/
	cp /tmp/landreg-vendor/proj4/dist/proj4.js /tmp/landreg-vendor/proj4/LICENSE.md $(VENDOR)/proj4/
	echo "ol $(OL_VERSION), proj4 $(PROJ4_VERSION) (npm)" > $(VENDOR)/VERSIONS
