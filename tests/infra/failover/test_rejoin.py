"""The lost primary comes back as a standby of the new one (pg_rewind or a new clone, Patroni's
choice), the cluster is three members again, and a second failover passes the same checks."""

from collections.abc import Callable

import pytest

from cluster import processes
from cluster.ha import CHANGE_TIMEOUT_SECONDS
from tests.support.patroni import HaStack, fault_under_load

pytestmark = pytest.mark.failover

# What Patroni logs when it rewinds a node's data directory before following the new primary.
REWIND = "running pg_rewind from"


async def test_the_old_primary_rejoins_as_a_standby_and_a_second_failover_loses_nothing(
    healthy: HaStack, fault_report: Callable[[str], None]
) -> None:
    database = healthy.database
    old = healthy.leader()
    before = database.timeline()
    assert before is not None
    rewinds_before = database.log(old).count(REWIND)
    database.kill_node(old)
    processes.wait_until(lambda: healthy.writable_after(before), CHANGE_TIMEOUT_SECONDS, "a new primary")
    database.start_node(old)
    database.wait_until_replicated(len(database.nodes))

    members = {member["name"]: member for member in database.members()}
    assert members[old.name]["role"] in ("replica", "sync_standby")
    assert members[old.name]["timeline"] == database.timeline()
    assert members[old.name]["timeline"] > before
    rewound = database.log(old).count(REWIND) > rewinds_before

    outcome = await fault_under_load(healthy, database.kill_node)

    assert outcome.ledger.unexpected == [] and outcome.ledger.unanswered == 0
    assert outcome.improper() == []
    assert outcome.leader_after != outcome.leader_before
    assert outcome.ledger.refused > 0
    assert outcome.lost == [] and outcome.ledger.acknowledged > 0
    fault_report(
        f"HA postgres: {old.name}, the lost primary, rejoined as a standby on timeline "
        f"{members[old.name]['timeline']} ({'pg_rewind' if rewound else 'no rewind needed'}); 3 members\n"
        + outcome.summary("HA postgres: second failover, primary node lost again")
    )
