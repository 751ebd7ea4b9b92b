"""Concurrent retries of one Idempotency-Key across two service processes create exactly one item."""

import asyncio
import uuid
from collections.abc import Callable

from tests.support.builders import item_body
from tests.support.contention import spread_clients
from tests.support.server import ServicePair

RETRIES = 30


async def test_retries_spread_over_processes_create_one_item(
    service_pair: ServicePair, fault_report: Callable[[str], None]
) -> None:
    # Names and keys of this test's own: the services' store is shared with other tests.
    name, key = f"once {uuid.uuid4()}", f"k-{uuid.uuid4()}"
    async with spread_clients(service_pair.base_urls, RETRIES) as clients:
        responses = await asyncio.gather(
            *(
                client.post("/items/", json=item_body(name=name), headers={"Idempotency-Key": key})
                for client in clients
            )
        )
        listed = (await clients[0].get("/items/", params={"q": name, "limit": 100})).json()
    statuses = [response.status_code for response in responses]
    assert set(statuses) <= {201, 409}, statuses
    assert len({response.json()["id"] for response in responses if response.status_code == 201}) == 1
    assert len(listed) == 1
    fault_report(
        f"{service_pair.backend} Idempotency-Key retries over 2 processes: "
        f"{statuses.count(201)} x 201, {statuses.count(409)} x 409, 1 item"
    )
