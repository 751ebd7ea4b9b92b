"""The whole primary node taken away (kill -9 of its Patroni and of every PostgreSQL process):
the synchronous standby takes over once the leader key expires; meanwhile every write gets a 503
problem, and no acknowledged write is lost."""

from collections.abc import Callable

import pytest

from tests.support.patroni import HaStack, fault_under_load

pytestmark = pytest.mark.failover


async def test_losing_the_primary_node_fails_over_to_the_synchronous_standby_losing_nothing(
    healthy: HaStack, fault_report: Callable[[str], None]
) -> None:
    standby = healthy.database.sync_standby()

    outcome = await fault_under_load(healthy, healthy.database.kill_node)

    assert outcome.ledger.unexpected == [] and outcome.ledger.unanswered == 0
    assert outcome.improper() == []
    assert outcome.leader_after == standby != outcome.leader_before
    assert outcome.ledger.refused > 0
    assert outcome.lost == [] and outcome.ledger.acknowledged > 0
    fault_report(outcome.summary("HA postgres: primary node lost (kill -9 of Patroni and PostgreSQL)"))
