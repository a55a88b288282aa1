# Every target sets itself up: the first `make demo` or `make test` on a fresh clone creates .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
SEED   ?= 2026

.PHONY: demo test lint typecheck pytest docs doctest bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# One stamp per extra set, rebuilt when pyproject.toml changes.
$(VENV)/.stamp-run: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet -e ".[sql]"
	@touch $@

$(VENV)/.stamp-dev: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.stamp-run

demo: $(VENV)/.stamp-run
	$(PY) -m lapor_core demo --seed $(SEED)

test: lint typecheck pytest docs

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check src tests benchmarks examples docs
	$(BIN)/ruff format --check src tests benchmarks examples docs

typecheck: $(VENV)/.stamp-dev
	$(BIN)/mypy --strict src

pytest: $(VENV)/.stamp-dev
	$(PY) -m pytest --cov --cov-branch --cov-report=term $(PYTEST_ARGS)

docs: $(VENV)/.stamp-dev
	$(BIN)/sphinx-build -W --keep-going -q -b html docs build/docs

bench: $(VENV)/.stamp-dev
	$(PY) -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage
