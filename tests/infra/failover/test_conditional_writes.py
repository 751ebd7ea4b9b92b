"""If-Match and Idempotency-Key across a failover (the primary node lost): a create retried with
its key after a 503 makes one item, and a conditional write never applies twice nor is refused
for the item's current ETag."""

import asyncio
from collections.abc import Callable

import httpx
import pytest

from tests.support.ledger import Ledger
from tests.support.patroni import HaStack, fault_under_load
from tests.support.retrying_clients import (
    Tally,
    create_with_keys,
    replay_keys,
    stale_etag_is_refused,
    update_conditionally,
)

pytestmark = pytest.mark.failover

CREATORS = 2
UPDATERS = 2


async def test_keyed_creates_and_conditional_writes_hold_across_a_failover(
    healthy: HaStack, fault_report: Callable[[str], None]
) -> None:
    tally = Tally()

    async def clients(ledger: Ledger, done: asyncio.Event) -> None:
        async with httpx.AsyncClient(base_url=healthy.url, timeout=30) as client:
            await asyncio.gather(
                *(create_with_keys(client, n, tally, ledger, done) for n in range(CREATORS)),
                *(update_conditionally(client, n, tally, ledger, done) for n in range(UPDATERS)),
            )

    outcome = await fault_under_load(healthy, healthy.database.kill_node, clients)
    async with httpx.AsyncClient(base_url=healthy.url, timeout=30) as client:
        await replay_keys(client, tally)
        stale_refused = await stale_etag_is_refused(client)

    assert tally.unexpected == [] and outcome.improper() == []
    # Retried after a 503 (its outcome unknown) and replayed once more: one item per key.
    assert tally.retried > 0
    assert [key for key, ids in tally.created.items() if len(ids) != 1] == []
    assert set(tally.conditional) <= {"acknowledged", "503, applied", "503, not applied"}
    assert tally.conditional["acknowledged"] > 0 and stale_refused
    assert outcome.lost == []
    fault_report(
        f"HA postgres: Idempotency-Key and If-Match across a failover (primary node lost):\n"
        f"  {len(tally.created)} keyed creates, {tally.retried} of them retried after a 503 or 409, "
        f"each key one item (its replay too)\n"
        f"  conditional replaces: {dict(tally.conditional)}; a stale ETag afterwards: 412\n"
        f"  failover: leader {outcome.leader_before} -> {outcome.leader_after}, writable "
        f"{outcome.seconds('writable'):.2f} s, first successful write {outcome.seconds('recovered'):.2f} s; "
        f"{outcome.ledger.acknowledged} acknowledged writes checked, lost {len(outcome.lost)}"
    )
