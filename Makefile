# Deep Learning Labs: `make run` serves the app, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8501
WORKERS ?= 2

.PHONY: run serve test test-fast lint format db worker bench clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

db: $(STAMP)  ## create or migrate the SQLite database under data/
	$(PY) -m db.migrate

run: db  ## serve the app on http://localhost:$(PORT) with a local job worker
	$(VENV)/bin/streamlit run app.py --server.port $(PORT)

serve: db  ## a class: WORKERS app processes behind nginx (sticky), one job worker, on $(PORT)
	$(PY) -m server.serve --processes $(WORKERS) --port $(PORT)

worker: db  ## a worker on its own (when the app runs with DLL_START_WORKER=0)
	$(PY) -m engine worker

test: $(STAMP)  ## unit, AppTest page and browser end-to-end tests
	$(PY) -m pytest

test-fast: $(STAMP)  ## everything but the browser tests
	$(PY) -m pytest -m "not e2e"

lint: $(STAMP)  ## style, format and types (mypy: strict on engine/, classroom/, curriculum/)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP)  ## speed measurements; each prints ratios against its own baseline
	$(PY) benchmarks/engine_overhead.py
	$(PY) benchmarks/time_to_accuracy.py
	$(PY) benchmarks/gpu_check.py
	$(PY) benchmarks/tuning_efficiency.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
