"""A cluster of the test's own: its own PostgreSQL database, run directory and free loopback ports.

Needs Debian's haproxy and pgbouncer (and PostgreSQL): without them the tests are skipped with the
reason shown; under CI=true they fail instead, since CI installs them.
"""

import os
from collections.abc import Iterator

import pytest

from bench.service import free_port
from cluster.topology import Cluster, missing_tools
from tests.support.databases import own_database
from tests.support.load_balancer import REPLICA_ENV, REPLICAS, SERVER_POOL_SIZE


def _require_tools() -> None:
    if missing := missing_tools():
        reason = f"{' and '.join(missing)} not installed (apt-get install -y haproxy pgbouncer)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true requires them")
        pytest.skip(reason)


def _own_cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    """For a fixture to `yield from`: a running cluster on a new database; afterwards the cluster is
    stopped (its logs stay in the run directory) and the database dropped."""
    _require_tools()
    for database_url in own_database("postgres", "cluster", request, tmp_path_factory):
        cluster = Cluster(
            database_url=database_url,
            run_dir=tmp_path_factory.mktemp("cluster"),
            port=free_port(),
            pgbouncer_port=free_port(),
            replica_ports=[free_port() for _ in range(REPLICAS)],
            server_pool_size=SERVER_POOL_SIZE,
            replica_env=REPLICA_ENV,
        )
        cluster.start()
        try:
            yield cluster
        finally:
            cluster.stop()


@pytest.fixture(scope="module")
def shared_cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    """One cluster for a module's tests that change nothing but items."""
    yield from _own_cluster(request, tmp_path_factory)


@pytest.fixture
def cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A cluster of this test's own, which it may kill and restart replicas of."""
    yield from _own_cluster(request, tmp_path_factory)
