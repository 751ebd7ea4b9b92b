"""A planned switchover (patronictl switchover) under load: the requests that fail are 503
problems, all sent while no primary took writes, and no acknowledged write is lost."""

from collections.abc import Callable

import pytest

from cluster.ha import Node
from tests.support.patroni import HaStack, fault_under_load

pytestmark = pytest.mark.failover


async def test_a_switchover_under_load_fails_only_requests_sent_before_the_new_primary_took_writes(
    healthy: HaStack, fault_report: Callable[[str], None]
) -> None:
    candidate = healthy.database.sync_standby()
    assert candidate is not None

    def switchover(leader: Node) -> None:
        healthy.database.switchover(leader.name, candidate)

    outcome = await fault_under_load(healthy, switchover)

    assert outcome.ledger.unexpected == [] and outcome.ledger.unanswered == 0
    assert outcome.improper() == []
    assert outcome.leader_after == candidate != outcome.leader_before
    # The bound: nothing sent once a write succeeded on the new primary failed.
    recovered = outcome.timeline.marks["recovered"]
    assert [a for a in outcome.refusals() if a.sent > recovered] == []
    assert outcome.lost == [] and outcome.ledger.acknowledged > 0
    fault_report(outcome.summary("HA postgres: planned switchover (patronictl switchover)"))
