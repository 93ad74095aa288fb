# Two commands for a fresh clone: `make demo` and `make test`.
# Everything installs into .venv with pinned versions (constraints.txt).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[test,airflow]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/escucha demo --out escucha-demo

test: $(STAMP)
	$(BIN)/python -m pytest -q tests

.PHONY: install demo test
