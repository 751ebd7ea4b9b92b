"""What a page of the `memory://` store costs once it holds many items, beside what a GET costs.

    .venv/bin/python -m bench.memory_scale [--items 100000] [--repeat 15]

Fills a memory store, then reports the median CPU time (this process's, in µs) of a GET by id and
of a first page, a page by cursor near the end, a page sorted by name and a page filtered by `q`,
each 10 items: at the repository (one read-only unit of work) and through the REST app in-process
(called as an ASGI server calls it: middleware, routing, validation, JSON, cursor and Link
included; no sockets, no HTTP client, no access log lines). Each sample repeats its request
until it has used a few milliseconds of CPU, so short ones are not lost in the clock's
resolution. The ratio column is the median of the scenario's cost over the GET's, round by round.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial

from dependency_injector import providers

from adapters.memory import MemoryUnitOfWorkFactory
from bench.inprocess import AsgiCaller
from bench.run import _next_link
from domain.listing import ItemListQuery, Sort, SortField, position_of
from entrypoints.api.app import create_app
from entrypoints.container import Container
from entrypoints.settings import Settings
from tests.support.builders import an_item

PAGE = 10
START = datetime(2026, 1, 1, tzinfo=UTC)
SAMPLE_NS = 5_000_000
# Filled in units of work of this many items, as a bulk import would.
BATCH = 1_000
# One item in this many has "tea" in its name: a search must read about 10 items per match.
SEARCH = "tea"
SEARCH_EVERY = 10

# The first, a GET by id, is what every ratio divides by.
SCENARIOS = ("get", "first page", "deep cursor page", "name page", "search page")

Call = Callable[[], Awaitable[object]]


def _name(n: int) -> str:
    spread = hashlib.md5(str(n).encode()).hexdigest()[:12]  # noqa: S324 - a spread of names, not security
    return f"{SEARCH} {spread}" if n % SEARCH_EVERY == 0 else f"item {spread}"


async def _fill(uow_factory: MemoryUnitOfWorkFactory, items: int) -> None:
    for first in range(1, items + 1, BATCH):
        async with uow_factory() as uow:
            for n in range(first, min(first + BATCH, items + 1)):
                await uow.items.add(
                    an_item(name=_name(n), description="", now=START + timedelta(milliseconds=n))
                )
            await uow.commit()


async def _calls_per_sample(call: Call) -> int:
    started = time.process_time_ns()
    await call()
    return max(1, SAMPLE_NS // max(1, time.process_time_ns() - started))


async def _medians(calls: dict[str, Call], repeat: int) -> dict[str, tuple[float, float]]:
    """Per scenario: median CPU µs per call, and the median of its ratios to the GET's.

    The scenarios take turns within each of `repeat` rounds, so a change in the machine's load
    between rounds moves them together and leaves their ratios, paired round by round, alone.
    """
    counts = {scenario: await _calls_per_sample(call) for scenario, call in calls.items()}
    samples: dict[str, list[float]] = {scenario: [] for scenario in calls}
    for _ in range(repeat):
        for scenario, call in calls.items():
            started = time.process_time_ns()
            for _ in range(counts[scenario]):
                await call()
            samples[scenario].append((time.process_time_ns() - started) / counts[scenario] / 1000)
    gets = samples[SCENARIOS[0]]
    return {
        scenario: (
            statistics.median(timings),
            statistics.median(timing / get for timing, get in zip(timings, gets, strict=True)),
        )
        for scenario, timings in samples.items()
    }


async def _repository_calls(uow_factory: MemoryUnitOfWorkFactory, items: int) -> dict[str, Call]:
    async def get() -> object:
        async with uow_factory(read_only=True) as uow:
            found = await uow.items.get(items // 2)
        assert found is not None
        return found

    def listing(query: ItemListQuery) -> Call:
        async def page() -> object:
            async with uow_factory(read_only=True) as uow:
                found = await uow.items.list(query)
            assert len(found.items) == PAGE
            return found

        return page

    by_id = Sort(SortField.ID)
    async with uow_factory(read_only=True) as uow:
        (before,) = (await uow.items.list(ItemListQuery(skip=items - 2 * PAGE, limit=1))).items
    calls = (
        get,
        listing(ItemListQuery(limit=PAGE)),
        listing(ItemListQuery(limit=PAGE, after=position_of(before, by_id))),
        listing(ItemListQuery(limit=PAGE, sort=Sort(SortField.NAME))),
        listing(ItemListQuery(limit=PAGE, name_contains=SEARCH)),
    )
    return dict(zip(SCENARIOS, calls, strict=True))


def _http_calls(call: AsgiCaller, items: int, deep_url: str) -> dict[str, Call]:
    targets = (
        f"/items/{items // 2}",
        f"/items/?limit={PAGE}",
        deep_url,
        f"/items/?limit={PAGE}&sort=name",
        f"/items/?limit={PAGE}&q={SEARCH}",
    )
    return {
        scenario: partial(call, "GET", target) for scenario, target in zip(SCENARIOS, targets, strict=True)
    }


async def _measure(items: int, repeat: int) -> dict[str, dict[str, tuple[float, float]]]:
    uow_factory = MemoryUnitOfWorkFactory()
    await _fill(uow_factory, items)
    results = {"repository": await _medians(await _repository_calls(uow_factory, items), repeat)}
    # Access lines are not written: this measures the app's work, not a log sink's.
    container = Container(settings=Settings(database_url="memory://", log_level="WARNING"))
    with container.uow.override(providers.Object(uow_factory)):
        app = create_app(container=container)
        async with app.router.lifespan_context(app):
            # A cursor a client paging from an offset near the end would hold.
            # Called as an ASGI server calls it: only the app's own work is timed, none of an HTTP
            # client's (an httpx client costs about as much CPU per request as the GET).
            call = AsgiCaller(app)
            await call("GET", f"/items/?skip={items - 3 * PAGE}&limit={PAGE}")
            deep_url = _next_link(call.header("link") or "")
            assert deep_url is not None, "a page near the end links to the next"
            results["REST"] = await _medians(_http_calls(call, items, deep_url), repeat)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    results = asyncio.run(_measure(args.items, args.repeat))
    print(f"memory store, {args.items:,} items, page of {PAGE}, median CPU µs of {args.repeat} samples")
    print(f"{'level':<11} {'scenario':<17} {'µs':>10} {'/ get':>8}")
    for level, timings in results.items():
        for scenario, (micros, ratio) in timings.items():
            print(f"{level:<11} {scenario:<17} {micros:>10.1f} {ratio:>7.2f}x")


if __name__ == "__main__":
    main()
