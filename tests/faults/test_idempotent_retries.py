"""Concurrent retries of one Idempotency-Key across two worker processes create exactly one item."""

import asyncio
from contextlib import AsyncExitStack

import httpx

from tests.faults.server import ServiceProcess

RETRIES = 30


async def test_retries_spread_over_processes_create_one_item(durable_url: str) -> None:
    service = ServiceProcess(durable_url, workers=2)
    service.start()
    try:
        async with AsyncExitStack() as stack:
            # A client (so a connection) each, so the retries spread over both worker processes.
            clients = [
                await stack.enter_async_context(httpx.AsyncClient(base_url=service.base_url, timeout=10))
                for _ in range(RETRIES)
            ]
            responses = await asyncio.gather(
                *(
                    client.post("/items/", json={"name": "once"}, headers={"Idempotency-Key": "k-1"})
                    for client in clients
                )
            )
            listed = (await clients[0].get("/items/?limit=100")).json()
    finally:
        service.stop()
    statuses = [response.status_code for response in responses]
    assert set(statuses) <= {201, 409}, statuses
    assert len({response.json()["id"] for response in responses if response.status_code == 201}) == 1
    assert len(listed) == 1
    print(
        f"\n{durable_url.partition(':')[0]}: {statuses.count(201)} x 201, {statuses.count(409)} x 409, 1 item"
    )
