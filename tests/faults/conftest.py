"""Fault tests drive real server processes; FAULT_ROUNDS sets how many faults each inflicts.

What each one measured goes to `fault_report` (tests/conftest.py), printed in the run's summary.
"""

import os
from collections.abc import Iterator

import pytest

from tests.conftest import own_database
from tests.faults.cluster import OwnedCluster, postgres_bindir

QUICK_ROUNDS = 3


@pytest.fixture
def fault_rounds() -> int:
    return int(os.environ.get("FAULT_ROUNDS", QUICK_ROUNDS))


@pytest.fixture(params=["sqlite", "postgres"])
def durable_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty durable store per test: a new SQLite file or a new PostgreSQL database."""
    yield from own_database(request.param, "fault", request, tmp_path_factory)


@pytest.fixture
def owned_cluster() -> Iterator[OwnedCluster]:
    """A running PostgreSQL cluster of this test's own, which it may stop and start."""
    bindir = postgres_bindir()
    if bindir is None:
        reason = "PostgreSQL server binaries (initdb, pg_ctl) not found; set POSTGRES_BINDIR"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true requires them)")
        pytest.skip(reason)
    cluster = OwnedCluster(bindir)
    try:
        cluster.create()
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()
