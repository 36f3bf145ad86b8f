# Seire — `make run` installs everything and serves the demo; `make test` runs the whole suite.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PIP_QUIET := 2> >(grep -v "^WARNING: Location" >&2)

.PHONY: run install test test-fast lint format bench fuzz audit lock browser-deps system-deps \
	migrations-check clean

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes \
		-r requirements.lock $(PIP_QUIET)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e . $(PIP_QUIET)
	touch $@

install: $(VENV)/.installed

## run: install, create the SQLite database, load the catalogue and the demo, serve :8000
run: install system-deps
	$(BIN)/seire demo

## browser-deps: Debian's Chromium for the Playwright tests
browser-deps:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-dejavu-core; }

## system-deps: the Debian libraries WeasyPrint (PDFs) loads, and the fonts it embeds
WEASYPRINT_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
system-deps:
	@missing=$$(for p in $(WEASYPRINT_DEBS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	test -z "$$missing" || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing > /dev/null; }

PYTEST_WORKERS ?= auto

## test: the whole suite (unit, database, browser); DATABASE_URL picks the database
test: install browser-deps system-deps migrations-check
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## test-fast: everything but the browser tests
test-fast: install system-deps migrations-check
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -m "not browser" $(PYTEST_ARGS)

migrations-check: install
	$(BIN)/python -m seire makemigrations --check --dry-run > /dev/null

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## fuzz: the fuzz tests (schemathesis over the API, every importer, the feedback API) with
## many more examples than `make test` gives them (SEIRE_FUZZ_EXAMPLES each), and the kill -9 tests
FUZZ_EXAMPLES ?= 300
fuzz: install
	SEIRE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) \
		-m "fuzz or kill" -p no:randomly $(PYTEST_ARGS)

## audit: known vulnerabilities in the locked dependencies (pip-audit against OSV); fails on any
## found, warns (and passes) when the vulnerability database cannot be reached
AUDIT_SERVICE ?= osv
audit: install
	@out=$$($(BIN)/pip-audit --vulnerability-service $(AUDIT_SERVICE) --disable-pip \
		--requirement requirements.lock --progress-spinner off --timeout 20 2>&1) && rc=0 || rc=$$?; \
	if [ $$rc -ne 0 ] && grep -qE "ConnectionError|NameResolutionError|Max retries exceeded|timed out" <<< "$$out"; then \
		echo "WARNING: pip-audit could not reach the $(AUDIT_SERVICE) vulnerability database:"; \
		grep -E "ConnectionError|timed out" <<< "$$out" | tail -1; \
		echo "WARNING: dependencies NOT audited (run make audit where it is reachable)"; \
	else echo "$$out"; exit $$rc; fi

## bench: benchmarks, each printing ratios measured side by side in one run
bench: install
	$(BIN)/python bench/run.py

## lock: re-pin requirements.lock (with hashes) from requirements.in
lock:
	test -x $(VENV)-lock/bin/pip-compile || { $(PYTHON) -m venv $(VENV)-lock && \
		$(VENV)-lock/bin/pip install --quiet pip-tools; }
	$(VENV)-lock/bin/pip-compile --quiet --generate-hashes --strip-extras \
		--output-file requirements.lock requirements.in

clean:
	rm -rf $(VENV) $(VENV)-lock staticfiles .pytest_cache .hypothesis seire.sqlite3*
