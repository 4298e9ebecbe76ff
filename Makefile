# The two commands a newcomer needs: `make run` and `make test`.
# Each step leaves a stamp in .make/ so a second run skips what is done.

SHELL := /bin/bash
PYTHON_VERSION := $(shell cat .python-version)
PYTHON ?= $(shell command -v python$(PYTHON_VERSION) 2>/dev/null || ls $$HOME/.pyenv/versions/$(PYTHON_VERSION)*/bin/python 2>/dev/null | tail -n 1)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
STAMPS := .make

.PHONY: run test install install-dev lint check pytest bench bench-import bench-relevance bench-load-venv bench-load bench-faults migrate demo static clean help

help:
	@echo "make run    install, migrate, load demo content and serve http://$(HOST):$(PORT)/"
	@echo "make test   install dev tools, lint, check and run every test"
	@echo "make bench  benchmark page and search speed against the trivial view"

$(PY):
	@test -n "$(PYTHON)" || { echo "Python $(PYTHON_VERSION) not found: install it (e.g. pyenv install $(PYTHON_VERSION))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMPS)/requirements: requirements.txt | $(PY)
	@mkdir -p $(STAMPS)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(STAMPS)/requirements-dev: requirements.txt requirements-dev.txt | $(PY)
	@mkdir -p $(STAMPS)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(STAMPS)/requirements

# The Nu HTML Checker (tests/hub/test_valid_html.py) comes from the npm registry.
# Without npm the step is left out and that test says why it is skipped.
$(STAMPS)/node-tools: package.json package-lock.json
	@mkdir -p $(STAMPS)
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the HTML validity test will be skipped"; fi

install: $(STAMPS)/requirements
install-dev: $(STAMPS)/requirements-dev $(STAMPS)/node-tools

migrate: install
	$(PY) manage.py migrate --noinput -v0

# load_demo_content is idempotent and quick when everything exists, so it runs
# every time: a deleted or swapped database is filled again.
demo: migrate
	$(PY) manage.py load_demo_content

$(STAMPS)/static: $(STAMPS)/requirements $(shell find static -type f 2>/dev/null)
	$(PY) manage.py collectstatic --noinput -v0
	@touch $@

static: $(STAMPS)/static

# The mail worker runs beside the server, as in production, and stops with it:
# e-mails go through the queue and are printed in this terminal.
run: demo static
	@echo ""
	@echo "The hub:   http://$(HOST):$(PORT)/"
	@echo "The admin: http://$(HOST):$(PORT)/admin/  (demo logins: see README.md, e.g. editor / editor-demo-2026)"
	@echo ""
	@$(PY) manage.py db_worker --backend mail --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: install-dev
	DJANGO_SETTINGS_MODULE=hub.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=hub.settings.test $(PY) manage.py makemigrations --check --dry-run

# Tests inside a rolled-back transaction run on two processes (each with its
# own test database and search index prefix; a file's tests stay on one
# process); then the transactional ones (browser, live server), whose database
# is flushed after each, in one process (tests/conftest.py HUB_TEST_PART).
# PYTEST_WORKERS=0 runs everything in one process. Exit status 5 is "no test
# selected" (say PYTEST_ARGS names only one kind).
PYTEST_WORKERS ?= 2
pytest: install-dev
	@if [ "$(PYTEST_WORKERS)" = "0" ]; then $(PY) -m pytest $(PYTEST_ARGS); else \
	  { HUB_TEST_PART=parallel $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS) || [ $$? -eq 5 ]; } && \
	  { HUB_TEST_PART=serial $(PY) -m pytest $(PYTEST_ARGS) || [ $$? -eq 5 ]; }; fi

test: lint check pytest

# Pages measured beside the trivial view and the home page, over a library of
# 10,000 generated resources (added on the first run). Use PostgreSQL:
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_bench make bench
BENCH_PATHS ?= /resources/ '/resources/?topic=health-equity&type=report' /resources/988-key-messages/ \
	/events/ /events/launch-webinar-join-a-working-group/

bench: install-dev
	$(PY) bench/run.py --setup bench.generate_resources:ensure_10k events.bench:ensure_2000 --search --paths $(BENCH_PATHS) $(BENCH_ARGS)

# MRR and nDCG@10 of resource search over the judged queries in knowledge/data.
bench-relevance: install-dev
	$(PY) bench/search_relevance.py

# Times import_resources on 10,000 generated rows, then a re-import of the same
# file. Run it against an empty database: it adds the rows to the library.
bench-import: install-dev
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py load_demo_content >/dev/null
	$(PY) bench/generate_resources.py --count 10000 --import

# The launch-morning load and the fault bench, against the two-instance stack
# (bench/stack.py; needs nginx). locust runs from a virtualenv of its own.
# STACK_DIR: the stack's folder; STACK_RESTORE: a pg_dump -Fc file of a large
# hub to start from (else the demo content). See bench/README.md.
STACK_DIR ?= /tmp/hub-stack
LOAD_USERS ?= 200 400
LOAD_VENV := bench/load/.venv

$(LOAD_VENV)/bin/locust: bench/load/requirements.txt
	$(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/pip install --quiet -r bench/load/requirements.txt
	@touch $@

bench-load-venv: $(LOAD_VENV)/bin/locust

bench-load: install-dev bench-load-venv
	$(PY) bench/load/run.py --dir $(STACK_DIR) $(if $(STACK_RESTORE),--restore $(STACK_RESTORE)) --users $(LOAD_USERS) $(LOAD_ARGS)

bench-faults: install-dev bench-load-venv
	$(PY) bench/load/faults.py --dir $(STACK_DIR) $(FAULT_ARGS)

clean:
	rm -rf $(VENV) $(STAMPS) staticfiles node_modules
