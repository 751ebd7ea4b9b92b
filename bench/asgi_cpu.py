"""CPU time per request of the app itself, in process: the ASGI app driven directly, no server and
no sockets: the service's own cost, in CPU seconds, which move far less with the machine's load
than wall-clock times do (compare runs side by side all the same).

    .venv/bin/python -m bench.asgi_cpu [--requests 3000] [--repeat 7] [--tracing] > /dev/null

Each repeat answers --requests GETs of one item on a fresh SQLite file and reports the process's
CPU seconds (all threads: aiosqlite's included) per request; the median of the repeats is printed.
--tracing turns tracing on with spans exported in batches to memory, for its cost. --calls counts
the Python function calls each request makes (cProfile, main thread) instead: the same for the
same code whatever the machine's load, so two versions of the hot path compare exactly.
"""

import argparse
import asyncio
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from entrypoints.api.app import create_app
from entrypoints.settings import Settings


def _tracing() -> Any:
    # Imported only when asked for, as the app does: the untraced run loads nothing of OpenTelemetry.
    from opentelemetry.sdk.trace.export import BatchSpanProcessor  # noqa: PLC0415
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter  # noqa: PLC0415

    from entrypoints.tracing import Tracing  # noqa: PLC0415

    exporter = InMemorySpanExporter()
    return Tracing(lambda: [BatchSpanProcessor(exporter)])


async def _request(app: FastAPI, method: str, path: str, body: bytes = b"") -> int:
    headers = [(b"host", b"127.0.0.1:8000")]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": headers, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }  # fmt: skip
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def _one_repeat(requests: int, tracing: bool, directory: Path, repeat: int, calls: bool) -> float:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{directory / f'cpu-{repeat}.db'}", log_format="json"
    )
    app = create_app(settings, tracing=_tracing()) if tracing else create_app(settings)
    async with app.router.lifespan_context(app):
        assert await _request(app, "POST", "/items/", b'{"name": "measured"}') == 201
        for _ in range(50):  # warm-up: pool, statement caches, first-call paths
            assert await _request(app, "GET", "/items/1") == 200
        profiler = cProfile.Profile() if calls else None
        if profiler is not None:
            profiler.enable()
        started = time.process_time()
        for _ in range(requests):
            await _request(app, "GET", "/items/1")
        spent = time.process_time() - started
        if profiler is None:
            return spent / requests
        profiler.disable()
        total_calls: int = pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]
        return total_calls / requests


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--tracing", action="store_true")
    parser.add_argument(
        "--calls",
        action="store_true",
        help="count Python function calls per request instead (load-independent)",
    )
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        figures = [
            asyncio.run(
                _one_repeat(arguments.requests, arguments.tracing, Path(directory), repeat, arguments.calls)
            )
            for repeat in range(arguments.repeat)
        ]
    label = "tracing on (batched to memory)" if arguments.tracing else "tracing unset"
    if arguments.calls:
        counts = sorted(round(value, 1) for value in figures)
        figure = f"median {statistics.median(counts)} Python calls per request (main thread); all {counts}"
    else:
        micros = sorted(round(value * 1e6, 1) for value in figures)
        figure = f"median {statistics.median(micros)} us CPU per request; all {micros}"
    # On stderr: stdout has the access lines (INFO, as served by default; send them to /dev/null).
    print(f"GET /items/1 on SQLite, {label}: {figure}", file=sys.stderr)


if __name__ == "__main__":
    main()
