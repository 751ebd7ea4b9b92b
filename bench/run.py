"""`make bench`: drive the service (and optionally other servers) with wrk and print a table.

    python -m bench.run                                   # SQLite, 1M rows, 3 repeats of 5 s
    python -m bench.run --database-url postgresql://postgres@127.0.0.1:5432/test \\
        --compare seed=http://127.0.0.1:8102 --compare ceiling=http://127.0.0.1:8103 \\
        --fill seed=postgresql://postgres@127.0.0.1:5432/seedbench

The service runs as `items serve` (one Granian worker, uvloop) pinned to core 0 on a database made
for the run and dropped after it; wrk runs on core 1. Servers given with --compare are driven the
same way, scenario by scenario in turn, so their ratios come from one run. A server is filled by
SQL when --fill names its database (needed for the deep page), otherwise through its API.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.database import fill, fresh_database
from bench.report import Runs, table
from bench.service import running_service, worker_rss_mib
from bench.wrk import Load, Measurement, drive
from tests.support.builders import item_body

SCENARIOS = ("create", "get", "list", "put", "patch", "deep page")
SERVICE = "service"


@dataclass
class Server:
    name: str
    url: str
    database_url: str | None = None
    max_id: int = 0
    deep_url: str | None = None
    unsupported: set[str] = field(default_factory=set)


def _request(method: str, url: str, body: dict[str, object] | None = None) -> tuple[int, bytes, str]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read(), answer.headers.get("Link", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), ""


def _create(server: Server) -> int:
    status, body, _ = _request("POST", f"{server.url}/items/", item_body(name="bench probe"))
    if status != 201:
        raise SystemExit(f"{server.name}: POST /items/ answered {status}")
    return int(json.loads(body)["id"])


def _next_link(link_header: str) -> str | None:
    """The target of rel="next" in an RFC 8288 Link header."""
    for part in link_header.split(","):
        target, _, params = part.partition(";")
        if 'rel="next"' in params.replace(" ", ""):
            return target.strip().strip("<>")
    return None


def _deep_page(server: Server, depth: int) -> str | None:
    """The URL of a page of 10 at `depth`: by cursor where the server offers one, else by offset."""
    status, _, link = _request("GET", f"{server.url}/items/?skip={depth - 1}&limit=1")
    if status != 200:
        return None
    target = _next_link(link)
    if target is None:
        return f"{server.url}/items/?skip={depth}&limit=10"
    parts = urllib.parse.urlsplit(urllib.parse.urljoin(f"{server.url}/items/", target))
    query = dict(urllib.parse.parse_qsl(parts.query))
    query["limit"] = "10"
    query.pop("skip", None)
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def prepare(server: Server, rows: int, api_rows: int) -> None:
    """Fill the server and find what each scenario needs; mark what it does not offer."""
    if server.database_url is not None:
        server.max_id = fill(server.database_url, rows)
        server.deep_url = _deep_page(server, rows - 10)
    else:
        server.max_id = _create(server)
        for _ in range(api_rows - server.max_id):
            server.max_id = _create(server)
    for method, scenario in (("PUT", "put"), ("PATCH", "patch")):
        status, _, _ = _request(method, f"{server.url}/items/{server.max_id}", item_body(name="bench probe"))
        if status >= 400:
            server.unsupported.add(scenario)
    if server.deep_url is None:
        server.unsupported.add("deep page")


def measure(server: Server, scenario: str, load: Load) -> Measurement:
    base = server.url
    if scenario == "create":
        return drive(base, load, "post_item.lua")
    if scenario == "get":
        return drive(base, load, "get_random.lua", server.max_id)
    if scenario == "list":
        return drive(f"{base}/items/?limit=10", load)
    if scenario in ("put", "patch"):
        return drive(base, load, "change_random.lua", server.max_id, scenario.upper())
    assert server.deep_url is not None
    return drive(server.deep_url, load)


def _pairs(values: list[str], flag: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, separator, target = value.partition("=")
        if not separator or not name or not target:
            raise SystemExit(f"{flag} wants NAME=URL, not {value!r}")
        pairs[name] = target.rstrip("/")
    return pairs


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.run", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="sqlite", help="'sqlite' (default) or a PostgreSQL server URL"
    )
    parser.add_argument("--compare", action="append", default=[], metavar="NAME=URL")
    parser.add_argument("--fill", action="append", default=[], metavar="NAME=DATABASE_URL")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows filled by SQL (deep page depth)")
    parser.add_argument("--api-rows", type=int, default=1000, help="items made through the API otherwise")
    parser.add_argument("--seconds", type=int, default=5, help="per wrk run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--server-cores", default="0", help="taskset list for the service")
    parser.add_argument("--load-core", type=int, default=1, help="the core wrk runs on")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated subset")
    options = parser.parse_args(argv)
    unknown = set(options.scenarios.split(",")) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios {sorted(unknown)}; choose from {SCENARIOS}")
    return options


def benchmark(
    servers: list[Server], scenarios: list[str], load: Load, repeats: int, after_repeat: Callable[[int], None]
) -> Runs:
    """Each repeat drives every scenario on every server in turn, so drift hits them alike."""
    runs: Runs = {}
    warm_up = Load(load.connections, 1, load.core)
    for repeat in range(0, repeats + 1):
        for scenario in scenarios:
            for server in servers:
                if scenario in server.unsupported:
                    continue
                if repeat == 0:
                    measure(server, scenario, warm_up)
                    continue
                result = measure(server, scenario, load)
                runs.setdefault((scenario, server.name), []).append(result)
                rate = f"{result.requests_per_second:9,.0f} req/s"
                print(
                    f"  repeat {repeat} {scenario:9} {server.name:10} {rate}  p50 {result.p50_ms:6.1f} ms"
                    f"  p99 {result.p99_ms:6.1f} ms  failed {result.failures}",
                    file=sys.stderr,
                )
        if repeat:
            after_repeat(repeat)
    return runs


def main(argv: list[str]) -> None:
    options = arguments(argv)
    scenarios = options.scenarios.split(",")
    load = Load(options.connections, options.seconds, options.load_core)
    compared = _pairs(options.compare, "--compare")
    filled = _pairs(options.fill, "--fill")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="items-bench-") as scratch:
        base = "sqlite:///" if options.database_url == "sqlite" else options.database_url
        with (
            fresh_database(base, Path(scratch)) as database_url,
            running_service(database_url, options.server_cores, options.workers) as (url, pid),
        ):
            servers = [Server(SERVICE, url, database_url)]
            servers += [Server(name, target, filled.get(name)) for name, target in compared.items()]
            for server in servers:
                print(f"filling {server.name} ...", file=sys.stderr)
                prepare(server, options.rows, options.api_rows)
            rss: list[str] = []

            def record_rss(repeat: int) -> None:
                sizes = ", ".join(f"{size:.1f}" for size in worker_rss_mib(pid))
                rss.append(f"after repeat {repeat}: {sizes} MiB")
                print(f"  service worker RSS {rss[-1]}", file=sys.stderr)

            results = benchmark(servers, scenarios, load, options.repeats, record_rss)
    backend = database_url.split(":", 1)[0]
    deep = servers[0].deep_url
    deep_path = "n/a" if deep is None else deep.removeprefix(url)
    print(f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {backend}, python -m bench.run {shlex.join(argv)}")
    print(
        f"{options.workers} worker(s) on core(s) {options.server_cores}, wrk on core {options.load_core}, "
        f"{options.connections} connections, {options.repeats} x {options.seconds} s, medians "
        "(ratios: median of the ratios within each repeat); "
        f"{options.rows:,} rows filled by SQL; deep page: {deep_path}"
    )
    print(table(scenarios, [s.name for s in servers], results))
    print("service worker RSS " + "; ".join(rss))
    print(f"took {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
