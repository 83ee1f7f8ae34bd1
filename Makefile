# One entry point for people and CI. `make check` is exactly what CI runs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Prefect must never phone home, and a fresh machine has no network but the package registries.
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: venv demo test lint typecheck check bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "citywide needs Python 3.11, found " + sys.version'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

## The main job: fetch the reference sources and build the whole pipeline's outputs.
demo: venv
	$(BIN)/citywide run

## The test suite (real-data tests need CITYWIDE_SOURCES_DIR; CI sets it).
test: venv
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

check: lint typecheck test

## Benchmarks (not part of CI): ingest 1,000,000 CSV rows beside DuckDB's own read_csv.
bench: venv
	$(BIN)/python bench/ingest_csv.py --rows 1000000

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
