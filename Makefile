# Every target sets itself up: the first `make demo` or `make test` on a fresh clone creates .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
SEED   ?= 2026

.PHONY: demo simulate test lint typecheck pytest docs bench soak clean messages messages-extract messages-update messages-compile

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# One stamp per extra set, rebuilt when pyproject.toml changes.
$(VENV)/.stamp-run: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet -e ".[sql,portal]"
	@touch $@

# The Redis store example is a separate distribution; installing it registers its entry point.
$(VENV)/.stamp-dev: pyproject.toml examples/custom_store/pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m pip install --quiet --no-deps -e examples/custom_store
	@touch $@ $(VENV)/.stamp-run

# The main job: the example portal on a freshly seeded SQLite file, http://127.0.0.1:8000 (Ctrl-C stops it).
demo: $(VENV)/.stamp-run
	PYTHONPATH=examples/portal $(PY) -m lapor_portal --seed-db

# A month of LAPOR! traffic simulated on a SQLite file, printed as timelines and an SLA table.
simulate: $(VENV)/.stamp-run
	$(PY) -m lapor_core demo --seed $(SEED)

test: lint typecheck pytest docs

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check src tests benchmarks examples docs
	$(BIN)/ruff format --check src tests benchmarks examples docs

typecheck: $(VENV)/.stamp-dev
	$(BIN)/mypy --strict src
	$(BIN)/mypy --strict examples/portal/lapor_portal
	cd examples/django_app && $(CURDIR)/$(BIN)/mypy --strict lapor_django demo_project

pytest: $(VENV)/.stamp-dev
	$(PY) -m pytest --cov --cov-branch --cov-report=term $(PYTEST_ARGS)

# The English site, the Indonesian edition in its "id" folder (docs/translating.md), then the links between them.
docs: $(VENV)/.stamp-dev
	$(BIN)/sphinx-build -W --keep-going -q -b html docs build/docs
	$(BIN)/sphinx-build -W --keep-going -q -b html -D language=id docs build/docs/id
	$(PY) docs/_ext/internal_links.py build/docs

# How far each translated page is behind its English source; `docs-messages` merges new English messages in.
.PHONY: docs-status docs-messages
docs-status: $(VENV)/.stamp-dev
	$(PY) docs/_ext/translations.py status

docs-messages: $(VENV)/.stamp-dev
	$(PY) docs/_ext/translations.py update

bench: $(VENV)/.stamp-dev
	$(PY) -m benchmarks $(BENCH_ARGS)

# The soak (issue 25), not part of `test`: worker processes, a sweeper, kill -9 and database faults for a while,
# then the checks. SOAK_ARGS="--backend postgresql --workers 8 --seconds 240"; --help lists the options.
soak: $(VENV)/.stamp-dev
	$(PY) -m benchmarks.soak $(SOAK_ARGS)

# The message catalogues (Babel): extract the IDs from the source, merge them into id and en, compile to .mo.
# Translators fill the new entries of src/lapor_core/_i18n/locale/*/LC_MESSAGES/lapor_core.po, then compile.
LOCALES_DIR := src/lapor_core/_i18n/locale
MESSAGE_KEYWORDS := --no-default-keywords -k N_ -k Invalid -k FieldError:2 -k single:2

messages: messages-extract messages-update messages-compile

messages-extract: $(VENV)/.stamp-dev
	$(BIN)/pybabel -q extract -F babel.cfg $(MESSAGE_KEYWORDS) --sort-output --add-location=file \
		--project=lapor_core --copyright-holder="lapor_core contributors" \
		--ignore-dirs=".* __pycache__" -o src/lapor_core/_i18n/lapor_core.pot src/lapor_core

messages-update: $(VENV)/.stamp-dev
	$(BIN)/pybabel -q update -i src/lapor_core/_i18n/lapor_core.pot -d $(LOCALES_DIR) -D lapor_core \
		--no-fuzzy-matching --ignore-obsolete

messages-compile: $(VENV)/.stamp-dev
	$(BIN)/pybabel -q compile -d $(LOCALES_DIR) -D lapor_core
	$(BIN)/pybabel -q compile -d $(LOCALES_DIR) -D notifications

# The example portal's page texts: its own domain, lapor_portal, extracted from its Python code and its Jinja
# templates (examples/portal/babel.cfg). Translators fill examples/portal/lapor_portal/locale/*/LC_MESSAGES/
# lapor_portal.po, then compile; the portal runs from the source tree, .mo files committed beside the .po.
PORTAL_DIR := examples/portal
PORTAL_LOCALES_DIR := $(PORTAL_DIR)/lapor_portal/locale
PORTAL_KEYWORDS := --no-default-keywords -k N_ -k t -k flash:2

.PHONY: portal-messages portal-messages-extract portal-messages-update portal-messages-compile

portal-messages: portal-messages-extract portal-messages-update portal-messages-compile

portal-messages-extract: $(VENV)/.stamp-dev
	$(BIN)/pybabel -q extract -F $(PORTAL_DIR)/babel.cfg $(PORTAL_KEYWORDS) --sort-output --add-location=file \
		--project=lapor_portal --copyright-holder="lapor_core contributors" \
		-o $(PORTAL_LOCALES_DIR)/lapor_portal.pot $(PORTAL_DIR)

portal-messages-update: $(VENV)/.stamp-dev
	$(BIN)/pybabel -q update -i $(PORTAL_LOCALES_DIR)/lapor_portal.pot -d $(PORTAL_LOCALES_DIR) -D lapor_portal \
		--no-fuzzy-matching --ignore-obsolete

portal-messages-compile: $(VENV)/.stamp-dev
	$(BIN)/pybabel -q compile -d $(PORTAL_LOCALES_DIR) -D lapor_portal

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage
