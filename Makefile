# Two commands a newcomer needs: `make run` and `make test`. Both install what they need first,
# from uv.lock (every package pinned and hashed): `make run` only what serving needs, `make test`
# the development tools too.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# uv installs from the lock. A fresh machine has only Python, so this pinned uv is installed with
# pip into .tools/ the first time.
UV_VERSION := 0.13.9
UV_HOME := .tools/uv-$(UV_VERSION)
UV := $(UV_HOME)/bin/uv
# uv must use this Python, never download one, and install into $(VENV).
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# --locked: refuse a uv.lock that no longer matches pyproject.toml (run `make lock`).
SYNC := $(UV) sync --locked --quiet
# Installed packages get their bytecode at install time: where PYTHONDONTWRITEBYTECODE is set (CI
# sets it), every process would otherwise compile them again from source, each server a test starts too.
export UV_COMPILE_BYTECODE := 1

.PHONY: install install-runtime bytecode run test test-fast test-infra lint lock lock-check clean bench bench-bulk wrk fuzz soak
.PHONY: cluster cluster-restart cluster-stop cluster-packages cluster-bench ha-packages
.PHONY: image container-packages

$(UV):
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
		--target $(UV_HOME) uv==$(UV_VERSION)

# Serving only: the runtime packages and the project. --inexact leaves the development tools of
# an earlier `make install` in place.
install-runtime: $(UV)
	$(SYNC) --no-dev --inexact

# Everything: runtime, development tools (the `dev` group) and the project, exactly as locked.
install: $(UV)
	$(SYNC)

run: install-runtime
	$(BIN)/items serve --host $(HOST) --port $(PORT)

lint: install lock-check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Tests run on TEST_WORKERS processes (pytest-xdist): most of them wait on servers and databases.
# loadfile keeps a file's tests on one worker, so its module fixtures (a server, a cluster) are built once.
TEST_WORKERS ?= 4
PYTEST_PARALLEL = -n $(TEST_WORKERS) --dist loadfile

# Everything but the suites that need infrastructure installed as root (tests/infra: test-infra).
test: lint bytecode
	$(BIN)/pytest $(PYTEST_PARALLEL) --ignore=tests/infra

# The project's own bytecode, likewise (compileall skips what is current).
bytecode: install
	$(BIN)/python -m compileall -q -j 0 domain application adapters entrypoints bench cluster

# The edit-run loop: the domain, the contract on memory and SQLite, the in-process API.
test-fast: install bytecode
	$(BIN)/pytest $(PYTEST_PARALLEL) -k "not postgres" tests/unit tests/contract tests/asgi tests/architecture tests/docs

# The suites that need infrastructure installed as root: HAProxy and pgbouncer (tests/infra/cluster),
# podman and its tools (tests/infra/container: the image built, then run as users run it), Patroni
# and etcd (tests/infra/failover). Their packages are installed first when missing and this user may.
# The container and failover suites run after the cluster suite, each in one process: the container
# tests share one image built per process, the failover tests one HA stack (three PostgreSQL nodes,
# Patroni, etcd, the service), and other suites' load beside it would only stretch the failovers.
test-infra: install cluster-packages container-packages ha-packages bytecode
	$(BIN)/pytest $(PYTEST_PARALLEL) tests/infra/cluster
	$(BIN)/pytest tests/infra/container
	$(BIN)/pytest tests/infra/failover

# The load benchmark (wrk drives it; see docs/performance.md). Not part of `test`.
BENCH_ARGS ?=
bench: install
	@command -v wrk >/dev/null || $(MAKE) --no-print-directory wrk
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Loading and unloading in bulk beside one POST at a time (see docs/bulk.md). Not part of `test`.
BENCH_BULK_ARGS ?=
bench-bulk: install
	$(BIN)/python -m bench.bulk $(BENCH_BULK_ARGS)

# wrk is Debian's package: installed here when missing and this user may (root with apt-get).
wrk:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing wrk (apt-get)"; apt-get update -qq && apt-get install -y -qq wrk >/dev/null; \
	else echo "make bench needs wrk: sudo apt-get install wrk"; exit 1; fi

# The service scaled out on this machine (see docs/scaling-out.md): the database migrated once,
# CLUSTER_REPLICAS `items serve` replicas, pgbouncer (transaction mode) before PostgreSQL, HAProxy
# before the replicas; all on 127.0.0.1, state and logs in $$TMPDIR/items-cluster. HA=1: on HA
# PostgreSQL instead of the local server (docs/high-availability.md): etcd, three Patroni nodes
# and HAProxy to the primary, in $$TMPDIR/items-cluster/ha; `make cluster-stop` stops it too.
CLUSTER_REPLICAS ?= 3
CLUSTER_ARGS ?=
HA ?=
cluster: install-runtime
	@$(MAKE) --no-print-directory cluster-packages
	@$(if $(HA),$(MAKE) --no-print-directory ha-packages)
	$(BIN)/python -m cluster start --replicas $(CLUSTER_REPLICAS) $(if $(HA),--ha) $(CLUSTER_ARGS)

# One replica at a time: out of HAProxy's rotation (drain), SIGTERM, start, back in.
cluster-restart: install-runtime
	$(BIN)/python -m cluster restart

cluster-stop: install-runtime
	$(BIN)/python -m cluster stop

# Throughput through HAProxy with 1, 2 and 3 replicas (wrk; see docs/scaling-out.md). Not part of
# `test`; run it on a quiet machine.
CLUSTER_BENCH_ARGS ?=
cluster-bench: install-runtime
	@command -v wrk >/dev/null || $(MAKE) --no-print-directory wrk
	@$(MAKE) --no-print-directory cluster-packages
	$(BIN)/python -m cluster.bench $(CLUSTER_BENCH_ARGS)

# HAProxy and pgbouncer are Debian's packages: installed here when missing and this user may.
cluster-packages:
	@if command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ]; then \
		if command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ]; then exit 0; fi; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing haproxy and pgbouncer (apt-get)"; \
		apt-get update -qq && apt-get install -y -qq haproxy pgbouncer >/dev/null; \
	else echo "the cluster needs haproxy and pgbouncer: sudo apt-get install haproxy pgbouncer"; exit 1; fi

# The container image (docs/container.md), tagged items-service:latest and with the project's version.
# Built with podman on the Dockerfile's official base, or, where no registry answers, on a Debian base
# made here with debootstrap (kept in ~/.cache/items-service). Any python3 runs the build (standard
# library only): it is the code the container tests build with.
image:
	@$(MAKE) --no-print-directory container-packages CONTAINER_TOOLS="podman runc debootstrap"
	$(PYTHON) -m tests.support.container

# podman, runc (the OCI runtime that works here; crun could not set rlimits), debootstrap (the local
# base) and podman-compose (the compose test) are Debian's packages, named as their commands:
# installed here when missing and this user may.
CONTAINER_TOOLS ?= podman runc debootstrap podman-compose
container-packages:
	@missing=""; for tool in $(CONTAINER_TOOLS); do \
		command -v $$tool >/dev/null || [ -x /usr/sbin/$$tool ] || missing="$$missing $$tool"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing$$missing (apt-get)"; apt-get update -qq && apt-get install -y -qq$$missing >/dev/null; \
	else echo "containers need$$missing: sudo apt-get install$$missing"; exit 1; fi

# Patroni and etcd are Debian's packages too (the HA database: make cluster HA=1, tests/infra/failover).
ha-packages:
	@if command -v patroni >/dev/null && command -v etcd >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing patroni and etcd-server (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq patroni etcd-server >/dev/null; \
	else echo "HA PostgreSQL needs patroni and etcd: sudo apt-get install patroni etcd-server"; exit 1; fi

# Re-pin after changing dependencies in pyproject.toml (versions already locked stay unless
# LOCK_ARGS says otherwise, e.g. LOCK_ARGS=--upgrade), and export the lock as hashed requirements
# files for pip users (docs/operations.md, "Install").
LOCK_ARGS ?=
EXPORT := $(UV) export --locked --quiet --no-emit-project --no-header --format requirements-txt
lock: $(UV)
	$(UV) lock $(LOCK_ARGS)
	$(EXPORT) --no-dev --output-file requirements/runtime.txt
	$(EXPORT) --output-file requirements/dev.txt

# The exported files must pin what uv.lock pins (pip users install from them).
lock-check: $(UV)
	@$(EXPORT) --no-dev | diff -q - requirements/runtime.txt >/dev/null \
		|| { echo "requirements/runtime.txt is stale: make lock"; exit 1; }
	@$(EXPORT) | diff -q - requirements/dev.txt >/dev/null \
		|| { echo "requirements/dev.txt is stale: make lock"; exit 1; }

clean:
	rm -rf $(VENV) .tools .mypy_cache .ruff_cache .pytest_cache

# A longer schemathesis campaign than the one `make test` runs (FUZZ_MAX_EXAMPLES per operation).
FUZZ_MAX_EXAMPLES ?= 200
fuzz: install
	FUZZ_MAX_EXAMPLES=$(FUZZ_MAX_EXAMPLES) $(BIN)/pytest tests/fuzz -s

# The long fault campaign (about 10 minutes; see docs/development.md, "Fault tests"): the quick
# versions of the same tests run in `make test`. FAULT_ROUNDS kills, overloads and races per
# backend; hypothesis's soak profile; SOAK_FUZZ_MAX_EXAMPLES schemathesis examples per operation,
# per backend.
SOAK_FAULT_ROUNDS ?= 15
SOAK_FUZZ_MAX_EXAMPLES ?= 300
soak: install
	FAULT_ROUNDS=$(SOAK_FAULT_ROUNDS) HYPOTHESIS_PROFILE=soak FUZZ_MAX_EXAMPLES=$(SOAK_FUZZ_MAX_EXAMPLES) \
		$(BIN)/pytest tests/faults tests/fuzz tests/unit/test_item_properties.py \
		tests/asgi/test_hostile_input_properties.py --hypothesis-show-statistics
