"""Many clients writing one item over two `items serve` processes on each durable backend.

Without If-Match the last writer wins: every write is answered 200 (deletes 204 or 404), never
409, and each write that changed something made exactly one new version. With If-Match, exactly
one writer wins per version and the others get 412 with the current ETag.
"""

from collections.abc import Callable

from tests.support.contention import (
    CLIENTS,
    WRITES_PER_CLIENT,
    assert_last_writer_won,
    assert_one_winner_per_version,
    concurrent_deletes,
    conditional_writes,
    final_version,
    new_item,
    spread_clients,
    unconditional_writes,
)
from tests.support.server import ServicePair


async def test_unconditional_writes_of_one_item_are_never_refused(
    service_pair: ServicePair, fault_report: Callable[[str], None]
) -> None:
    async with spread_clients(service_pair.base_urls) as clients:
        item_id = await new_item(clients[0])
        tally = await unconditional_writes(clients, item_id)
        final = await final_version(clients[0], item_id)
        deletes = await concurrent_deletes(clients, item_id)
    assert_last_writer_won(tally, final, deletes)
    fault_report(
        f"{service_pair.backend} last writer wins: {CLIENTS} clients over 2 processes, "
        f"{sum(tally.statuses.values())} writes without If-Match: {dict(tally.statuses)}, "
        f"final version {final}; {CLIENTS} concurrent DELETEs: {dict(deletes)}"
    )


async def test_conditional_writes_of_one_item_have_one_winner_per_version(
    service_pair: ServicePair, fault_report: Callable[[str], None]
) -> None:
    async with spread_clients(service_pair.base_urls) as clients:
        item_id = await new_item(clients[0])
        outcomes = await conditional_writes(clients, item_id)
        final = await final_version(clients[0], item_id)
    refused = assert_one_winner_per_version(outcomes, final)
    fault_report(
        f"{service_pair.backend} If-Match contention: {CLIENTS} clients over 2 processes, "
        f"{CLIENTS * WRITES_PER_CLIENT} writes: {final - 1} x 200 (one per version), {refused} x 412"
    )
