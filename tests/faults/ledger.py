"""What clients were told: every acknowledged write, and the writes whose answer never came."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field

import httpx

# None means "absent"; otherwise (name, description).
State = tuple[str, str] | None


@dataclass
class Ledger:
    # Per item id, the states a correct store may show: one once acknowledged, two while in doubt.
    allowed: dict[int, set[State]] = field(default_factory=dict)
    # Names sent in creates that got no answer: such an item may or may not exist.
    unanswered_creates: set[str] = field(default_factory=set)
    acknowledged: int = 0
    unexpected: list[str] = field(default_factory=list)

    def known_state(self, item_id: int) -> State:
        (state,) = self.allowed[item_id]
        return state


class Writer:
    """One client doing creates, updates and deletes on its own items, one request at a time.

    Owning its items keeps each item's history linear, so the expected state is exact.
    """

    def __init__(self, client: httpx.AsyncClient, ledger: Ledger, writer_id: int, rng: random.Random) -> None:
        self._client = client
        self._ledger = ledger
        self._id = writer_id
        self._rng = rng
        self._owned: list[int] = []
        self._sequence = 0

    def _next_name(self) -> str:
        self._sequence += 1
        return f"writer {self._id} op {self._sequence}"

    async def run(self, seconds: float) -> None:
        """Writes for `seconds`, or until the server stops answering."""
        deadline = asyncio.get_running_loop().time() + seconds
        try:
            while asyncio.get_running_loop().time() < deadline:
                roll = self._rng.random()
                if len(self._owned) < 3 or roll < 0.45:
                    await self._create()
                elif roll < 0.85:
                    await self._update()
                else:
                    await self._delete()
        except httpx.TransportError:
            return

    def _check(self, response: httpx.Response, expected: int) -> None:
        if response.status_code != expected:
            self._ledger.unexpected.append(
                f"{response.request.method} {response.status_code} {response.text}"
            )
            raise httpx.TransportError("unexpected answer; stop this writer")

    async def _create(self) -> None:
        name = self._next_name()
        self._ledger.unanswered_creates.add(name)
        response = await self._client.post("/items/", json={"name": name, "description": "created"})
        self._check(response, 201)
        self._ledger.unanswered_creates.discard(name)
        item_id = response.json()["id"]
        self._ledger.allowed[item_id] = {(name, "created")}
        self._ledger.acknowledged += 1
        self._owned.append(item_id)

    async def _update(self) -> None:
        item_id = self._rng.choice(self._owned)
        before = self._ledger.known_state(item_id)
        after = (self._next_name(), "updated")
        self._ledger.allowed[item_id] = {before, after}
        response = await self._client.put(
            f"/items/{item_id}", json={"name": after[0], "description": after[1]}
        )
        self._check(response, 200)
        self._ledger.allowed[item_id] = {after}
        self._ledger.acknowledged += 1

    async def _delete(self) -> None:
        item_id = self._rng.choice(self._owned)
        self._ledger.allowed[item_id] = {self._ledger.known_state(item_id), None}
        self._owned.remove(item_id)
        response = await self._client.delete(f"/items/{item_id}")
        self._check(response, 204)
        self._ledger.allowed[item_id] = {None}
        self._ledger.acknowledged += 1


async def write(base_url: str, ledger: Ledger, writers: int, rng: random.Random, seconds: float) -> None:
    """Concurrent writers for `seconds` or until the server dies, whichever comes first."""
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        await asyncio.gather(*(Writer(client, ledger, n, rng).run(seconds) for n in range(writers)))


async def lost_writes(base_url: str, ledger: Ledger) -> list[str]:
    """Every way the store disagrees with what clients were told."""
    problems: list[str] = []
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        for item_id, allowed in ledger.allowed.items():
            response = await client.get(f"/items/{item_id}")
            body = response.json()
            state: State = (body["name"], body["description"]) if response.status_code == 200 else None
            if response.status_code not in (200, 404) or state not in allowed:
                problems.append(
                    f"item {item_id}: {response.status_code} {state!r}, expected one of {allowed!r}"
                )
        skip = 0
        while page := (await client.get(f"/items/?skip={skip}&limit=100")).json():
            for item in page:
                known = item["id"] in ledger.allowed or item["name"] in ledger.unanswered_creates
                if not known:
                    problems.append(f"item {item['id']} {item['name']!r} was never written by a client")
            skip += len(page)
    return problems
