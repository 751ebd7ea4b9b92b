"""Reading the change feed in tests up to a marker: on PostgreSQL a change shows only once every
transaction that began before it on the server has ended (other tests', other sessions'), so "every
change so far" is read by writing a marker item last and reading until it shows. The marker's
transaction started after every write before it ended, so once it is settled, they all are."""

import asyncio
from typing import Any

import httpx

from adapters.clock import utc_now
from domain.feed import FeedPosition, RecordedChange
from domain.ports import UnitOfWorkFactory
from tests.support.builders import an_item, item_body

MARKER = "feed marker"
# A hang guard: how long a test waits for the feed to settle.
SETTLE_SECONDS = 30


async def changes_so_far(
    uow_factory: UnitOfWorkFactory, after: FeedPosition | None = None
) -> list[RecordedChange]:
    """Every change after `after` kept before this call, in feed order (the marker left out)."""
    async with uow_factory().single_write() as uow:
        marker = await uow.items.add(an_item(name=MARKER, description="", now=utc_now()))
        await uow.commit()
    seen: list[RecordedChange] = []
    async with asyncio.timeout(SETTLE_SECONDS):
        while True:
            async with uow_factory(read_only=True) as uow:
                seen += await uow.changes.read(seen[-1].position if seen else after, 1000)
            if seen and seen[-1].item_id == marker.id:
                return seen[:-1]
            await asyncio.sleep(0.02)


async def pages_so_far(client: httpx.AsyncClient, cursor: str | None = None) -> tuple[list[Any], str]:
    """Every change after `cursor` kept before this call, over HTTP, and the cursor after them."""
    marker = (await client.post("/items/", json=item_body(name=MARKER))).json()["id"]
    seen: list[Any] = []
    async with asyncio.timeout(SETTLE_SECONDS):
        while True:
            params: dict[str, str | float] = {"wait": 5, "limit": 1000}
            if cursor is not None:
                params["cursor"] = cursor
            response = await client.get("/changes", params=params)
            assert response.status_code == 200, response.text
            page = response.json()
            seen += page["changes"]
            if seen and seen[-1]["item_id"] == marker:
                return seen[:-1], page["next_cursor"]
            cursor = page["next_cursor"]
