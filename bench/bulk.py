"""`make bench-bulk`: loading and unloading the catalogue in bulk, beside one POST at a time.

    python -m bench.bulk                                        # SQLite and PostgreSQL, 100,000 items
    python -m bench.bulk --database-url sqlite --items 20000    # one backend, a smaller file

Per backend, each on a database made for the run and dropped after it, in one run:
- one at a time: `items serve` (one worker, pinned to core 0) gets `--single` POST /items/ from one
  keep-alive client on core 1, one after the other; the rate is extrapolated to the file;
- import: `items import FILE` (pinned to core 0) loads the file into an empty database;
- batches over HTTP: the same file in POST /items/batch requests of `--batch` items, one after the
  other; their latencies give the batch p50;
- export: `items export FILE` of the imported database.
The importer's and exporter's peak RSS is taken at the full size and at a tenth of it: flat memory
means the two are alike. Wall clock throughout; run it on a quiet machine and read the ratios.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench.database import fresh_database
from bench.service import ITEMS, ROOT, running_service
from tests.support.builders import item_body

BACKENDS = {"sqlite": "sqlite:///unused", "postgres": "postgresql://postgres@127.0.0.1:5432/test"}


def write_items(path: Path, count: int) -> Path:
    """A JSON Lines file of `count` new items, every client field filled in as the tests' builders do."""
    with path.open("w") as file:
        for number in range(count):
            body = item_body(
                name=f"bulk item {number}", description=f"loaded by the benchmark, line {number + 1}"
            )
            file.write(json.dumps(body) + "\n")
    return path


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    peak_rss_mib: float


def run_items(database_url: str, *arguments: str) -> Run:
    """One `items` command pinned to core 0: its wall clock and peak resident memory."""
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    command = ["taskset", "-c", "0", ITEMS, *arguments]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"items {' '.join(arguments)} failed ({os.waitstatus_to_exitcode(status)})")
    return Run(seconds, usage.ru_maxrss / 1024)


@contextmanager
def connection(url: str) -> Iterator[http.client.HTTPConnection]:
    parts = urlsplit(url)
    client = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
    try:
        yield client
    finally:
        client.close()


def post(client: http.client.HTTPConnection, path: str, body: bytes) -> float:
    """One POST on the kept-alive connection; its latency in seconds."""
    started = time.perf_counter()
    client.request("POST", path, body, {"Content-Type": "application/json"})
    answer = client.getresponse()
    answer.read()
    if answer.status != 201:
        raise SystemExit(f"POST {path} answered {answer.status}")
    return time.perf_counter() - started


def lines(path: Path, count: int) -> list[bytes]:
    with path.open("rb") as file:
        return [line.rstrip(b"\n") for _, line in zip(range(count), file, strict=False)]


def one_at_a_time(url: str, path: Path, count: int) -> float:
    """Items per second created by single POSTs, one after the other."""
    bodies = lines(path, count)
    with connection(url) as client:
        started = time.perf_counter()
        for body in bodies:
            post(client, "/items/", body)
    return count / (time.perf_counter() - started)


def in_batches(url: str, path: Path, batch: int) -> tuple[float, list[float]]:
    """Items per second created by POST /items/batch requests of `batch` items; each request's latency."""
    latencies = []
    total = 0
    with connection(url) as client, path.open("rb") as file:
        started = time.perf_counter()
        while chunk := [line.rstrip(b"\n") for _, line in zip(range(batch), file, strict=False)]:
            latencies.append(post(client, "/items/batch", b"[" + b",".join(chunk) + b"]"))
            total += len(chunk)
    return total / (time.perf_counter() - started), latencies


@contextmanager
def serving(server_url: str, scratch: Path) -> Iterator[str]:
    """`items serve`, one worker pinned to core 0, on a database of its own."""
    with (
        fresh_database(server_url, scratch) as database_url,
        running_service(database_url, "0", 1) as (url, _),
    ):
        yield url


def _rss(runs: dict[int, Run]) -> str:
    (tenth, small), (_, large) = sorted(runs.items())
    return f"peak RSS {large.peak_rss_mib:.0f} MiB ({small.peak_rss_mib:.0f} MiB for {tenth:,})"


def measure_backend(
    name: str, server_url: str, files: dict[int, Path], scratch: Path, args: argparse.Namespace
) -> list[str]:
    full, tenth = max(files), min(files)
    report = [f"## {name}: {full:,} items"]
    for part in ("single", "batches", *(f"import-{count}" for count in files)):
        (scratch / part).mkdir()
    with serving(server_url, scratch / "single") as url:
        single_rate = one_at_a_time(url, files[full], args.single)
    with serving(server_url, scratch / "batches") as url:
        batch_rate, latencies = in_batches(url, files[full], args.batch)
    imports: dict[int, Run] = {}
    exports: dict[int, Run] = {}
    for count in (tenth, full):
        with fresh_database(server_url, scratch / f"import-{count}") as database_url:
            run_items(database_url, "migrate", "upgrade")
            imports[count] = run_items(database_url, "import", str(files[count]), "--quiet")
            exports[count] = run_items(
                database_url, "export", str(scratch / f"export-{count}.jsonl"), "--quiet"
            )
            exported = sum(1 for _ in (scratch / f"export-{count}.jsonl").open("rb"))
            if exported != count:
                raise SystemExit(f"exported {exported} items of {count}")
    single_seconds = full / single_rate
    report += [
        f"one POST at a time ({args.single:,} sent, extrapolated): {single_rate:,.0f} items/s, "
        f"{single_seconds:,.1f} s for {full:,}",
        f"items import: {imports[full].seconds:.1f} s, {full / imports[full].seconds:,.0f} items/s, "
        f"{single_seconds / imports[full].seconds:.1f}x one at a time; {_rss(imports)}",
        f"POST /items/batch of {args.batch:,}: {batch_rate:,.0f} items/s, {batch_rate / single_rate:.1f}x "
        f"one at a time; per request p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms ({len(latencies)} requests)",
        f"items export: {exports[full].seconds:.1f} s, {full / exports[full].seconds:,.0f} items/s; "
        f"{_rss(exports)}",
    ]
    return report


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.bulk", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", choices=sorted(BACKENDS), action="append", help="default: both")
    parser.add_argument("--postgres", default=BACKENDS["postgres"], help="the PostgreSQL server to use")
    parser.add_argument("--items", type=int, default=100_000, help="items in the file")
    parser.add_argument("--single", type=int, default=5_000, help="single POSTs timed")
    parser.add_argument("--batch", type=int, default=1_000, help="items per POST /items/batch")
    return parser.parse_args(argv)


def main(argv: list[str]) -> None:
    args = arguments(argv)
    servers = {**BACKENDS, "postgres": args.postgres}
    with tempfile.TemporaryDirectory(prefix="bench-bulk-") as directory:
        root = Path(directory)
        files = {
            count: write_items(root / f"items-{count}.jsonl", count)
            for count in (args.items // 10, args.items)
        }
        for backend in args.database_url or sorted(BACKENDS):
            (root / backend).mkdir()
            print(
                "\n".join(measure_backend(backend, servers[backend], files, root / backend, args)), flush=True
            )


if __name__ == "__main__":
    main(sys.argv[1:])
