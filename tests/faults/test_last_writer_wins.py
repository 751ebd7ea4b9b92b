"""Many clients writing one item over two `items serve` processes on each durable backend.

Without If-Match the last writer wins: every write is answered 200 (deletes 204 or 404), never
409, and each write that changed something made exactly one new version. With If-Match, exactly
one writer wins per version and the others get 412 with the current ETag.
"""

from collections.abc import Callable, Iterator

import pytest

from tests.faults.server import ServiceProcess
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


@pytest.fixture
def services(durable_url: str) -> Iterator[list[ServiceProcess]]:
    # One after the other: the first migrates the fresh database, the second finds it current.
    started: list[ServiceProcess] = []
    try:
        for _ in range(2):
            service = ServiceProcess(durable_url)
            service.start()
            started.append(service)
        yield started
    finally:
        for service in started:
            service.stop()


def backend_of(services: list[ServiceProcess]) -> str:
    return services[0].database_url.partition(":")[0]


async def test_unconditional_writes_of_one_item_are_never_refused(
    services: list[ServiceProcess], fault_report: Callable[[str], None]
) -> None:
    async with spread_clients([service.base_url for service in services]) as clients:
        item_id = await new_item(clients[0])
        tally = await unconditional_writes(clients, item_id)
        final = await final_version(clients[0], item_id)
        deletes = await concurrent_deletes(clients, item_id)
    assert_last_writer_won(tally, final, deletes)
    fault_report(
        f"{backend_of(services)} last writer wins: {CLIENTS} clients over 2 processes, "
        f"{sum(tally.statuses.values())} writes without If-Match: {dict(tally.statuses)}, "
        f"final version {final}; {CLIENTS} concurrent DELETEs: {dict(deletes)}"
    )


async def test_conditional_writes_of_one_item_have_one_winner_per_version(
    services: list[ServiceProcess], fault_report: Callable[[str], None]
) -> None:
    async with spread_clients([service.base_url for service in services]) as clients:
        item_id = await new_item(clients[0])
        outcomes = await conditional_writes(clients, item_id)
        final = await final_version(clients[0], item_id)
    refused = assert_one_winner_per_version(outcomes, final)
    fault_report(
        f"{backend_of(services)} If-Match contention: {CLIENTS} clients over 2 processes, "
        f"{CLIENTS * WRITES_PER_CLIENT} writes: {final - 1} x 200 (one per version), {refused} x 412"
    )
