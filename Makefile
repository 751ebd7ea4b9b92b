# Two commands a newcomer needs: `make run` and `make test`. Both install what they need first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint lock clean bench wrk fuzz soak

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --requirement requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	touch $@

run: install
	$(BIN)/items serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

# The load benchmark (wrk drives it; see README "Performance"). Not part of `test`.
BENCH_ARGS ?=
bench: install
	@command -v wrk >/dev/null || $(MAKE) --no-print-directory wrk
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# wrk is Debian's package: installed here when missing and this user may (root with apt-get).
wrk:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing wrk (apt-get)"; apt-get update -qq && apt-get install -y -qq wrk >/dev/null; \
	else echo "make bench needs wrk: sudo apt-get install wrk"; exit 1; fi

# Re-pin after changing dependencies in pyproject.toml.
lock: install
	$(BIN)/python -m pip install --quiet --editable '.[dev]'
	$(BIN)/python -m pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

# A longer schemathesis campaign than the one `make test` runs (FUZZ_MAX_EXAMPLES per operation).
FUZZ_MAX_EXAMPLES ?= 200
fuzz: install
	FUZZ_MAX_EXAMPLES=$(FUZZ_MAX_EXAMPLES) $(BIN)/pytest tests/fuzz -s

# The long fault campaign (about 10 minutes; see README "Fault tests"): the quick versions of the
# same tests run in `make test`. FAULT_ROUNDS kills, overloads and races per backend; hypothesis's
# soak profile; SOAK_FUZZ_MAX_EXAMPLES schemathesis examples per operation, per backend.
SOAK_FAULT_ROUNDS ?= 15
SOAK_FUZZ_MAX_EXAMPLES ?= 300
soak: install
	FAULT_ROUNDS=$(SOAK_FAULT_ROUNDS) HYPOTHESIS_PROFILE=soak FUZZ_MAX_EXAMPLES=$(SOAK_FUZZ_MAX_EXAMPLES) \
		$(BIN)/pytest tests/faults tests/fuzz tests/unit/test_item_properties.py \
		tests/api/test_hostile_input_properties.py --hypothesis-show-statistics
