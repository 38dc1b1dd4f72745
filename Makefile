# Pacto: `make run` to try it, `make test` to check it.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

HOST ?= 127.0.0.1
PORT ?= 8000

# uv from PATH when there is one; otherwise `make install` puts it into python3 with pip.
UV ?= $(if $(shell command -v uv 2>/dev/null),uv,python3 -m uv)
# Everything after `install` runs in the synced .venv without re-resolving.
RUN := $(UV) run --no-sync

# pytest exits 5 when a selection holds no test (e.g. no database test yet): not a failure.
PYTEST := $(RUN) pytest --durations=15
pytest_allowing_none = $(PYTEST) $(1) || { status=$$?; [ $$status -eq 5 ] || exit $$status; }

.PHONY: help install run test test-sqlite test-postgres lint fmt screenshots

help:
	@echo "make run     install, migrate, load demo data, serve at http://$(HOST):$(PORT)/"
	@echo "make test    install, lint, check import contracts, test on SQLite (and PostgreSQL"
	@echo "             when PACTO_TEST_DATABASE_URL is set)"
	@echo "make lint    ruff and import-linter only"
	@echo "make fmt     format and auto-fix with ruff"
	@echo "make screenshots  regenerate docs/screenshots/ (and pt-BR/) with Chromium"

install:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv \
		|| python3 -m pip install --quiet --break-system-packages uv
	$(UV) sync --frozen
	@mkdir -p var/static

run: export PACTO_DEBUG ?= 1
# Links in emails and pages point at the address this server really answers at.
run: export PACTO_BASE_URL ?= http://$(if $(filter 0.0.0.0 ::,$(HOST)),localhost,$(HOST)):$(PORT)
run: install
	@echo "Migrating the database and loading the demo (the first time takes a minute)..."
	$(RUN) pacto migrate --noinput -v0
	PACTO_LOG_LEVEL=WARNING $(RUN) pacto demo --no-logins
	@# The worker (sweeps, escalations, paging, email) runs beside the server and stops with
	@# it; once the server answers, the logins and the address are printed, last.
	@PACTO_LOG_LEVEL=WARNING $(RUN) pacto worker & worker=$$!; \
		$(RUN) pacto runserver $(HOST):$(PORT) & server=$$!; \
		trap 'kill $$worker $$server 2>/dev/null' EXIT INT TERM; \
		$(RUN) pacto demo --logins --wait-for "http://$(HOST):$(PORT)/healthz"; \
		wait $$server

test: install lint test-sqlite test-postgres

lint: install
	$(RUN) ruff check .
	$(RUN) lint-imports

# Every test, on SQLite whatever DATABASE_URL says: the test database lives in memory, but
# for the Chromium tests (`browser`) in a file, so the live server's threads each have a
# connection of their own.
test-sqlite: export PACTO_TEST_DATABASE_URL = sqlite:///$(CURDIR)/var/test.sqlite3
test-sqlite: install
	$(call pytest_allowing_none,-m "not browser")
	PACTO_TEST_SQLITE_FILE=$(CURDIR)/var/test-browser.sqlite3 $(call pytest_allowing_none,-m browser)

# The tests that touch the database again (marked `database` by conftest.py), on the
# PostgreSQL server in PACTO_TEST_DATABASE_URL; pytest-django creates and drops test_<name>.
# Slow suites run once, on SQLite: fault injection and fuzzing (`slow`) and the Chromium
# tests (`browser`), whose pages the client tests already check on both databases.
test-postgres: install
	@if [ -z "$${PACTO_TEST_DATABASE_URL:-}" ]; then \
		echo "PACTO_TEST_DATABASE_URL is not set: skipping the PostgreSQL run."; \
	elif [[ "$$PACTO_TEST_DATABASE_URL" != postgres* ]]; then \
		echo "PACTO_TEST_DATABASE_URL is not a postgres:// URL" >&2; exit 1; \
	else \
		$(call pytest_allowing_none,-m "(database or postgres) and not slow and not browser"); \
	fi

fmt: install
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

# The README's pictures: a throwaway database with the demo world, driven by Chromium.
screenshots: install
	$(RUN) python scripts/screenshots.py
