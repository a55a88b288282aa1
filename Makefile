# Every target sets itself up: the first `make demo` or `make test` on a fresh clone creates .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
SEED   ?= 2026

.PHONY: demo simulate test lint typecheck pytest docs bench clean

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

pytest: $(VENV)/.stamp-dev
	$(PY) -m pytest --cov --cov-branch --cov-report=term $(PYTEST_ARGS)

docs: $(VENV)/.stamp-dev
	$(BIN)/sphinx-build -W --keep-going -q -b html docs build/docs

bench: $(VENV)/.stamp-dev
	$(PY) -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage
