"""kill -9 of the primary's postmaster alone: Patroni restarts PostgreSQL in place (same leader,
a new timeline); meanwhile every write gets a 503 problem, and no acknowledged write is lost."""

from collections.abc import Callable

import pytest

from tests.support.patroni import HaStack, fault_under_load

pytestmark = pytest.mark.failover


async def test_a_killed_postmaster_is_restarted_in_place_losing_no_acknowledged_write(
    healthy: HaStack, fault_report: Callable[[str], None]
) -> None:
    outcome = await fault_under_load(healthy, healthy.database.kill_postmaster)

    assert outcome.ledger.unexpected == [] and outcome.ledger.unanswered == 0
    assert outcome.improper() == []
    assert outcome.leader_after == outcome.leader_before
    assert outcome.timeline_after > outcome.timeline_before
    assert outcome.ledger.refused > 0, "the crash went unnoticed: no write was refused"
    assert outcome.lost == [] and outcome.ledger.acknowledged > 0
    fault_report(outcome.summary("HA postgres: kill -9 of the primary's postmaster"))
