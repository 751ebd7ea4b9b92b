"""`make cluster-bench`: throughput through HAProxy with 1, 2 and 3 replicas, and one replica direct.

    python -m cluster.bench                       # 3 x 5 s per scenario, 32 connections
    python -m cluster.bench --seconds 2 --repeats 1 --scenarios get

One cluster per replica count, all at once on one database made for the run (dropped after it),
each with its own pgbouncer and HAProxy; wrk (pinned to --load-core) drives them scenario by
scenario in turn (bench.run.benchmark), so every ratio is paired within a repeat. The replicas
are not pinned: on a small machine they share its cores with wrk, HAProxy, pgbouncer and
PostgreSQL, which the figures then show; nothing here is tuned to make more replicas look faster.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from bench.database import fill, fresh_database
from bench.report import table
from bench.run import Server, benchmark
from bench.service import free_port
from bench.wrk import Load
from cluster.topology import Cluster, missing_tools

DIRECT = "1 replica, direct"


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m cluster.bench", description=__doc__)
    parser.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432/test",
        help="a PostgreSQL server (and a database to connect to for CREATE/DROP)",
    )
    parser.add_argument("--replicas", default="1,2,3", help="comma-separated replica counts")
    parser.add_argument(
        "--scenarios", default="create,get,list", help="of bench.run's: create,get,list,put,patch"
    )
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rows", type=int, default=10_000, help="items filled by SQL before the runs")
    parser.add_argument("--load-core", type=int, default=1, help="the core wrk is pinned to")
    return parser.parse_args(argv)


def label(replicas: int) -> str:
    return f"{replicas} replica{'s' if replicas > 1 else ''}"


def start(stack: ExitStack, database_url: str, replicas: int, run_dir: Path) -> Cluster:
    cluster = Cluster(
        database_url=database_url,
        run_dir=run_dir,
        port=free_port(),
        pgbouncer_port=free_port(),
        replica_ports=[free_port() for _ in range(replicas)],
        replica_env={"LOG_LEVEL": "WARNING"},
    )
    cluster.start()
    stack.callback(cluster.stop)
    return cluster


def main(argv: list[str]) -> None:
    if missing := missing_tools():
        raise SystemExit(f"the cluster needs {' and '.join(missing)}: apt-get install -y haproxy pgbouncer")
    options = arguments(argv)
    counts = [int(count) for count in options.replicas.split(",")]
    scenarios = options.scenarios.split(",")
    load = Load(options.connections, options.seconds, options.load_core)
    with (
        tempfile.TemporaryDirectory(prefix="items-cluster-bench-") as scratch,
        fresh_database(options.database_url, Path(scratch)) as database_url,
        ExitStack() as stack,
    ):
        clusters = {n: start(stack, database_url, n, Path(scratch) / f"{n}-replicas") for n in counts}
        max_id = fill(database_url, options.rows)
        # Most replicas first: the table's ratios are the first column's to each other one.
        servers = [Server(label(n), clusters[n].url, max_id=max_id) for n in sorted(counts, reverse=True)]
        # One replica without the balancer in front: what HAProxy (and its hop) costs.
        servers.append(Server(DIRECT, clusters[min(counts)].replicas[0].url, max_id=max_id))
        print(f"clusters up: {', '.join(f'{s.name} at {s.url}' for s in servers)}", file=sys.stderr)
        runs = benchmark(servers, scenarios, load, options.repeats, lambda _: None)
    print(f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, python -m cluster.bench {shlex.join(argv)}")
    print(
        f"wrk on core {options.load_core}, {options.connections} connections, {options.repeats} x "
        f"{options.seconds} s, medians (ratios: median of the ratios within each repeat); replicas, "
        f"HAProxy, pgbouncer and PostgreSQL unpinned on {len(os.sched_getaffinity(0))} cores"
    )
    print(table(scenarios, [server.name for server in servers], runs))


if __name__ == "__main__":
    main(sys.argv[1:])
