"""One HA stack for the folder: etcd, three Patroni nodes, HAProxy, pgbouncer, replicas, HAProxy.

Needs Debian's patroni and etcd-server (and haproxy, pgbouncer, PostgreSQL): without them the
tests are skipped with the reason shown; under CI=true they fail instead, since CI installs them.
Every test starts from a healthy cluster (three members streaming, one synchronously) and an
empty database, and may
kill what it likes: `healthy` restarts whatever it killed before the next one.
"""

from collections.abc import Iterator

import pytest

from tests.support.patroni import HaStack, ha_stack


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HaStack]:
    with ha_stack(
        tmp_path_factory.mktemp("failover-service"), tmp_path_factory.mktemp("failover-logs")
    ) as built:
        yield built


@pytest.fixture
def healthy(stack: HaStack) -> Iterator[HaStack]:
    stack.heal()
    stack.empty()
    try:
        yield stack
    finally:
        stack.heal()
