# basesys — `make run` serves the app with demo data; `make test` runs the suite on SQLite and PostgreSQL.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
# `make run HOST=0.0.0.0 BASE_URL=http://<LAN address>:5000`: phones on the same Wi-Fi (README)
HOST   ?= 127.0.0.1
export PORT

RUN_DEBS  := fonts-wqy-zenhei
TEST_DEBS := fonts-wqy-zenhei poppler-utils chromium nginx-light

.PHONY: install install-test run test test-sqlite test-postgres lint translations migration bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.app-deps: requirements.txt requirements.lock | $(BIN)/python
	$(BIN)/pip install -q -c requirements.lock -r requirements.txt
	touch $@

$(VENV)/.test-deps: requirements-test.txt requirements.lock $(VENV)/.app-deps
	$(BIN)/pip install -q -c requirements.lock -r requirements-test.txt
	touch $@

translations: $(VENV)/.app-deps
	$(BIN)/python scripts/i18n.py build

install: $(VENV)/.app-deps translations
	@scripts/sysdeps.sh $(RUN_DEBS)

install-test: install $(VENV)/.test-deps
	@scripts/sysdeps.sh $(TEST_DEBS)
	@scripts/sysdeps.sh --postgres

run: install
	$(BIN)/flask --app wsgi init-db
	$(BIN)/flask --app wsgi demo
	BASESYS_SCHEDULER=$${BASESYS_SCHEDULER:-on} $(BIN)/flask --app wsgi serve --host $(HOST) --port $(PORT)

test: install-test
	@echo "==================== layers: import-linter ===================="
	$(BIN)/lint-imports --no-cache
	@echo "==================== test run 1/2: SQLite ===================="
	BASESYS_TEST_DB=sqlite $(BIN)/pytest $(PYTEST_ARGS)
	@echo "==================== test run 2/2: PostgreSQL ===================="
	BASESYS_TEST_DB=postgres $(BIN)/pytest $(PYTEST_ARGS)

test-sqlite: install-test
	BASESYS_TEST_DB=sqlite $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install-test
	BASESYS_TEST_DB=postgres $(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .

# Pre-release: the single initial migration is regenerated from the models.
migration: $(VENV)/.app-deps
	$(BIN)/python scripts/regen_migration.py

bench: install-test
	@scripts/sysdeps.sh wrk
	$(BIN)/python bench/hall_burst.py
	$(BIN)/python bench/certificates.py
	$(BIN)/python bench/finalize_under_load.py
	$(BIN)/python bench/province.py --scale 0.05

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
