"""Races over HTTP against a running service (two worker processes) on each durable backend.

Many clients changing one item with the same If-Match: exactly one wins, the rest get 412.
Creates and deletes racing a cursor walk: following the Link headers never skips or repeats an
item that existed throughout the walk. (Retries of one Idempotency-Key: test_idempotent_retries.)
"""

import asyncio
import random
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
import pytest

from tests.api.test_items_api import create
from tests.api.test_pagination_api import follow
from tests.faults.server import ServiceProcess

CONTENDERS = 30
STABLE_ITEMS = 40
DOOMED_ITEMS = 40
CHURNERS = 4
PAGE_SIZE = 5


@pytest.fixture
def service(durable_url: str) -> Iterator[ServiceProcess]:
    service = ServiceProcess(durable_url, workers=2)
    service.start()
    try:
        yield service
    finally:
        service.stop()


@asynccontextmanager
async def clients(base_url: str, count: int) -> AsyncIterator[list[httpx.AsyncClient]]:
    """A client (so a connection) each, so their requests spread over both worker processes."""
    async with AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(httpx.AsyncClient(base_url=base_url, timeout=10))
            for _ in range(count)
        ]


async def race_one_if_match(contenders: list[httpx.AsyncClient], method: str) -> list[httpx.Response]:
    """Every contender changes one new item at once with the same If-Match: exactly one wins,
    the rest get 412, and the item stored is the winner's. Returns every answer."""
    item = await create(contenders[0], "contested")
    url = f"/items/{item['id']}"
    headers = {"If-Match": f'"{item["id"]}.1"'}
    responses = await asyncio.gather(
        *(
            client.request(method, url, json={"name": f"contender {n}"}, headers=headers)
            for n, client in enumerate(contenders)
        )
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [412] * (len(contenders) - 1), statuses
    winner = next(response for response in responses if response.status_code == 200)
    stored = await contenders[0].get(url)
    assert stored.json() == winner.json() and winner.json()["version"] == 2
    return list(responses)


async def test_of_many_concurrent_changes_with_one_if_match_exactly_one_wins(
    service: ServiceProcess, fault_rounds: int, fault_report: Callable[[str], None]
) -> None:
    async with clients(service.base_url, CONTENDERS) as contenders:
        for method in ["PUT", "PATCH"] * fault_rounds:
            await race_one_if_match(contenders, method)
    backend = service.database_url.partition(":")[0]
    fault_report(
        f"{backend} If-Match race: {fault_rounds} x {CONTENDERS} concurrent PUTs, as many PATCHs, "
        f"over 2 processes: each time exactly one 200 and {CONTENDERS - 1} x 412"
    )


async def churn(client: httpx.AsyncClient, doomed: list[int], rng: random.Random, done: asyncio.Event) -> int:
    """Creates new items and deletes doomed ones until the walk is done; returns how many writes."""
    writes = 0
    while not done.is_set():
        await create(client, f"newcomer {rng.random()}")
        writes += 1
        if doomed:
            response = await client.delete(f"/items/{doomed.pop(rng.randrange(len(doomed)))}")
            assert response.status_code == 204, response.text
            writes += 1
    return writes


async def walk_while_churning(
    base_url: str, sort: str, rng: random.Random
) -> tuple[set[int], list[int], int, int]:
    """Seeds lasting and doomed items, then walks them by `sort` while churners create and delete.

    Returns the lasting ids, the ids walked, the pages walked and the writes that raced the walk.
    """
    async with clients(base_url, CHURNERS + 1) as (walker, *churners):
        # Shuffled, so doomed and lasting items share every page, whatever the sort.
        seeded = [await create(walker, f"seed {rng.random()}") for _ in range(STABLE_ITEMS + DOOMED_ITEMS)]
        rng.shuffle(seeded)
        lasting = {item["id"] for item in seeded[:STABLE_ITEMS]}
        doomed = [item["id"] for item in seeded[STABLE_ITEMS:]]
        done = asyncio.Event()
        churning = [asyncio.create_task(churn(client, doomed, rng, done)) for client in churners]
        try:
            walked, pages = await follow(walker, f"/items/?limit={PAGE_SIZE}&sort={sort}")
        finally:
            done.set()
        writes = sum(await asyncio.gather(*churning))
    return lasting, [item["id"] for item in walked], pages, writes


async def test_a_cursor_walk_racing_creates_and_deletes_sees_every_lasting_item_once(
    service: ServiceProcess, fault_report: Callable[[str], None]
) -> None:
    rng = random.Random()
    for sort in ["id", "-created_at", "name"]:
        lasting, ids, pages, writes = await walk_while_churning(service.base_url, sort, rng)
        assert len(ids) == len(set(ids)), f"by {sort}: an item was listed twice"
        assert lasting <= set(ids), f"by {sort}: skipped {sorted(lasting - set(ids))}"
        assert writes > 0
        backend = service.database_url.partition(":")[0]
        fault_report(
            f"{backend} cursor walk by {sort}: {pages} pages while {writes} creates and deletes raced it; "
            f"all {STABLE_ITEMS} lasting items seen once, no item twice"
        )
