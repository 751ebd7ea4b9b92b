"""What clients were told: every acknowledged write, and the writes whose answer never came."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.builders import item_body
from tests.support.timeline import Timeline, is_proper_refusal

# None means "absent"; otherwise (name, description).
State = tuple[str, str] | None
# After a 503 a writer pauses briefly, then goes on: the service must stay quick under retries.
REFUSED_PAUSE_SECONDS = 0.05
WRITER_TIMEOUT_SECONDS = 30.0
# What a load balancer answers when the replica it sent a request to died before answering.
GATEWAY_FAILURES = (502, 504)


@dataclass
class Ledger:
    # Per item id, the states a correct store may show: one once acknowledged, two while in doubt.
    allowed: dict[int, set[State]] = field(default_factory=dict)
    # Names sent in creates that got no answer: such an item may or may not exist.
    unanswered_creates: set[str] = field(default_factory=set)
    acknowledged: int = 0
    # Acknowledged writes per method, so a test can show every kind of write was exercised.
    acknowledged_by: Counter[str] = field(default_factory=Counter)
    # Writes answered 503: not acknowledged, so a correct store may or may not show them.
    refused: int = 0
    # Requests that got no answer at all (the connection broke or timed out), and which they were.
    unanswered: int = 0
    unanswered_requests: list[httpx.Request] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    # Behind a load balancer a replica may die with a write in flight: the balancer's 502, or the
    # client connection it closes unanswered, leaves that write in doubt, and the writer goes on
    # (through the other replicas). Off: a 502 is unexpected, and a writer cut off stops.
    through_gateway: bool = False
    gateway_failures: int = 0
    # Names are unique per ledger, across restarts too, so an unanswered create is never
    # mistaken for a later acknowledged one that reused its name.
    operations: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def reaches(
        self, count: int, kinds: frozenset[str] = frozenset(), hang_guard: float = 120.0
    ) -> None:
        """Wait until `count` writes are acknowledged, among them one of each of `kinds`: tests
        inflict their faults after so much work, not after so much time, whatever the machine's
        speed. `hang_guard` seconds only stop a test that would otherwise wait forever."""
        deadline = asyncio.get_running_loop().time() + hang_guard
        while self.acknowledged < count or not kinds <= self.acknowledged_by.keys():
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(
                    f"{self.acknowledged} of {count} writes acknowledged ({self.acknowledged_by})"
                )
            await asyncio.sleep(0.01)

    def known_state(self, item_id: int) -> State:
        (state,) = self.allowed[item_id]
        return state

    def acknowledge(self, method: str) -> None:
        self.acknowledged += 1
        self.acknowledged_by[method] += 1


class _Stop(Exception):
    """An answer the service never should give: this writer stops."""


class Writer:
    """One client doing creates, replaces, partial updates and deletes on its own items, one at a time.

    Owning its items keeps each item's history linear, so the expected state is exact. An item
    whose last write was refused stays in doubt (either state is correct) and is left alone.
    """

    def __init__(self, client: httpx.AsyncClient, ledger: Ledger, writer_id: int, rng: random.Random) -> None:
        self._client = client
        self._ledger = ledger
        self._id = writer_id
        self._rng = rng
        self._owned: list[int] = []

    def _next_name(self) -> str:
        return f"writer {self._id} op {next(self._ledger.operations)}"

    async def run(self, seconds: float, done: asyncio.Event) -> None:
        """Writes for `seconds`, until `done` is set, or until the server stops answering."""
        deadline = asyncio.get_running_loop().time() + seconds
        while asyncio.get_running_loop().time() < deadline and not done.is_set():
            try:
                await self._write_one()
            except httpx.TransportError as error:
                self._ledger.unanswered += 1
                self._ledger.unanswered_requests.append(error.request)
                if not self._ledger.through_gateway:
                    return
            except _Stop:
                return

    async def _write_one(self) -> None:
        roll = self._rng.random()
        if len(self._owned) < 3 or roll < 0.45:
            await self._create()
        elif roll < 0.65:
            await self._replace()
        elif roll < 0.85:
            await self._patch()
        else:
            await self._delete()

    async def _acknowledged(self, response: httpx.Response, expected: int) -> bool:
        """True for the expected answer; False for a proper 503 (the write stays in doubt)."""
        if response.status_code == expected:
            return True
        if is_proper_refusal(response):
            self._ledger.refused += 1
            await asyncio.sleep(REFUSED_PAUSE_SECONDS)
            return False
        if self._ledger.through_gateway and response.status_code in GATEWAY_FAILURES:
            self._ledger.gateway_failures += 1
            return False
        self._ledger.unexpected.append(f"{response.request.method} {response.status_code} {response.text}")
        raise _Stop

    async def _create(self) -> None:
        name = self._next_name()
        self._ledger.unanswered_creates.add(name)
        response = await self._client.post("/items/", json=item_body(name=name, description="created"))
        if not await self._acknowledged(response, 201):
            return
        self._ledger.unanswered_creates.discard(name)
        item_id = response.json()["id"]
        self._ledger.allowed[item_id] = {(name, "created")}
        self._ledger.acknowledge("POST")
        self._owned.append(item_id)

    async def _replace(self) -> None:
        item_id = self._rng.choice(self._owned)
        after = (self._next_name(), "replaced")
        await self._change("PUT", item_id, after, item_body(name=after[0], description=after[1]))

    async def _patch(self) -> None:
        """Only the description changes, so the expected state keeps the name written before."""
        item_id = self._rng.choice(self._owned)
        before = self._ledger.known_state(item_id)
        assert before is not None, "an owned item is never known to be absent"
        after = (before[0], f"patched by op {next(self._ledger.operations)}")
        await self._change("PATCH", item_id, after, {"description": after[1]})

    async def _change(self, method: str, item_id: int, after: tuple[str, str], body: dict[str, Any]) -> None:
        self._ledger.allowed[item_id] = {self._ledger.known_state(item_id), after}
        self._owned.remove(item_id)  # in doubt until acknowledged
        response = await self._client.request(method, f"/items/{item_id}", json=body)
        if not await self._acknowledged(response, 200):
            return
        self._owned.append(item_id)
        self._ledger.allowed[item_id] = {after}
        self._ledger.acknowledge(method)

    async def _delete(self) -> None:
        item_id = self._rng.choice(self._owned)
        self._ledger.allowed[item_id] = {self._ledger.known_state(item_id), None}
        self._owned.remove(item_id)
        response = await self._client.delete(f"/items/{item_id}")
        if not await self._acknowledged(response, 204):
            return
        self._ledger.allowed[item_id] = {None}
        self._ledger.acknowledge("DELETE")


async def write(
    base_url: str,
    ledger: Ledger,
    writers: int,
    rng: random.Random,
    seconds: float,
    timeline: Timeline | None = None,
    done: asyncio.Event | None = None,
) -> None:
    """Concurrent writers for `seconds`, until `done` is set, or until the server dies."""
    hooks = timeline.event_hooks() if timeline else None
    # A connection per writer: the service, not the client's own pool, is what queues them.
    limits = httpx.Limits(max_connections=writers)
    # Only a guard against a hang: the tests bound the service's answers themselves (its own
    # latency histogram, or the outage's answer times). Under an overload of hundreds of clients,
    # a request may wait seconds on a busy machine before the service even reads it.
    async with httpx.AsyncClient(
        base_url=base_url, timeout=WRITER_TIMEOUT_SECONDS, limits=limits, event_hooks=hooks
    ) as client:
        done = done or asyncio.Event()
        await asyncio.gather(*(Writer(client, ledger, n, rng).run(seconds, done) for n in range(writers)))


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
