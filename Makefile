# agmtool: `make run` serves the app with demo data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app agmtool
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: run test setup bench drill lint i18n-check clean

$(STAMP): setup.cfg pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

instance/secret_key:
	umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_hex(32))' > $@

setup: $(STAMP) instance/secret_key
	$(FLASK) i18n compile

run: setup
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	AGMTOOL_LOCAL_DEVELOPMENT=1 $(FLASK) run --port $(PORT)

test: setup
	$(BIN)/ruff check agmtool tests
	$(BIN)/lint-imports
	$(FLASK) i18n check
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m agmtool.bench

# The reliability drills (docs/reliability.md): a few minutes, so not part of `make test`.
drill: setup
	$(BIN)/python -m agmtool.bench.drill load kill disk
	DB=postgres $(BIN)/python -m agmtool.bench.drill load kill database redis

lint: $(STAMP)
	$(BIN)/ruff check agmtool tests
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) build *.egg-info
