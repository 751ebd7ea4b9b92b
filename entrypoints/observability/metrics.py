"""Prometheus metrics: requests by route template and status, requests in flight, pool usage.

With several worker processes (PROMETHEUS_MULTIPROC_DIR set before they start, as `items serve`
does) each process writes its values to files there and a scrape adds them up.
"""

import os
from typing import Any, cast

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from entrypoints.observability.multiprocess import is_multiprocess

# The *_created series only repeat start-up times; leaving them out halves each scrape.
disable_created_metrics()  # type: ignore[no-untyped-call]

REQUESTS = Counter("http_requests", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time from receiving a request to the end of its answer",
    ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
IN_FLIGHT = Gauge("http_requests_in_flight", "HTTP requests being answered", multiprocess_mode="livesum")
POOL_CHECKED_OUT = Gauge("db_pool_checked_out", "Database connections in use", multiprocess_mode="livesum")
POOL_SIZE = Gauge("db_pool_size", "Database connections the pool keeps", multiprocess_mode="livesum")

# Label lookups take a lock and build a key; one cached pair per (method, route, status) is cheaper.
_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    key = (method, route, status)
    children = _children.get(key)
    if children is None:
        labels = (method, route, str(status))
        children = _children[key] = (REQUESTS.labels(*labels), LATENCY.labels(*labels))
    children[0].inc()
    children[1].observe(seconds)


def watch_pool(engine: AsyncEngine) -> None:
    pool = cast(QueuePool, engine.sync_engine.pool)
    POOL_SIZE.set(pool.size())
    # Counted at the events: inside a checkin event the pool still counts the connection as out.
    event.listen(pool, "checkout", lambda *_: POOL_CHECKED_OUT.inc())
    event.listen(pool, "checkin", lambda *_: POOL_CHECKED_OUT.dec())


def forget_this_process() -> None:
    """A worker leaving takes its in-flight and pool gauges with it."""
    if is_multiprocess():
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def exposition() -> tuple[bytes, str]:
    if not is_multiprocess():
        return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return generate_latest(registry), CONTENT_TYPE_LATEST
