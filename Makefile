# What Matters: `make run` to try it, `make test` to test it. `make help` lists the rest.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# tests run in this many processes at once (pytest-xdist), each on a database of its own;
# 0 runs them one after another in a single process
TEST_WORKERS ?= 2
export FLASK_APP := backend

.DEFAULT_GOAL := help
.PHONY: help install install-test browser db demo run scheduler test test-fast bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed ## create .venv and install the app

install-test: $(VENV)/.installed-test browser ## install what the tests need

browser: ## install Debian's Chromium for the end-to-end tests, where it is missing
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium from Debian's packages..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

db: install ## create or upgrade the database, and load demo data when it is empty
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load --if-empty

run: db ## serve on http://$(HOST):$(PORT) with demo data and the scheduler, printing the sign-ins
	$(BIN)/flask demo sign-ins --host $(HOST) --port $(PORT)
	@# one scheduler process beside the web server, stopped with it (docs/deployment.md)
	@$(BIN)/flask scheduler & sched=$$!; trap 'kill $$sched 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/flask run --host $(HOST) --port $(PORT)

scheduler: db ## run the scheduler alone (reminders, the monthly review): one per deployment
	$(BIN)/flask scheduler

test: install-test ## run every test (SQLite; set DATABASE_URL for PostgreSQL)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS)

test-fast: install-test ## run the tests without the browser ones
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) -m "not e2e"

bench: install bench-kinto ## run the review and sync benchmarks and print their tables (BENCH_ARGS=--quick)
	$(BIN)/python -m backend.review.bench $(REVIEW_BENCH_ARGS)
	$(BIN)/python -m bench $(BENCH_ARGS)

.PHONY: bench-kinto
bench-kinto: $(VENV)/kinto/.installed ## install Kinto, the peer, in its own virtualenv (.venv/kinto)

# Kinto has its own virtualenv so its dependencies never touch ours.
$(VENV)/kinto/.installed: | $(BIN)/python
	$(PYTHON) -m venv $(VENV)/kinto
	$(VENV)/kinto/bin/pip install -q --upgrade pip
	$(VENV)/kinto/bin/pip install -q 'kinto[postgresql]>=26,<27'
	touch $@

clean: ## remove the virtual environment and caches (keeps instance/)
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info
