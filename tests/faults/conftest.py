"""Fault tests drive real server processes; FAULT_ROUNDS sets how many faults each inflicts.

What each one measured goes to `fault_report` (tests/conftest.py), printed in the run's summary.
"""

import os
from collections.abc import Iterator

import pytest

from tests.support.databases import own_database
from tests.support.postgres_cluster import OwnedCluster, postgres_bindir
from tests.support.server import ServicePair, serving_pair

QUICK_ROUNDS = 3


@pytest.fixture
def fault_rounds() -> int:
    return int(os.environ.get("FAULT_ROUNDS", QUICK_ROUNDS))


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


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def service_pair(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServicePair]:
    """Two services on one durable store, started once per test process and shared by the tests
    that race clients over them: each works on items of its own."""
    for database_url in own_database(request.param, "pair", request, tmp_path_factory):
        yield from serving_pair(database_url)
