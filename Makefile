# Kurator — the two commands of README.md, and a few more for developers.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
SANDBOX_PORT ?= 8100

.PHONY: run test lint format messages demo worker web sandbox bench clean help

help:
	@echo "make run    — install, migrate, load the demo network, start web + worker on http://127.0.0.1:$(PORT)"
	@echo "make test   — install what the tests need and run the whole suite (SQLite, then PostgreSQL)"
	@echo "make lint   — ruff and mypy;  make messages — refresh the Russian catalogue"
	@echo "make bench  — the publishing benchmarks (minutes): SQLite with one worker, then PostgreSQL with four"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Kurator needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.base-installed: requirements/base.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.txt
	@touch $@

$(VENV)/.dev-installed: requirements/base.txt requirements/dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/dev.txt
	@touch $@ $(VENV)/.base-installed

run: $(VENV)/.base-installed
	KURATOR_DEBUG=$${KURATOR_DEBUG:-1} $(BIN)/python manage.py prepare
	KURATOR_DEBUG=$${KURATOR_DEBUG:-1} $(BIN)/python manage.py load_demo -v 0
	KURATOR_DEBUG=$${KURATOR_DEBUG:-1} exec $(BIN)/python manage.py runall --port $(PORT)

test: $(VENV)/.dev-installed
	@bash scripts/test.sh

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: $(VENV)/.dev-installed
	$(BIN)/python manage.py makemessages -l ru -l en --no-location --ignore=.venv --ignore=var --ignore=test-artifacts
	$(BIN)/python manage.py compilemessages --ignore=.venv

demo: $(VENV)/.base-installed
	$(BIN)/python manage.py prepare
	$(BIN)/python manage.py load_demo

# The sandbox networks alone on their own port (benchmarks): the same app, in one process, no worker.
sandbox: $(VENV)/.base-installed
	KURATOR_DEBUG=$${KURATOR_DEBUG:-1} $(BIN)/python manage.py prepare
	@echo "Sandbox: VK API at http://127.0.0.1:$(SANDBOX_PORT)/sandbox/vk/method/<method>, Telegram Bot API at http://127.0.0.1:$(SANDBOX_PORT)/sandbox/telegram/bot<token>/<method>"
	KURATOR_DEBUG=$${KURATOR_DEBUG:-1} exec $(BIN)/python manage.py runserver 127.0.0.1:$(SANDBOX_PORT) --noreload

# The publishing benchmarks (CONTRIBUTING.md): SQLite with one worker process, then PostgreSQL with four when
# it is reachable. Each run makes its own databases and drops them; a missed target fails the target.
BENCH_POSTGRES ?= postgres://postgres@127.0.0.1:5432/
bench: $(VENV)/.dev-installed
	@status=0; \
	$(BIN)/python -m bench.publishing --database sqlite --workers 1 || status=1; \
	if pg_isready -q -d "$(BENCH_POSTGRES)" 2>/dev/null; then \
	  $(BIN)/python -m bench.publishing --database postgres --postgres "$(BENCH_POSTGRES)" --workers 4 || status=1; \
	else echo "PostgreSQL is not reachable at $(BENCH_POSTGRES): the PostgreSQL run was NOT done."; status=1; fi; \
	exit $$status

clean:
	rm -rf var/*.sqlite3* var/huey* var/static test-artifacts
