# The two commands of the README:
#   make demo   set up, generate the demo landing tree, run the pipeline, show the results
#   make test   set up (Debian packages included) and run the test suite
HOME_DIR ?= warehouse
VENV := .venv/bin

.PHONY: setup demo test lint serve dagster bench clean-home

setup:
	scripts/setup.sh

demo: setup
	$(VENV)/safetywh generate --home $(HOME_DIR)
	$(VENV)/safetywh run --home $(HOME_DIR)

test:
	scripts/setup.sh --system
	$(VENV)/python -m pytest

# ruff (check and format) over the Python, sqlfluff (dbt templater, DuckDB dialect) over the
# dbt models; .ci/run runs it before the tests. `make lint FIX=1` applies the fixes.
lint:
	scripts/setup.sh --lint
	$(VENV)/ruff check $(if $(FIX),--fix,) .
	$(VENV)/ruff format $(if $(FIX),,--check) .
	SAFETYWH_DUCKDB=$$(mktemp -d)/lint.duckdb .venv-lint/bin/sqlfluff $(if $(FIX),fix,lint) dbt_project/models

# the service: Dagster daemon + UI + dashboards on the home's instance (README, "Running as a service")
serve: setup
	$(VENV)/safetywh serve --home $(HOME_DIR)

dagster: setup
	mkdir -p $(HOME_DIR)/dagster && cp dagster.yaml $(HOME_DIR)/dagster/dagster.yaml
	DAGSTER_HOME=$(abspath $(HOME_DIR))/dagster SAFETYWH_HOME=$(HOME_DIR) PATH=$(CURDIR)/.venv/bin:$$PATH \
		$(VENV)/dagster dev -m pipelines.definitions

bench: setup
	$(VENV)/python -m bench

clean-home:
	rm -rf $(HOME_DIR)/landing $(HOME_DIR)/*.duckdb* $(HOME_DIR)/published $(HOME_DIR)/logs $(HOME_DIR)/outbox $(HOME_DIR)/publications $(HOME_DIR)/.writer.lock $(HOME_DIR)/dagster
