"""A database restarted while the service sat idle: the first requests afterwards must succeed.

No request meets the outage, so none may pay for it: pooled connections that idled through the
restart are pinged and replaced before use (adapters/sqlalchemy/idle_ping.py).
"""

import asyncio
from collections.abc import Callable

import httpx
import pytest

from adapters.sqlalchemy.idle_ping import IDLE_SECONDS_BEFORE_PING
from tests.support.builders import item_body
from tests.support.postgres_cluster import OwnedCluster
from tests.support.server import ServiceProcess

# Enough to hold several pooled connections at once, all of which the restart cut.
CONCURRENT_READS = 8


@pytest.mark.postgres
@pytest.mark.parametrize("stop_mode", ["fast", "immediate"])
async def test_the_first_requests_after_a_quiet_restart_succeed(
    owned_cluster: OwnedCluster, stop_mode: str, fault_report: Callable[[str], None]
) -> None:
    service = ServiceProcess(owned_cluster.url)
    service.start()
    try:
        async with httpx.AsyncClient(base_url=service.base_url, timeout=10) as client:
            created = await client.post("/items/", json=item_body(name="before the restart"))
            url = f"/items/{created.json()['id']}"
            warm = await asyncio.gather(*(client.get(url) for _ in range(CONCURRENT_READS)))
            assert [answer.status_code for answer in warm] == [200] * CONCURRENT_READS

            await asyncio.to_thread(owned_cluster.stop, stop_mode)
            await asyncio.to_thread(owned_cluster.start)
            # The pooled connections have now idled past the ping threshold, as after any quiet spell.
            await asyncio.sleep(IDLE_SECONDS_BEFORE_PING)

            after = await asyncio.gather(*(client.get(url) for _ in range(CONCURRENT_READS)))
            written = await client.patch(url, json={"description": "after the restart"})
            ready = await client.get("/health/ready")
    finally:
        service.stop()

    assert [answer.status_code for answer in after] == [200] * CONCURRENT_READS
    assert written.status_code == 200 and written.json()["description"] == "after the restart"
    assert ready.status_code == 200
    fault_report(
        f"postgres quiet restart ({stop_mode} stop): the first {CONCURRENT_READS} concurrent reads, "
        "a write and readiness afterwards all succeeded, no service restart"
    )
