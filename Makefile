# The README's commands. `make demo` and `make test` set up everything they need on a fresh
# machine of this kind: the virtual environment, the npm tools the tests compare against, and
# the PostgreSQL server the storage tests run on.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?= -n 2 --dist loadgroup
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test setup venv tools contracts web web-types browser postgres lint check clean vectors

# The demonstration on a fresh data directory of its own (the demo refuses one in use), which
# `milestone serve --data-dir .milestone-demo` then shows in the web app.
DEMO_DIR ?= .milestone-demo

demo: setup contracts
	rm -rf $(DEMO_DIR)
	$(BIN)/milestone demo --data-dir $(DEMO_DIR)

# pytest exits 5 when it collected no tests; say so plainly instead of make's "Error 5".
test: setup postgres browser lint vectors
	$(BIN)/pytest $(PYTEST_ARGS); code=$$?; \
	if [ $$code = 5 ]; then echo "make test: pytest collected no tests"; fi; exit $$code

# The reference vectors of docs/vectors/ recomputed in TypeScript with OpenZeppelin's tree and
# ethereum-cryptography, no Milestone code: compiled by the web app's own tsc, run by node --test
# (nothing added to web/package.json).
vectors: web/node_modules/.installed
	cd web && node_modules/.bin/tsc -p tests && node --test tests/build/

setup: venv tools web

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

tools: tools/node_modules/.installed

# npm ci refuses this lock file (npm leaves the other platforms' optional anvil binaries out of
# it), so install from it with npm install, which keeps the locked versions.
tools/node_modules/.installed: tools/package.json tools/package-lock.json
	cd tools && npm install --no-audit --no-fund --loglevel=error
	touch $@

# Compile the Vyper contracts into the cache (~/.cache/milestone/contracts); everything that
# needs them also compiles them on first use, so this only warms the cache.
contracts: venv
	$(BIN)/python -m milestone.chain.compile

# The web app: installed from its lock and built by Vite into src/milestone/webapp (package data:
# the wheel carries it), which `milestone serve` serves at `/`. The stamp depends on every
# source, so an unchanged app is not rebuilt.
WEB_SOURCES := $(shell find web/src -type f 2>/dev/null) web/index.html web/tsconfig.json \
	web/vite.config.ts

web: src/milestone/webapp/.built

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm install --no-audit --no-fund --loglevel=error
	touch $@

src/milestone/webapp/.built: web/node_modules/.installed $(WEB_SOURCES)
	cd web && npm run --silent build
	touch $@

# The app's TypeScript types of the API (web/src/api-types.ts), generated from the OpenAPI
# document; `make lint` fails when the committed file drifts from the API.
web-types: venv web/node_modules/.installed
	web/scripts/types.sh

# The browser tests drive Debian's Chromium (never a browser download); install it when missing.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "make browser: installing Debian's chromium"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium chromium-driver; \
	fi

postgres:
	scripts/start-postgres.sh

# ruff, mypy, the layers of docs/architecture.md (import-linter), declared dependencies
# (deptry) and the web app's types against the OpenAPI document, so that architecture is
# checked, not hoped for.
lint: venv web/node_modules/.installed
	$(BIN)/ruff check src tests
	$(BIN)/mypy src
	$(BIN)/lint-imports
	$(BIN)/deptry src tests
	web/scripts/types.sh --check

clean:
	rm -rf $(VENV) tools/node_modules web/node_modules src/milestone/webapp .pytest_cache .mypy_cache \
		.ruff_cache test-artifacts
