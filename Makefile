# The README's commands. `make demo` and `make test` set up everything they need on a fresh
# machine of this kind: the virtual environment, the npm tools the tests compare against, and
# the PostgreSQL server the storage tests run on.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?= -n 2

.PHONY: demo test setup venv tools contracts postgres lint check clean

demo: setup
	$(BIN)/milestone schedule --preset im-csop

# pytest exits 5 when it collected no tests; say so plainly instead of make's "Error 5".
test: setup postgres lint
	$(BIN)/pytest $(PYTEST_ARGS); code=$$?; \
	if [ $$code = 5 ]; then echo "make test: pytest collected no tests"; fi; exit $$code

setup: venv tools

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

postgres:
	scripts/start-postgres.sh

lint: venv
	$(BIN)/ruff check src tests
	$(BIN)/mypy src

clean:
	rm -rf $(VENV) tools/node_modules .pytest_cache .mypy_cache .ruff_cache
