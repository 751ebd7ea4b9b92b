"""Many clients writing one item over two `items serve` processes on each durable backend.

Without If-Match the last writer wins: every write is answered 200 (deletes 204 or 404), never
409, and each write that changed something made exactly one new version. With If-Match, exactly
one writer wins per version and the others get 412 with the current ETag.
"""

from collections.abc import Callable

from tests.support.contention import CLIENTS, WRITES_PER_CLIENT, last_writer_wins, one_winner_per_version
from tests.support.server import ServicePair


async def test_unconditional_writes_of_one_item_are_never_refused(
    service_pair: ServicePair, fault_report: Callable[[str], None]
) -> None:
    tally, final, deletes = await last_writer_wins(service_pair.base_urls)
    fault_report(
        f"{service_pair.backend} last writer wins: {CLIENTS} clients over 2 processes, "
        f"{sum(tally.statuses.values())} writes without If-Match: {dict(tally.statuses)}, "
        f"final version {final}; {CLIENTS} concurrent DELETEs: {dict(deletes)}"
    )


async def test_conditional_writes_of_one_item_have_one_winner_per_version(
    service_pair: ServicePair, fault_report: Callable[[str], None]
) -> None:
    final, refused = await one_winner_per_version(service_pair.base_urls)
    fault_report(
        f"{service_pair.backend} If-Match contention: {CLIENTS} clients over 2 processes, "
        f"{CLIENTS * WRITES_PER_CLIENT} writes: {final - 1} x 200 (one per version), {refused} x 412"
    )
