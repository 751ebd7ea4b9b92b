"""Many clients writing one item at once over HTTP, and what their answers must add up to.

Each client has its own connection; clients are spread over the base URLs given (several service
processes, or one load balancer), so the writes race in the database, not in one process.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field

import httpx

from tests.support.api import create
from tests.support.builders import item_body

CLIENTS = 16
WRITES_PER_CLIENT = 20


@asynccontextmanager
async def spread_clients(
    base_urls: Sequence[str], count: int = CLIENTS
) -> AsyncIterator[list[httpx.AsyncClient]]:
    async with AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=base_urls[n % len(base_urls)], timeout=30)
            )
            for n in range(count)
        ]


async def new_item(client: httpx.AsyncClient) -> int:
    item_id: int = (await create(client, name="contended", description="start"))["id"]
    return item_id


@dataclass
class Tally:
    """Every answer's status, and the versions of the answers that changed the item."""

    statuses: Counter[int] = field(default_factory=Counter)
    changed_versions: list[int] = field(default_factory=list)
    unchanged_answers: int = 0


async def unconditional_writes(clients: list[httpx.AsyncClient], item_id: int) -> Tally:
    """Each client alternates a PUT and a PATCH of values of its own (always a change) with an
    empty PATCH (never one), none with If-Match."""
    tally = Tally()
    url = f"/items/{item_id}"

    async def write(client: httpx.AsyncClient, writer: int) -> None:
        for n in range(WRITES_PER_CLIENT):
            if n % 3 == 0:
                response = await client.put(url, json=item_body(name=f"writer {writer} put {n}"))
            elif n % 3 == 1:
                response = await client.patch(url, json={"description": f"writer {writer} patch {n}"})
            else:
                response = await client.patch(url, json={})
            tally.statuses[response.status_code] += 1
            if response.status_code != 200:
                continue
            if n % 3 == 2:
                tally.unchanged_answers += 1
            else:
                tally.changed_versions.append(response.json()["version"])

    await asyncio.gather(*(write(client, writer) for writer, client in enumerate(clients)))
    return tally


async def conditional_writes(clients: list[httpx.AsyncClient], item_id: int) -> dict[int, Counter[int]]:
    """Each client reads the item's ETag and changes it with that If-Match, again and again.
    Returns, per version sent in If-Match, how many answers had each status."""
    outcomes: dict[int, Counter[int]] = {}
    url = f"/items/{item_id}"

    async def write(client: httpx.AsyncClient, writer: int) -> None:
        for n in range(WRITES_PER_CLIENT):
            read = await client.get(url)
            assert read.status_code == 200, read.text
            version = read.json()["version"]
            headers = {"If-Match": read.headers["ETag"]}
            if n % 2:
                response = await client.patch(url, json={"description": f"{writer}.{n}"}, headers=headers)
            else:
                response = await client.put(url, json=item_body(name=f"{writer}.{n}"), headers=headers)
            outcomes.setdefault(version, Counter())[response.status_code] += 1
            if response.status_code == 412:
                # The refusal names the item's current tag, which has moved past the one sent.
                current = int(response.headers["ETag"].strip('"').split(".")[1])
                assert current > version, (version, response.headers["ETag"])
            elif response.status_code == 200:
                assert response.json()["version"] == version + 1

    await asyncio.gather(*(write(client, writer) for writer, client in enumerate(clients)))
    return outcomes


async def concurrent_deletes(clients: list[httpx.AsyncClient], item_id: int) -> Counter[int]:
    responses = await asyncio.gather(*(client.delete(f"/items/{item_id}") for client in clients))
    return Counter(response.status_code for response in responses)


async def final_version(client: httpx.AsyncClient, item_id: int) -> int:
    response = await client.get(f"/items/{item_id}")
    assert response.status_code == 200, response.text
    version: int = response.json()["version"]
    return version


def assert_last_writer_won(tally: Tally, final: int, deletes: Counter[int]) -> None:
    """No write was refused, every changing write made one version of its own (the no-op PATCHes
    none), and of the concurrent deletes exactly one found the item."""
    assert tally.statuses == {200: CLIENTS * WRITES_PER_CLIENT}
    assert sorted(tally.changed_versions) == list(range(2, final + 1))
    assert deletes == {204: 1, 404: CLIENTS - 1}


def assert_one_winner_per_version(outcomes: dict[int, Counter[int]], final: int) -> int:
    """Every version the item went through was won by exactly one write, none twice, and every
    other write was refused with 412. Returns how many were refused."""
    assert set().union(*outcomes.values()) <= {200, 412}
    wins = {version: counts[200] for version, counts in outcomes.items()}
    assert {version for version, won in wins.items() if won} == set(range(1, final))
    assert set(wins.values()) <= {0, 1}
    return sum(counts[412] for counts in outcomes.values())


async def race_one_if_match(contenders: list[httpx.AsyncClient], method: str) -> list[httpx.Response]:
    """Every contender changes one new item at once with the same If-Match: exactly one wins,
    the rest get 412, and the item stored is the winner's. Returns every answer."""
    item = await create(contenders[0], name="contested")
    url = f"/items/{item['id']}"
    headers = {"If-Match": f'"{item["id"]}.1"'}
    responses = await asyncio.gather(
        *(
            client.request(method, url, json=item_body(name=f"contender {n}"), headers=headers)
            for n, client in enumerate(contenders)
        )
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [412] * (len(contenders) - 1), statuses
    winner = next(response for response in responses if response.status_code == 200)
    stored = await contenders[0].get(url)
    assert stored.json() == winner.json() and winner.json()["version"] == 2
    return list(responses)


async def last_writer_wins(base_urls: Sequence[str]) -> tuple[Tally, int, Counter[int]]:
    """CLIENTS clients over `base_urls` write one new item without If-Match, then all delete it;
    checks that the last writer won. Returns the writes' tally, the final version and the
    deletes' statuses."""
    async with spread_clients(base_urls) as clients:
        item_id = await new_item(clients[0])
        tally = await unconditional_writes(clients, item_id)
        final = await final_version(clients[0], item_id)
        deletes = await concurrent_deletes(clients, item_id)
    assert_last_writer_won(tally, final, deletes)
    return tally, final, deletes


async def one_winner_per_version(base_urls: Sequence[str]) -> tuple[int, int]:
    """CLIENTS clients over `base_urls` change one new item with the If-Match they read; checks
    one winner per version. Returns the final version and how many writes were refused."""
    async with spread_clients(base_urls) as clients:
        item_id = await new_item(clients[0])
        outcomes = await conditional_writes(clients, item_id)
        final = await final_version(clients[0], item_id)
    return final, assert_one_winner_per_version(outcomes, final)
