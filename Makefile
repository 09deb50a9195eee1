# The two commands of the README:
#   make demo   set up, generate the demo landing tree, run the pipeline, show the results
#   make test   set up (Debian packages included) and run the test suite
HOME_DIR ?= warehouse
VENV := .venv/bin

.PHONY: setup demo test serve dagster bench clean-home

setup:
	scripts/setup.sh

demo: setup
	$(VENV)/safetywh generate --home $(HOME_DIR)
	$(VENV)/safetywh run --home $(HOME_DIR)

test:
	scripts/setup.sh --system
	$(VENV)/python -m pytest

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
