"""pgbouncer in transaction mode between the replicas and PostgreSQL, with DB_STATEMENT_CACHE=false.

A transaction-mode pooler hands each transaction whichever server connection is free, so any
statement the driver prepared on one may meet another client's statement of the same name there
("prepared statement ... already exists") or be missing ("does not exist"). Every kind of request,
concurrently over the three replicas, through four server connections: never a 5xx.
"""

import asyncio
import random
from collections import Counter
from collections.abc import Callable
from contextlib import AsyncExitStack

import httpx
import pytest

from cluster.topology import Cluster
from tests.support.api import follow
from tests.support.builders import item_body
from tests.support.load_balancer import SERVER_POOL_SIZE

pytestmark = [pytest.mark.cluster, pytest.mark.postgres]

CLIENTS = 40
ROUNDS = 5


def pgbouncer_rows(cluster: Cluster, command: str) -> list[dict[str, str]]:
    answer = cluster.pgbouncer(command)
    assert answer is not None, f"pgbouncer did not answer {command}"
    header, *rows = answer.splitlines()[:-1]  # the last line counts the rows
    return [dict(zip(header.split("|"), row.split("|"), strict=True)) for row in rows]


async def every_kind_of_request(client: httpx.AsyncClient, n: int, rng: random.Random) -> list[int]:
    """Creates (keyed and not), reads, conditional reads, listings and cursor walks, changes,
    deletes and readiness: each a different statement, prepared by the driver on some connection."""
    statuses = []
    created = await client.post("/items/", json=item_body(name=f"pooled {n}"))
    keyed = await client.post(
        "/items/", json=item_body(name=f"keyed {n}"), headers={"Idempotency-Key": f"k{n}"}
    )
    again = await client.post(
        "/items/", json=item_body(name=f"keyed {n}"), headers={"Idempotency-Key": f"k{n}"}
    )
    statuses += [created.status_code, keyed.status_code, again.status_code]
    assert created.status_code == keyed.status_code == 201, (created.text, keyed.text)
    url = created.headers["location"]
    read = await client.get(url)
    statuses += [
        read.status_code,
        (await client.get(url, headers={"If-None-Match": read.headers["etag"]})).status_code,
    ]
    sort = rng.choice(["id", "-id", "created_at", "-created_at", "name", "-name"])
    statuses.append(
        (await client.get("/items/", params={"limit": 5, "sort": sort, "q": "pooled"})).status_code
    )
    statuses.append((await client.get("/items/", params={"skip": rng.randrange(50), "limit": 3})).status_code)
    walked, _ = await follow(client, f"/items/?limit=20&sort={sort}")
    statuses.append(200 if walked else 0)
    statuses.append((await client.put(url, json=item_body(name=f"replaced {n}"))).status_code)
    statuses.append(
        (await client.patch(url, json={"description": "patched"}, headers={"If-Match": "*"})).status_code
    )
    statuses.append((await client.delete(keyed.headers["location"])).status_code)
    statuses.append((await client.get("/health/ready")).status_code)
    return statuses


async def test_every_kind_of_request_under_concurrency_through_transaction_mode_pgbouncer(
    shared_cluster: Cluster, fault_report: Callable[[str], None]
) -> None:
    (mode,) = [
        row["value"] for row in pgbouncer_rows(shared_cluster, "SHOW CONFIG") if row["key"] == "pool_mode"
    ]
    assert mode == "transaction"
    rng = random.Random()
    seen: Counter[int] = Counter()
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=shared_cluster.url, timeout=30))
            for _ in range(CLIENTS)
        ]
        for round_ in range(ROUNDS):
            answers = await asyncio.gather(
                *(
                    every_kind_of_request(client, round_ * CLIENTS + n, rng)
                    for n, client in enumerate(clients)
                )
            )
            seen.update(status for statuses in answers for status in statuses)
    assert set(seen) <= {200, 201, 204, 304}, seen
    for replica in shared_cluster.replicas:
        assert "prepared statement" not in shared_cluster.log(replica.name), replica.name
    database = shared_cluster.database_url.rpartition("/")[2]
    servers = [row for row in pgbouncer_rows(shared_cluster, "SHOW SERVERS") if row["database"] == database]
    clients_now = [
        row for row in pgbouncer_rows(shared_cluster, "SHOW CLIENTS") if row["database"] == database
    ]
    # More replica connections than PostgreSQL connections: the pooler really did share them.
    assert len(servers) <= SERVER_POOL_SIZE < len(clients_now)
    fault_report(
        f"cluster pgbouncer (transaction mode, DB_STATEMENT_CACHE=false): {sum(seen.values())} requests "
        f"from {CLIENTS} clients over {len(shared_cluster.replicas)} replicas, {len(clients_now)} replica "
        f"connections sharing {len(servers)} PostgreSQL connections; no 5xx, no prepared-statement error"
    )
