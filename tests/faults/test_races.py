"""Races over HTTP against two running services on one database, for each durable backend.

Many clients changing one item with the same If-Match: exactly one wins, the rest get 412.
Creates and deletes racing a cursor walk: following the Link headers never skips or repeats an
item that existed throughout the walk. (Retries of one Idempotency-Key: test_idempotent_retries.)
"""

import asyncio
import random
from collections.abc import Callable

import httpx

from tests.support.api import create, follow
from tests.support.contention import race_one_if_match, spread_clients
from tests.support.server import ServicePair

CONTENDERS = 30
STABLE_ITEMS = 40
DOOMED_ITEMS = 40
CHURNERS = 4
PAGE_SIZE = 5


async def test_of_many_concurrent_changes_with_one_if_match_exactly_one_wins(
    service_pair: ServicePair, fault_rounds: int, fault_report: Callable[[str], None]
) -> None:
    async with spread_clients(service_pair.base_urls, CONTENDERS) as contenders:
        for method in ["PUT", "PATCH"] * fault_rounds:
            await race_one_if_match(contenders, method)
    backend = service_pair.backend
    fault_report(
        f"{backend} If-Match race: {fault_rounds} x {CONTENDERS} concurrent PUTs, as many PATCHs, "
        f"over 2 processes: each time exactly one 200 and {CONTENDERS - 1} x 412"
    )


async def churn(client: httpx.AsyncClient, doomed: list[int], rng: random.Random, done: asyncio.Event) -> int:
    """Creates new items and deletes doomed ones until the walk is done; returns how many writes."""
    writes = 0
    while not done.is_set():
        await create(client, name=f"newcomer {rng.random()}")
        writes += 1
        if doomed:
            response = await client.delete(f"/items/{doomed.pop(rng.randrange(len(doomed)))}")
            assert response.status_code == 204, response.text
            writes += 1
    return writes


async def walk_while_churning(
    base_urls: list[str], sort: str, rng: random.Random
) -> tuple[set[int], list[int], int, int]:
    """Seeds lasting and doomed items, then walks them by `sort` while churners create and delete.

    Returns the lasting ids, the ids walked, the pages walked and the writes that raced the walk.
    """
    async with spread_clients(base_urls, CHURNERS + 1) as (walker, *churners):
        # Shuffled, so doomed and lasting items share every page, whatever the sort.
        seeded = [
            await create(walker, name=f"seed {rng.random()}") for _ in range(STABLE_ITEMS + DOOMED_ITEMS)
        ]
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
    service_pair: ServicePair, fault_report: Callable[[str], None]
) -> None:
    rng = random.Random()
    for sort in ["id", "-created_at", "name"]:
        lasting, ids, pages, writes = await walk_while_churning(service_pair.base_urls, sort, rng)
        assert len(ids) == len(set(ids)), f"by {sort}: an item was listed twice"
        assert lasting <= set(ids), f"by {sort}: skipped {sorted(lasting - set(ids))}"
        assert writes > 0
        backend = service_pair.backend
        fault_report(
            f"{backend} cursor walk by {sort}: {pages} pages while {writes} creates and deletes raced it; "
            f"all {STABLE_ITEMS} lasting items seen once, no item twice"
        )
