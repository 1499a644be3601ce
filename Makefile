# Kumiai — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint install clean

run: $(STAMP)
	$(BIN)/kumiai run

test: $(STAMP)
	$(BIN)/kumiai test

# Benchmarks are not tests: they print figures for closing notes (needs ../shared/data).
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/cad_corpus.py
	$(BIN)/python bench/cad_hostile.py
	$(BIN)/python bench/similar_search.py
	$(BIN)/python bench/similar_speed.py
	$(BIN)/python bench/similar_graded.py
	$(BIN)/python bench/drawings_search.py
	$(BIN)/python bench/past_jobs_import.py
	$(BIN)/python bench/quoting_speed.py
	$(BIN)/python bench/scheduling_benchmarks.py
	$(BIN)/python bench/engines_frontier.py
	$(BIN)/python bench/allocation_group.py
	$(BIN)/python bench/allocation_portal.py
	$(BIN)/python bench/machines_group.py
	$(BIN)/python bench/schedule_replan.py
	$(BIN)/python bench/schedule_load.py
	$(BIN)/python bench/schedule_fanout.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy cad quoting scheduling

install: $(STAMP)

# Reinstall when the dependency list changes. platform/ goes on the path through a .pth
# file (a folder on the path, never a package named `platform`).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -c "import sysconfig, pathlib; p = pathlib.Path(sysconfig.get_paths()['purelib']) / 'kumiai-paths.pth'; p.write_text('$(CURDIR)/platform\n$(CURDIR)\n')"
	touch $(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
