# Two commands on a fresh machine with Python 3.11+:
#   make pack   sets up .venv and builds the default pack into build/
#   make test   sets up .venv (with test tools) and runs the whole test suite
#   make bench  runs the benchmark scripts in bench/
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: pack test bench

$(BIN)/csl: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(BIN)/csl

pack: $(BIN)/csl
	$(BIN)/csl build --out build

test: $(BIN)/csl
	$(BIN)/python -m pytest -q -n auto

bench: $(BIN)/csl
	for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done
