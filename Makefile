# Every target installs what it needs first, so `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.8
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PYTHONPATH := $(CURDIR):$(CURDIR)/layers/madoguchi/python
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

WEB_SOURCES := $(shell find web -path web/dist -prune -o -type f -print 2>/dev/null) vite.config.ts package-lock.json
LAYER_DIR := build/layers/deps

.PHONY: help setup run test unit logscan bench load synth lint openapi layer web chromium pcsc clean

help:
	@echo "make run    - the whole system locally with demo data (http://127.0.0.1:8000, PORT overrides)"
	@echo "make test   - lint, type checks and the whole test suite"
	@echo "make unit   - the unit tests only (pure logic and fakes; no local stack, no browser): seconds"
	@echo "make logscan - the integration suite, its handler logs scanned for personal data"
	@echo "make bench  - benchmarks, written to docs/benchmarks.md"
	@echo "make load   - the city's busiest hour on the local stack (locust; LOAD_MINUTES=3), into docs/benchmarks.md"
	@echo "make synth  - synthesise the CDK app offline into cdk.out/"
	@echo "make lint   - ruff (check and format), import contracts (lint-imports) and mypy"

$(VENV)/.installed: requirements.lock | pcsc
	test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements.lock
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed

web/dist/index.html: $(WEB_SOURCES) node_modules/.installed
	npm run --silent build
	touch $@

web: web/dist/index.html

# Third-party layer for arm64 Lambda (Python 3.13), built without Docker from the pinned runtime lock.
# Wheels only, except PURE_SDISTS: pure-Python packages published as source only (pywebpush's http-ece), built
# into a py3-none-any wheel, which cannot carry a platform-specific binary.
PURE_SDISTS := http-ece
$(LAYER_DIR)/.built: layers/requirements.lock $(VENV)/.installed
	rm -rf $(LAYER_DIR)
	mkdir -p $(LAYER_DIR)
	grep -v -E '^($(subst $() $(),|,$(PURE_SDISTS)))==' layers/requirements.lock > $(LAYER_DIR).wheels.txt
	$(VENV)/bin/uv pip install --quiet --target $(LAYER_DIR)/python --python-platform aarch64-manylinux2014 \
		--python-version 3.13 --only-binary :all: --no-deps -r $(LAYER_DIR).wheels.txt
	grep -E '^($(subst $() $(),|,$(PURE_SDISTS)))==' layers/requirements.lock > $(LAYER_DIR).sdists.txt
	$(VENV)/bin/uv pip install --quiet --target $(LAYER_DIR)/python --python-platform aarch64-manylinux2014 \
		--python-version 3.13 --no-deps -r $(LAYER_DIR).sdists.txt
	touch $@

layer: $(LAYER_DIR)/.built

chromium:
	@command -v chromium >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# PC/SC for the card-reader bridge: pcscd with vsmartcard's virtual reader for the tests, and the headers and
# swig that pyscard's build needs (PyPI has no Linux wheel of it).
PCSC_PACKAGES := pcscd vsmartcard-vpcd libpcsclite1 libpcsclite-dev swig gcc
pcsc:
	@dpkg -s $(PCSC_PACKAGES) >/dev/null 2>&1 || ($(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PCSC_PACKAGES) >/dev/null)

run: setup web
	$(PY) -m infra.local

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy layers/madoguchi/python/madoguchi functions infra tests/bench devices tests/load tests/privacy

# Handler log lines of the whole run are copied to HANDLER_LOGS and scanned for personal data afterwards.
HANDLER_LOGS := build/handler-logs

test: setup web layer chromium pcsc lint
	rm -rf $(HANDLER_LOGS)
	MADOGUCHI_HANDLER_LOGS=$(CURDIR)/$(HANDLER_LOGS) $(PY) -m pytest -n 2 --dist loadgroup -m "not moto_in_process"
	$(PY) -m pytest -n 2 -m moto_in_process  # mock_aws() resets moto in-process: never beside a local stack
	$(PY) -m tests.privacy.scan $(HANDLER_LOGS)

# The integration suite alone, its handler logs scanned for personal data (names, addresses, birth dates, e-mail
# addresses, phone numbers, 12-digit numbers).
logscan: setup
	rm -rf $(HANDLER_LOGS)
	MADOGUCHI_HANDLER_LOGS=$(CURDIR)/$(HANDLER_LOGS) $(PY) -m pytest -n 2 --dist loadgroup -m "not moto_in_process" tests/integration
	$(PY) -m tests.privacy.scan $(HANDLER_LOGS)

unit: setup
	$(PY) -m pytest tests/unit -n 2 -q

bench: setup
	$(PY) -m tests.bench

# Starts the local stack itself on 127.0.0.1, runs locust for LOAD_MINUTES and stops; exits 1 if anything was lost.
load: setup
	$(PY) -m tests.load

synth: setup layer web
	npx cdk synth --quiet

openapi: setup
	$(PY) -c "import json; from infra.openapi import from_handlers; \
		print(json.dumps(from_handlers(), indent=2, ensure_ascii=False))" > docs/openapi.json

clean:
	rm -rf $(VENV) node_modules build cdk.out web/dist
