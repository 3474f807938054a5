# comfytui: two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# test processes: both cores (pytest-xdist); TEST_WORKERS=0 runs the suite in one process
TEST_WORKERS ?= auto

.PHONY: demo test test-terminals lint bench soak emulator clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/comfytui

emulator: $(STAMP)
	$(BIN)/comfytui emulator

lint: $(STAMP)
	$(BIN)/ruff check comfytui tests benchmarks
	$(BIN)/ruff format --check comfytui tests benchmarks

test: $(STAMP)
	$(BIN)/ruff check comfytui tests benchmarks
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not soak" -n $(TEST_WORKERS) --dist loadfile

# real terminals under Xvfb (xterm -ti vt340, mlterm, kitty): installs its apt packages when missing
test-terminals: $(STAMP)
	tests/terminals/install.sh
	COMFYTUI_TERMINALS=1 $(BIN)/python -m pytest -q -p no:cacheprovider -rs -m terminals tests/terminals

soak: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m soak

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
