# Gongzhi — two commands do everything on a fresh machine:
#   make run    virtualenv, dependencies, fonts, migrations, demo data, server on SQLite
#               and a Celery worker beside it (broker: a SQLite file, scripts/run_local.sh)
#   make test   the whole suite on SQLite
# `make ci` is what .ci/run calls (lint and import contracts, migration check, deploy
# check, SQLite and PostgreSQL suites, PostgreSQL-only and browser suites).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/gongzhi_ci
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test ci install sysdeps lint migrations-check deploy-check test-sqlite \
        test-postgres test-postgres-only test-browser bench-quick messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

install: $(STAMP)

sysdeps:
	@scripts/sysdeps.sh

# The address the demo prints and its notices' QR codes carry: the server's own, unless set.
run: export GONGZHI_PUBLIC_BASE_URL ?= http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
run: sysdeps install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py signing_init
	$(BIN)/python manage.py seed_demo
	BIN=$(BIN) HOST=$(HOST) PORT=$(PORT) scripts/run_local.sh

test: sysdeps install
	$(BIN)/pytest -q $(XDIST)

# lint-imports: the architecture contracts of pyproject.toml (docs/architecture.md);
# the rules a contract cannot say run with the suite (tests/architecture/).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

# Production-like settings with throw-away secrets made up for this run only.
deploy-check: install
	GONGZHI_ENV=production DEBUG=false ALLOWED_HOSTS=gongzhi.example.gov.cn \
	GONGZHI_PUBLIC_BASE_URL=https://gongzhi.example.gov.cn \
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	GONGZHI_FERNET_KEY="$$($(BIN)/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
	GONGZHI_SIGNING_PASSPHRASE="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(32))')" \
	DATABASE_URL=$(PG_URL) \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# Both suites run on every core (pytest-xdist; each worker has its own test database).
XDIST ?= -n auto --dist loadfile

test-sqlite: install
	$(BIN)/pytest -q -p no:cacheprovider $(XDIST)

# The same suite on PostgreSQL (pytest-django creates test_<name>_gwN afresh). The generated
# permission matrix (tests/access) checks the URL wiring and the permission table, not the
# database, and the architecture checks (tests/architecture) read the source: both run
# once, in the SQLite suite.
test-postgres: install
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -p no:cacheprovider --create-db $(XDIST) \
	  --ignore=tests/access --ignore=tests/architecture

# Concurrency tests and the real Celery worker: PostgreSQL (and Redis) only.
test-postgres-only: install
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -p no:cacheprovider --create-db -m postgres; \
	  status=$$?; if [ $$status -eq 5 ]; then echo "no postgres-only tests"; exit 0; fi; exit $$status

test-browser: install
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -p no:cacheprovider --create-db -m browser; \
	  status=$$?; if [ $$status -eq 5 ]; then echo "no browser tests"; exit 0; fi; exit $$status

# Benchmarks at small sizes on PostgreSQL: they still run and their figures are sane (not their speed).
bench-quick: install
	DATABASE_URL=$(PG_URL) $(BIN)/python bench/run.py --quick

ci: lint migrations-check deploy-check test-sqlite test-postgres test-postgres-only test-browser bench-quick

messages: install
	$(BIN)/python manage.py makemessages -l en --no-obsolete --ignore '.venv/*' --ignore 'tests/*'
	$(BIN)/python manage.py compilemessages -l en --ignore '.venv/*'

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
