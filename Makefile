# One entry point for people and CI. `make check` is exactly what CI runs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Prefect must never phone home, and a fresh machine has no network but the package registries.
export PREFECT_SERVER_ANALYTICS_ENABLED := false
# (citywide itself gives Prefect's temporary server 120 s to start: flows/__init__.py.)

.PHONY: venv system-deps demo test lint typecheck check bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "citywide needs Python 3.11, found " + sys.version'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

## Debian packages: a Thai font for the PNG map; Chromium and its driver for the map tests.
## Installs only what is missing (as root, or through sudo); elsewhere says what to install.
SYSTEM_PACKAGES := fonts-thai-tlwg chromium chromium-driver
system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null; then \
		echo "citywide needs these packages (or your system's equivalents): $$missing" >&2; exit 0; fi; \
	sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	echo "installing Debian packages: $$missing"; \
	$$sudo apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null

## The main job: fetch the reference sources and build the whole pipeline's outputs.
demo: venv system-deps
	$(BIN)/citywide run

## The test suite (real-data tests need CITYWIDE_SOURCES_DIR; CI sets it).
test: venv system-deps
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

check: lint typecheck test

## Benchmarks (not part of CI): ingest 1,000,000 community rows and 2,000,000 household rows
## from CSV beside DuckDB's own read_csv of the same files.
bench: venv
	$(BIN)/python bench/ingest_csv.py --rows 1000000
	$(BIN)/python bench/ingest_households.py --rows 2000000
	$(BIN)/python bench/incremental.py --repeat 3
	$(BIN)/python bench/check_return.py --repeat 5

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
