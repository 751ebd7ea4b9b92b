"""Worker CPU per request, in-process: the ASGI app called directly, one request after another.

No HTTP server and no load generator: what it measures is the CPU time (time.process_time) the
app itself spends on each request, from routing to the last byte of the answer, database driver
included (the database server's own time is not in it). The ratios between scenarios and between
commits are what count; absolute figures move with the machine. Not part of `make test`.

    python -m bench.inprocess                               # SQLite, in a temporary file
    python -m bench.inprocess --database-url postgresql://postgres@127.0.0.1:5432/test
    python -m bench.inprocess --profile list                # cProfile of one scenario, top 25
    python -m bench.inprocess --tracing                     # tracing on, spans batched to memory

A profile's first line counts the Python function calls its requests made: the same for the same
code whatever the machine's load, so it compares two versions of the hot path exactly.

A PostgreSQL URL names a server database to connect through: the run creates its own database
beside it and drops it afterwards (bench.database.fresh_database).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvloop

from bench.database import fresh_database
from entrypoints.api.app import create_app
from entrypoints.settings import Settings
from tests.support.builders import item_json

Scenario = Callable[[int], Awaitable[None]]
SCENARIOS = ["create", "get", "list", "put", "patch"]


class AsgiCaller:
    """Calls an ASGI app with one complete request and checks the status of its answer."""

    def __init__(self, app: Any) -> None:
        self._app = app
        # The last answer's raw headers, kept as sent (decoding them would add to every timing).
        self._headers: list[tuple[bytes, bytes]] = []

    def header(self, name: str) -> str | None:
        """A header of the last answer (a Link to follow, say)."""
        wanted = name.lower().encode()
        return next((value.decode() for key, value in self._headers if key.lower() == wanted), None)

    async def __call__(self, method: str, path: str, body: bytes = b"", expect: int = 200) -> bytes:
        path, _, query = path.partition("?")
        headers = [(b"host", b"bench"), (b"content-type", b"application/json")]
        headers.append((b"content-length", str(len(body)).encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "state": {},
        }
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.Event().wait()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        status, chunks = 0, []

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                self._headers = message.get("headers", [])
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self._app(scope, receive, send)
        if status != expect:
            raise RuntimeError(f"{method} {path} answered {status}: {b''.join(chunks)[:200]!r}")
        return b"".join(chunks)


def _memory_tracing() -> Any:
    # Imported only when asked for, as the app does: untraced, nothing of OpenTelemetry is loaded.
    from opentelemetry.sdk.trace.export import BatchSpanProcessor  # noqa: PLC0415
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter  # noqa: PLC0415

    from entrypoints.observability.tracing import Tracing  # noqa: PLC0415

    exporter = InMemorySpanExporter()
    return Tracing(lambda: [BatchSpanProcessor(exporter)])


@asynccontextmanager
async def running_app(database_url: str, tracing: bool = False) -> AsyncIterator[AsgiCaller]:
    settings = Settings(database_url=database_url, migrate_on_start=True, log_level="WARNING")
    app = create_app(settings, tracing=_memory_tracing()) if tracing else create_app(settings)
    async with app.router.lifespan_context(app):
        yield AsgiCaller(app)


def scenarios(call: AsgiCaller, ids: list[int]) -> dict[str, Scenario]:
    item = item_json()

    async def create(_n: int) -> None:
        await call("POST", "/items/", item, expect=201)

    async def get(n: int) -> None:
        await call("GET", f"/items/{ids[n % len(ids)]}")

    async def first_page(_n: int) -> None:
        await call("GET", "/items/?limit=10")

    async def put(n: int) -> None:
        body = item_json(name=f"Kettle {n}", description="replaced")
        await call("PUT", f"/items/{ids[n % len(ids)]}", body)

    async def patch(n: int) -> None:
        await call("PATCH", f"/items/{ids[n % len(ids)]}", json.dumps({"description": f"d{n}"}).encode())

    return {"create": create, "get": get, "list": first_page, "put": put, "patch": patch}


async def cpu_per_request(scenario: Callable[[int], Awaitable[object]], requests: int) -> float:
    started = time.process_time()
    for n in range(requests):
        await scenario(n)
    return (time.process_time() - started) / requests * 1e6


async def interleaved_rounds(
    chosen: Mapping[str, Callable[[int], Awaitable[object]]], requests: int, rounds: int
) -> dict[str, list[float]]:
    """CPU microseconds per request of each scenario in each round, after a warm-up. Rounds
    interleave the scenarios, so a disturbance on the machine touches all of them."""
    figures: dict[str, list[float]] = {name: [] for name in chosen}
    for scenario in chosen.values():
        await cpu_per_request(scenario, max(requests // 10, 50))
    for _ in range(rounds):
        for name, scenario in chosen.items():
            figures[name].append(await cpu_per_request(scenario, requests))
    return figures


async def measure(
    database_url: str, requests: int, rounds: int, profile: str | None, names: list[str], *, tracing: bool
) -> None:
    async with running_app(database_url, tracing) as call:
        for _ in range(200):
            await call("POST", "/items/", item_json(name="seed"), expect=201)
        listed = json.loads(await call("GET", "/items/?limit=100"))
        every = scenarios(call, [entry["id"] for entry in listed])
        chosen = {name: every[name] for name in names}
        if profile is not None:
            await cpu_per_request(chosen[profile], requests)
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            await cpu_per_request(chosen[profile], requests)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(40)
            return
        figures = await interleaved_rounds(chosen, requests, rounds)
    get = statistics.median(figures["get"]) if "get" in figures else None
    print(f"{database_url.partition(':')[0]}: CPU per request, median (min) of {rounds} x {requests}")
    for name, values in figures.items():
        median = statistics.median(values)
        ratio = "" if get is None else f"  {median / get:5.2f}x get"
        print(f"  {name:7s} {median:7.0f} us  (min {min(values):5.0f}){ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL server database (default: SQLite in a temp file)")
    parser.add_argument("--requests", type=int, default=1000, help="requests per scenario per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", choices=SCENARIOS, help="profile this scenario instead")
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=SCENARIOS)
    parser.add_argument("--tracing", action="store_true", help="tracing on, spans exported to memory")
    arguments = parser.parse_args()
    # uvloop, as `items serve` and the benchmark's server run.
    run = uvloop.run
    database = arguments.database_url or "sqlite://"
    with tempfile.TemporaryDirectory() as scratch, fresh_database(database, Path(scratch)) as url:
        run(
            measure(
                url,
                arguments.requests,
                arguments.rounds,
                arguments.profile,
                arguments.scenarios,
                tracing=arguments.tracing,
            )
        )


if __name__ == "__main__":
    main()
