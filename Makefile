# Stepyard: `make run` serves the console, `make test` runs every test.
# Both install what is missing first (virtualenv, pinned requirements, Debian packages).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test deps system-deps test-deps migrate lint bench

# PORT tells the server its own address before any request does (console/addresses.py).
run: deps system-deps migrate
	PORT=$(PORT) $(BIN)/daphne -b $(HOST) -p $(PORT) console.asgi:application

test: deps system-deps test-deps lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

deps: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

system-deps:
	@scripts/ensure-debian-packages dot:graphviz

# The end-to-end tests drive Debian's Chromium (never a downloaded browser).
test-deps:
	@scripts/ensure-debian-packages chromium:chromium fc-list:fonts-dejavu-core

migrate: deps
	$(BIN)/python manage.py migrate --noinput

bench: deps
	$(BIN)/python bench/engine_loop.py

# The style's checks: ruff (with complexity at 10) everywhere, mypy on the engine.
lint: deps
	$(BIN)/ruff check engine console tests bench
	$(BIN)/mypy engine
