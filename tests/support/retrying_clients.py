"""Clients that retry the way the API tells them to, for faults that leave writes in doubt.

A keyed creator sends each create with an Idempotency-Key and retries it with the same key after
a 503 or a 409 (the first attempt still in flight) until it gets its 201: the store must then
hold exactly one item per key. A conditional updater replaces its own item with If-Match and,
after a 503, reads the item back to learn whether the write was applied: each acknowledged write
must advance the version by exactly one, and its current ETag must never be refused.
Both record what they were told in the fault tests' ledger, so the ledger's check accounts for
their items too.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.builders import item_body
from tests.support.ledger import Ledger
from tests.support.timeline import is_proper_refusal

# Shorter than Retry-After (2 s): the test wants many attempts within one failover.
RETRY_PAUSE_SECONDS = 0.2
ATTEMPTS_PER_WRITE = 300  # a hang guard: at 0.2 s apart, a minute of refusals
KEYED = "created with an Idempotency-Key"
CONDITIONAL = "replaced with If-Match"


@dataclass
class Tally:
    # Per Idempotency-Key, the id its 201 carried (the first and every replay).
    created: dict[str, set[int]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    retried: int = 0  # creates sent again with their key after a 503 or 409
    conditional: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)


async def _retry(send: Any, tally: Tally) -> httpx.Response | None:
    """Sends until the answer is neither a 503 problem nor a 409 for a key in flight."""
    for attempt in range(ATTEMPTS_PER_WRITE):
        response: httpx.Response = await send()
        if not (is_proper_refusal(response) or response.status_code == 409):
            return response
        if attempt == 0:
            tally.retried += 1
        await asyncio.sleep(RETRY_PAUSE_SECONDS)
    tally.unexpected.append(f"no answer but 503 or 409 in {ATTEMPTS_PER_WRITE} attempts")
    return None


async def create_with_keys(
    client: httpx.AsyncClient, creator: int, tally: Tally, ledger: Ledger, done: asyncio.Event
) -> None:
    n = 0
    while not done.is_set():
        n += 1
        key, name = f"creator-{creator}-{n}", f"keyed {creator} {n}"
        tally.names[key] = name
        ledger.unanswered_creates.add(name)

        async def send(key: str = key, name: str = name) -> httpx.Response:
            body = item_body(name=name, description=KEYED)
            return await client.post("/items/", json=body, headers={"Idempotency-Key": key})

        response = await _retry(send, tally)
        if response is None:
            return
        if response.status_code != 201:
            tally.unexpected.append(f"POST with key {key}: {response.status_code} {response.text}")
            return
        item_id = response.json()["id"]
        tally.created.setdefault(key, set()).add(item_id)
        ledger.unanswered_creates.discard(name)
        ledger.allowed[item_id] = {(name, KEYED)}
        ledger.acknowledge("POST")


async def replay_keys(client: httpx.AsyncClient, tally: Tally) -> None:
    """Every key once more, after the fault: each answer is the first one's item."""
    for key, name in tally.names.items():
        body = item_body(name=name, description=KEYED)
        response = await client.post("/items/", json=body, headers={"Idempotency-Key": key})
        if response.status_code != 201:
            tally.unexpected.append(f"replay of {key}: {response.status_code} {response.text}")
            continue
        tally.created.setdefault(key, set()).add(response.json()["id"])


async def _read(client: httpx.AsyncClient, item_id: int, tally: Tally) -> dict[str, Any] | None:
    response = await _retry(lambda: client.get(f"/items/{item_id}"), tally)
    if response is None or response.status_code != 200:
        tally.unexpected.append(f"GET {item_id}: {response and response.status_code}")
        return None
    item: dict[str, Any] = response.json()
    return item


async def update_conditionally(
    client: httpx.AsyncClient, updater: int, tally: Tally, ledger: Ledger, done: asyncio.Event
) -> None:
    """Starts with an item of its own, created as the load begins (with a key: it may be retried)."""
    body, key = (
        item_body(name=f"conditional {updater}", description=CONDITIONAL),
        {"Idempotency-Key": f"conditional-{updater}"},
    )
    created = await _retry(lambda: client.post("/items/", json=body, headers=key), tally)
    if created is None or created.status_code != 201:
        tally.unexpected.append(f"POST conditional {updater}: {created and created.status_code}")
        return
    item: dict[str, Any] | None = created.json()
    assert item is not None
    ledger.allowed[item["id"]] = {(item["name"], CONDITIONAL)}
    n = 0
    while item is not None and not done.is_set():
        n += 1
        name, version, item_id = f"conditional {updater} {n}", item["version"], item["id"]
        ledger.allowed[item_id] = {(item["name"], CONDITIONAL), (name, CONDITIONAL)}
        response = await client.put(
            f"/items/{item_id}",
            json=item_body(name=name, description=CONDITIONAL),
            headers={"If-Match": f'"{item_id}.{version}"'},
        )
        if response.status_code == 200:
            ledger.acknowledge("PUT")
            item = response.json()
            outcome = "acknowledged" if item["version"] == version + 1 else "acknowledged, wrong version"
        elif is_proper_refusal(response):
            item = await _read(client, item["id"], tally)
            if item is None:
                return
            applied = item["version"] == version + 1 and item["name"] == name
            outcome = (
                "503, applied" if applied else "503, not applied" if item["version"] == version else "503, ?"
            )
            await asyncio.sleep(RETRY_PAUSE_SECONDS)
        else:
            outcome = f"{response.status_code} for the current ETag"
            tally.unexpected.append(f"PUT If-Match {version}: {response.status_code} {response.text}")
        if item is not None:
            ledger.allowed[item_id] = {(item["name"], CONDITIONAL)}
        tally.conditional[outcome] += 1
        if outcome not in ("acknowledged", "503, applied", "503, not applied"):
            return


async def stale_etag_is_refused(client: httpx.AsyncClient) -> bool:
    """One more conditional write, with an ETag one version old: 412, on whatever primary there is."""
    item = (await client.post("/items/", json=item_body(name="stale"))).json()
    await client.put(f"/items/{item['id']}", json=item_body(name="newer"))
    stale = await client.put(
        f"/items/{item['id']}", json=item_body(name="lost update"), headers={"If-Match": f'"{item["id"]}.1"'}
    )
    return stale.status_code == 412
