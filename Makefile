# citydip: every set-up step lives here; nothing is installed by hand.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# uv from PATH when present, otherwise installed into a bootstrap venv.
UV := $(or $(shell command -v uv 2>/dev/null),.bootstrap/bin/uv)
UI_HOST ?= 127.0.0.1
UI_PORT ?= 3000
export DAGSTER_HOME ?= $(CURDIR)/.dagster
export UV_LINK_MODE ?= copy
# Ship .pyc files in .venv: with PYTHONDONTWRITEBYTECODE set, every `citydip` and `dbt` process
# would otherwise compile dagster and dbt from source on each start (~8 s; bench/RESULTS.md).
export UV_COMPILE_BYTECODE ?= 1

DBT_INPUTS := $(shell find dbt_project/models dbt_project/seeds dbt_project/macros dbt_project/tests -type f 2>/dev/null) dbt_project/dbt_project.yml dbt_project/profiles.yml
MANIFEST := dbt_project/target/manifest.json

.PHONY: help setup run test test-e2e test-spark spark-extra test-deps ui lint bench bench-quick clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

.bootstrap/bin/uv:
	$(PYTHON) -m venv .bootstrap
	.bootstrap/bin/pip install --quiet "uv>=0.5"

$(BIN)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

$(MANIFEST): $(BIN)/.synced $(DBT_INPUTS)
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir . --target build
	@touch $@

$(DAGSTER_HOME)/dagster.yaml:
	@$(BIN)/python -m pipelines.refresh.instance

setup: $(BIN)/.synced $(MANIFEST) $(DAGSTER_HOME)/dagster.yaml ## create .venv from uv.lock and prepare the dbt manifest

run: setup ## refresh everything on the embedded snapshots and publish warehouse/citydip.duckdb
	$(BIN)/citydip refresh

# The tiers (tests/conftest.py): unit + integration share one warehouse refreshed once per session
# and worker, in-process; e2e is what needs real processes (crashes, races, webserver, browser,
# cold builds). pytest-xdist spreads both over the machine's cores (TEST_WORKERS=0: one process);
# e2e by module (--dist loadfile), so each module's processes and shared fixtures stay together.
TEST_WORKERS ?= auto
# The tests' scratch (each test's CITYDIP_HOME, DAGSTER_HOME and copies of the warehouse; TMPDIR)
# lives under TEST_TMP: on tmpfs when /dev/shm has 8 GB free, because a refresh commits to
# SQLite and DuckDB hundreds of times and each commit waits for the disk (~0.7 ms here): a cold
# refresh 34.8 -> 30.7 s, make test-e2e 662 -> 597 s (bench/FINDINGS.md). One folder per checkout
# and tier, so that tiers and clones can run side by side; removed after a passing run (tmpfs is
# memory), kept after a failing one for inspection. TEST_TMP=<folder> chooses another.
# (Decided once, when make reads this file; the recipes below expand TEST_TMP several times.)
ifndef TEST_TMP
SHM_FREE_KB := $(shell df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 {print $$4}')
TEST_TMP := $(if $(shell [ "$(SHM_FREE_KB)" -ge 8000000 ] 2>/dev/null && echo y),/dev/shm/citydip-tests-$(shell printf %s "$(CURDIR)" | cksum | cut -d ' ' -f 1),$(CURDIR)/build/test-tmp)
endif
# $(call pytest,<tier folder>,<arguments>)
pytest = mkdir -p $(TEST_TMP)/tmp && TMPDIR=$(TEST_TMP)/tmp $(BIN)/pytest --basetemp=$(TEST_TMP)/$(1) $(2) && rm -rf $(TEST_TMP)/$(1)

test: setup ## run the test suite: unit + integration tests (offline, in-process)
	$(call pytest,test,-m "not e2e and not spark" -n $(TEST_WORKERS) --dist worksteal)

test-e2e: setup test-deps ## run the e2e tests: real processes, SIGKILL, webserver, browser, cold builds
	$(call pytest,e2e,-m "e2e and not spark" -n $(TEST_WORKERS) --dist loadfile)

# The dbt project on a local Apache Spark (CITYDIP_ENGINE=spark) against the DuckDB build: every
# mart equal. Installs the `spark` extra (dbt-spark, pyspark) into .venv and Java when missing.
test-spark: setup test-deps spark-extra ## build the scorecard on local Spark and compare every mart with DuckDB's
	$(call pytest,spark,-m spark)

spark-extra: $(BIN)/.synced ## install the `spark` extra (dbt-spark, pyspark) into .venv
	$(UV) sync --frozen --extra spark --python $(PYTHON)

# The cards' browser test (e2e) drives Debian's chromium, make test-spark a Java 17 runtime for
# pyspark; install each when missing and apt is there.
CHROMIUM ?= /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo -n)
test-deps: ## install the test suite's system packages (chromium for the browser test, Java for Spark)
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends chromium; \
	else echo "test-deps: no $(CHROMIUM) and no apt-get: the browser test will be skipped"; fi
	@if command -v java >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends openjdk-17-jre-headless; \
	else echo "test-deps: no java and no apt-get: make test-spark cannot run"; fi

ui: setup ## start the Dagster UI and daemon (dg dev) on 127.0.0.1
	$(BIN)/dg dev --host $(UI_HOST) --port $(UI_PORT)

lint: setup ## ruff, then sqlfluff on the dbt models (.sqlfluff: dbt templater, DuckDB dialect)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project/models

bench: setup test-deps spark-extra ## run the four benchmarks (refresh cold / no change / one source; scale, on DuckDB and Spark) and rewrite bench/RESULTS.md
	$(BIN)/python -m bench.run

# Quick: the refresh part and the scale part side by side, one process each (each keeps about
# one core busy, so apart they left the other idle: 125 -> 94 s), each with its own partial
# report; `--combine` then writes bench/out/RESULTS-quick.md from the parts (and says they ran
# concurrently). Fails if either part does.
bench-quick: setup ## the benchmarks at small size, once each, to keep them working (CI); writes bench/out/
	$(BIN)/python -m bench.run --quick --skip-scale --output bench/out/RESULTS-quick-refresh.md & refresh=$$!; \
	$(BIN)/python -m bench.run --quick --skip-refresh --output bench/out/RESULTS-quick-scale.md; scale=$$?; \
	wait $$refresh; refresh=$$?; \
	[ $$refresh -eq 0 ] && [ $$scale -eq 0 ] && $(BIN)/python -m bench.run --quick --combine

# Stdlib only, so it needs neither .venv nor the network: a fresh clone can run it.
.PHONY: snapshots-check
snapshots-check: ## rebuild every snapshot from its in-repo inputs and compare byte for byte
	$(PYTHON) sources/snapshots/check.py

clean: ## remove the venv, build state and runtime data (keeps warehouse/README.md)
	rm -rf $(VENV) .bootstrap dbt_project/target dbt_project/logs .dagster build $(TEST_TMP)
	find warehouse -mindepth 1 ! -name README.md -exec rm -rf {} +
