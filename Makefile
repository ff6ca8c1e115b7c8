# Two commands matter: `make run` and `make test`. Both work on a machine with only python3, make
# and git: uv is bootstrapped into .uv/ with that python3 when it is not on PATH, and uv is never
# allowed to download a Python of its own.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(or $(shell command -v uv 2>/dev/null),.uv/bin/uv)
VENV_PYTHON := .venv/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell command -v $(PYTHON))

.PHONY: install run test bench lint format chromium npm

.uv/bin/uv:
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check uv

install: $(UV) npm
	$(UV) sync --locked --quiet

# Browser libraries (the check-in app's QR decoder) from package-lock.json, with the machine's
# node/npm (Debian's when missing); Django serves them from node_modules (STATICFILES_DIRS).
npm: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { \
		echo "Installing Debian's nodejs and npm for the browser libraries"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm \
		|| { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm; }; }
	npm ci --no-audit --no-fund --loglevel=error

run: install
	DEBUG=$${DEBUG:-1} $(VENV_PYTHON) manage.py migrate_schemas -v 0
	DEBUG=$${DEBUG:-1} $(VENV_PYTHON) manage.py createcachetable
	DEBUG=$${DEBUG:-1} $(VENV_PYTHON) manage.py seed_demo
	DEBUG=$${DEBUG:-1} $(VENV_PYTHON) manage.py serve

# The browser tests (tests/e2e) drive Debian's chromium; Playwright never downloads a browser.
chromium:
	@test -x /usr/bin/chromium || { \
		echo "Installing Debian's chromium for the browser tests"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium \
		|| { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }; }

test: install chromium
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/pytest

bench: install chromium
	.venv/bin/python -m tests.bench.provisioning
	.venv/bin/python -m tests.bench.seatmaps_publish
	.venv/bin/python -m tests.bench.ticket_war
	.venv/bin/python -m tests.bench.shop_render
	.venv/bin/python -m tests.bench.tickets_checkin
	.venv/bin/python -m tests.bench.payments
	.venv/bin/python -m tests.bench.rush

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: install
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .
