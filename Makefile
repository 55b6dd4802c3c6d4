# Stepyard: `make run` serves the console, `make test` runs every test.
# Both install what is missing first (virtualenv, pinned requirements, Debian packages).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

NODE_SDK := console/functions/node/sdk

.PHONY: run test deps system-deps node-deps test-deps migrate lint bench

# PORT tells the server its own address before any request does (console/addresses.py).
run: deps system-deps node-deps migrate
	PORT=$(PORT) $(BIN)/daphne -b $(HOST) -p $(PORT) console.asgi:application

test: deps system-deps node-deps test-deps lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

deps: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

system-deps:
	@scripts/ensure-debian-packages dot:graphviz

# Node.js functions run on the machine's node and find the AWS SDKs Lambda's runtime
# provides (aws-sdk v2, @aws-sdk/client-* v3) in $(NODE_SDK)/node_modules, installed
# from the committed lockfile whenever it changes.
node-deps: $(NODE_SDK)/node_modules/.installed

$(NODE_SDK)/node_modules/.installed: $(NODE_SDK)/package-lock.json
	@scripts/ensure-debian-packages node:nodejs npm:npm
	@if command -v npm >/dev/null 2>&1; then \
		cd $(NODE_SDK) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else echo "stepyard: npm is missing; Node.js functions will not find the AWS SDKs" >&2; fi

# The end-to-end tests drive Debian's Chromium (never a downloaded browser).
test-deps:
	@scripts/ensure-debian-packages chromium:chromium fc-list:fonts-dejavu-core

migrate: deps
	$(BIN)/python manage.py migrate --noinput

bench: deps
	$(BIN)/python bench/engine_loop.py

# The style's checks: ruff (with complexity at 10) everywhere, mypy on the engine, and the
# import contracts of .importlinter (the layers; a pure engine).
lint: deps
	$(BIN)/ruff check engine console tests bench
	$(BIN)/mypy engine
	PYTHONPATH=. $(BIN)/lint-imports
