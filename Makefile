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

.PHONY: run test install install-dev lint check pytest bench migrate demo static browsers clean help

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

install: $(STAMPS)/requirements
install-dev: $(STAMPS)/requirements-dev

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

run: demo static
	@echo ""
	@echo "The hub:   http://$(HOST):$(PORT)/"
	@echo "The admin: http://$(HOST):$(PORT)/admin/  (demo logins: see README.md, e.g. editor / editor-demo-2026)"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: install-dev
	DJANGO_SETTINGS_MODULE=hub.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=hub.settings.test $(PY) manage.py makemigrations --check --dry-run

pytest: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

test: lint check pytest

bench: install-dev
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(STAMPS) staticfiles
