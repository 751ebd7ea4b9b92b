"""`python -m cluster start|restart|stop`: what `make cluster`, `cluster-restart` and `cluster-stop` run."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from cluster import ha
from cluster.topology import Cluster, missing_tools

DEFAULT_RUN_DIR = Path(tempfile.gettempdir()) / "items-cluster"
DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/items_cluster"
# Away from the defaults of everything else on a machine (8000, 5432, pgbouncer's 6432).
DEFAULT_PORT = 18080
DEFAULT_PGBOUNCER_PORT = 16432
# The HA database (--ha): HAProxy before the primary, etcd, and per node PostgreSQL and Patroni's API.
DEFAULT_HA_PORT = 15432
DEFAULT_ETCD_PORTS = (12379, 12380)
DEFAULT_HA_NODE_PORTS = [(15433, 18008), (15434, 18009), (15435, 18010)]
HA_DATABASE = "items_cluster"


def start(arguments: argparse.Namespace) -> int:
    if missing := missing_tools():
        print(
            f"the cluster needs {' and '.join(missing)}: apt-get install -y haproxy pgbouncer",
            file=sys.stderr,
        )
        return 1
    if (
        Cluster.load(arguments.run_dir) is not None
        or ha.HaDatabase.load(arguments.run_dir / "ha") is not None
    ):
        print(f"a cluster is already running from {arguments.run_dir}: make cluster-stop", file=sys.stderr)
        return 1
    from cluster.database import ensure_database  # noqa: PLC0415 (asyncpg only where it is needed)

    if arguments.ha:
        if missing := ha.missing_tools():
            print(
                f"--ha needs {' and '.join(missing)}: apt-get install -y patroni etcd-server", file=sys.stderr
            )
            return 1
        database = start_ha(arguments.run_dir / "ha")
        arguments.database_url = database.url.rpartition("/")[0] + f"/{HA_DATABASE}"
    first = arguments.port + 1
    cluster = Cluster(
        database_url=arguments.database_url,
        run_dir=arguments.run_dir,
        port=arguments.port,
        pgbouncer_port=arguments.pgbouncer_port,
        replica_ports=list(range(first, first + arguments.replicas)),
        query_wait_timeout=ha.QUERY_WAIT_TIMEOUT_SECONDS if arguments.ha else Cluster.query_wait_timeout,
    )
    try:
        ensure_database(arguments.database_url)
        cluster.start()
    except BaseException:
        # The HA database started above is stopped too (nothing, without --ha).
        stop_ha(arguments.run_dir / "ha")
        raise
    print(f"load balancer  {cluster.url}  (round robin over {arguments.replicas} replicas)")
    for replica in cluster.replicas:
        print(f"replica {replica.name}     {replica.url}  pid {replica.pid}")
    print(
        f"pgbouncer      127.0.0.1:{cluster.pgbouncer_port}  pid {cluster.pgbouncer_pid}  (transaction mode)"
    )
    print(f"haproxy        pid {cluster.haproxy_pid}, runtime API {cluster.stats_socket}")
    print(f"logs and state {cluster.run_dir}; stop with: make cluster-stop")
    return 0


def start_ha(run_dir: Path) -> ha.HaDatabase:
    etcd_port, etcd_peer_port = DEFAULT_ETCD_PORTS
    database = ha.HaDatabase(
        run_dir=run_dir,
        port=DEFAULT_HA_PORT,
        etcd_port=etcd_port,
        etcd_peer_port=etcd_peer_port,
        node_ports=DEFAULT_HA_NODE_PORTS,
    )
    database.start()
    print(f"postgres (HA)  127.0.0.1:{database.port}  HAProxy pid {database.haproxy_pid}, to the primary")
    for member in database.members():
        node = database.node(member["name"])
        print(
            f"  {node.name} {member['role']:<12} postgres 127.0.0.1:{node.pg_port}  "
            f"patroni {node.api}  pid {node.pid}"
        )
    print(f"  etcd           127.0.0.1:{database.etcd_port}  pid {database.etcd_pid}")
    return database


def stop_ha(run_dir: Path) -> None:
    database = ha.HaDatabase.load(run_dir)
    if database is not None:
        database.stop()
        print(f"stopped the HA database's HAProxy, {len(database.nodes)} Patroni nodes and etcd")


def restart(arguments: argparse.Namespace) -> int:
    cluster = Cluster.load(arguments.run_dir)
    if cluster is None:
        print(f"no cluster is running from {arguments.run_dir}: make cluster", file=sys.stderr)
        return 1
    cluster.rolling_restart(mark=print)
    return 0


def stop(arguments: argparse.Namespace) -> int:
    cluster = Cluster.load(arguments.run_dir)
    if cluster is None:
        print(f"no cluster is running from {arguments.run_dir}")
    else:
        cluster.stop()
        print(f"stopped haproxy, {len(cluster.replicas)} replicas and pgbouncer")
    # After the replicas: the database they used goes last.
    stop_ha(arguments.run_dir / "ha")
    print(f"logs stay in {arguments.run_dir}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m cluster", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--run-dir", type=Path, default=DEFAULT_RUN_DIR, help="configs, logs, process ids")
    commands = parser.add_subparsers(required=True)
    starting = commands.add_parser(
        "start", parents=[common], help="migrate, then start pgbouncer, the replicas, HAProxy"
    )
    starting.add_argument("--replicas", type=int, default=3)
    starting.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="the load balancer's; replicas take the next ones"
    )
    starting.add_argument("--pgbouncer-port", type=int, default=DEFAULT_PGBOUNCER_PORT)
    starting.add_argument(
        "--database-url", default=DEFAULT_DATABASE_URL, help="PostgreSQL itself (created if missing)"
    )
    starting.add_argument(
        "--ha",
        action="store_true",
        help="HA PostgreSQL instead of --database-url: 3 Patroni nodes, etcd, HAProxy to the primary",
    )
    starting.set_defaults(command=start)
    restarting = commands.add_parser(
        "restart", parents=[common], help="rolling restart: one replica at a time, out of rotation first"
    )
    restarting.set_defaults(command=restart)
    stopping = commands.add_parser(
        "stop", parents=[common], help="stop every process the cluster started, by process id"
    )
    stopping.set_defaults(command=stop)
    arguments = parser.parse_args()
    return int(arguments.command(arguments))


if __name__ == "__main__":
    sys.exit(main())
