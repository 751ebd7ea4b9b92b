"""A feed reader following the cursor while writers run on two `items serve` processes over one
store: it sees every acknowledged write's change exactly once, no change of a write that was not
kept (refused, or a no-op), and each item's changes in increasing version order."""

import asyncio
import random
from collections.abc import Callable
from typing import Any

import httpx

from tests.support.builders import item_body
from tests.support.feed import pages_so_far
from tests.support.server import ServicePair

WRITERS = 6
SECONDS_PER_ROUND = 2.0
# Small pages, so the reader takes many turns while writers commit around it.
PAGE = 20


async def writer(client: httpx.AsyncClient, rng: random.Random, ledger: set[str], done: asyncio.Event) -> int:
    """Writes until `done`; every acknowledged kept write's change goes in the ledger (item:version).
    Returns how many writes were refused or changed nothing (they must leave no change)."""
    live: dict[int, int] = {}
    unkept = 0
    while not done.is_set():
        choice = rng.random()
        if not live or choice < 0.35:
            created = (await client.post("/items/", json=item_body(name=f"w{rng.random()}"))).json()
            live[created["id"]] = 1
            ledger.add(f"{created['id']}:1")
            continue
        item_id = rng.choice(list(live))
        if choice < 0.7:
            response = await client.patch(f"/items/{item_id}", json={"name": f"p{rng.random()}"})
            assert response.status_code == 200
            live[item_id] = response.json()["version"]
            ledger.add(f"{item_id}:{live[item_id]}")
        elif choice < 0.8:  # a no-op: the name it already has
            current = (await client.get(f"/items/{item_id}")).json()
            response = await client.patch(f"/items/{item_id}", json={"name": current["name"]})
            assert response.json()["version"] == live[item_id]
            unkept += 1
        elif choice < 0.9:  # refused: a version it is not at
            response = await client.put(
                f"/items/{item_id}", json=item_body(name="x"), headers={"If-Match": '"999"'}
            )
            assert response.status_code == 412
            unkept += 1
        else:
            assert (await client.delete(f"/items/{item_id}")).status_code == 204
            ledger.add(f"{item_id}:{live.pop(item_id) + 1}")
    return unkept


async def follow(
    clients: list[httpx.AsyncClient], cursor: str | None, done: asyncio.Event
) -> tuple[list[dict[str, Any]], str | None]:
    """Reads the feed from both replicas in turn, each read after the last cursor, until `done`."""
    seen: list[dict[str, Any]] = []
    turn = 0
    while not done.is_set():
        params: dict[str, str | float] = {"limit": PAGE, "wait": 1}
        if cursor is not None:
            params["cursor"] = cursor
        response = await clients[turn % 2].get("/changes", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += page["changes"]
        cursor = page["next_cursor"]
        turn += 1
    return seen, cursor


async def test_a_reader_following_the_feed_sees_each_kept_write_once_in_order(
    service_pair: ServicePair, fault_rounds: int, fault_report: Callable[[str], None]
) -> None:
    clients = [httpx.AsyncClient(base_url=url, timeout=30) for url in service_pair.base_urls]
    ledger: set[str] = set()
    done = asyncio.Event()
    try:
        async with asyncio.timeout(120 + SECONDS_PER_ROUND * fault_rounds):  # a hang guard
            # From the head: the pair's feed already holds the changes of the tests before this one.
            head = (await clients[0].get("/changes/head")).json()["cursor"]
            rngs = [random.Random(n) for n in range(WRITERS)]
            writers = [
                asyncio.create_task(writer(clients[n % 2], rngs[n], ledger, done)) for n in range(WRITERS)
            ]
            reader = asyncio.create_task(follow(clients, head, done))
            await asyncio.sleep(SECONDS_PER_ROUND * fault_rounds)
            done.set()
            unkept = sum(await asyncio.gather(*writers))
            seen, cursor = await reader
            rest, _ = await pages_so_far(clients[0], cursor)
    finally:
        for client in clients:
            await client.aclose()
    changes = seen + rest
    ids = [change["deduplication_id"] for change in changes]
    backend = service_pair.backend
    twice, missed, unknown = len(ids) - len(set(ids)), len(ledger - set(ids)), len(set(ids) - ledger)
    fault_report(
        f"feed follower ({backend}, 2 replicas, {WRITERS} writers): {len(ledger)} acknowledged kept "
        f"writes, {unkept} refused or no-op writes; the reader saw {len(ids)} changes ({len(seen)} while "
        f"writers ran), {twice} twice, {missed} missed, {unknown} not kept"
    )
    assert len(ids) == len(set(ids)), "each change once"
    assert set(ids) == ledger, "every kept write, and only those"
    last: dict[int, int] = {}
    for change in changes:
        assert change["version"] > last.get(change["item_id"], 0), "an item's changes in version order"
        last[change["item_id"]] = change["version"]
