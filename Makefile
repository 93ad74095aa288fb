# Two commands for a fresh clone: `make demo` and `make test`.
# Everything installs into .venv with pinned versions (constraints.txt).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[test,airflow]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/escucha demo --out escucha-demo

# The tests also need the transformers backend's torch (several GB, kept by pip's cache)
# and a few Debian programs (tests/system-deps.sh installs them when it can): the same
# run as CI's, on a newcomer's machine. Skipped tests say why (-rs).
$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install -q -c constraints.txt -e '.[transformers]'
	touch $(TEST_STAMP)

test: $(TEST_STAMP)
	bash tests/system-deps.sh
	$(BIN)/python -m pytest -q -rs tests

.PHONY: install demo test

# The production smoke run without Docker: Airflow (scheduler, dag-processor, API server,
# LocalExecutor) on PostgreSQL scheduling the shipped DAGs, an OpenSearch node, the X
# emulator and a loopback SMTP server; a threat must be paged and a refused token must
# fail its task (tests/smoke/run.py). About 6 minutes on 2 cores.
smoke: $(TEST_STAMP)
	bash tests/system-deps.sh
	$(BIN)/python tests/smoke/run.py

.PHONY: smoke

# A single-machine Airflow trial: escucha's DAGs on the embedded store (SQLite),
# Airflow UI on http://localhost:8080 (the admin password is printed at start).
# Needs a config: ESCUCHA_CONFIG=path/to/escucha.toml make airflow-trial
airflow-trial: $(STAMP)
	PATH=$(CURDIR)/$(BIN):$$PATH AIRFLOW_HOME=$(CURDIR)/.airflow AIRFLOW__CORE__DAGS_FOLDER=$(CURDIR)/dags \
	AIRFLOW__CORE__LOAD_EXAMPLES=False ESCUCHA_CONFIG=$${ESCUCHA_CONFIG:-$(CURDIR)/escucha.toml} \
	$(BIN)/airflow standalone

.PHONY: airflow-trial
