"""SIGKILL the service under create, PUT, PATCH and delete load, restart it: no acknowledged write is lost."""

import asyncio
import random
from collections.abc import Callable

from tests.support.ledger import Ledger, lost_writes, write
from tests.support.server import ServiceProcess

WRITERS = 8


async def test_acknowledged_writes_survive_repeated_sigkill(
    durable_url: str, fault_rounds: int, fault_report: Callable[[str], None]
) -> None:
    rng = random.Random()
    ledger = Ledger()
    service = ServiceProcess(durable_url)
    service.start()
    try:
        for _ in range(fault_rounds):
            load = asyncio.create_task(write(service.base_url, ledger, WRITERS, rng, seconds=30))
            await asyncio.sleep(rng.uniform(0.3, 1.5))
            await asyncio.to_thread(service.kill)
            await asyncio.wait_for(load, timeout=15)
            await asyncio.to_thread(service.start)
            assert await lost_writes(service.base_url, ledger) == []
    finally:
        service.stop()
    assert ledger.unexpected == [] and ledger.refused == 0
    # Every kind of write was acknowledged at least once, so each kind was checked after a kill.
    assert set(ledger.acknowledged_by) == {"POST", "PUT", "PATCH", "DELETE"}, ledger.acknowledged_by
    backend = durable_url.partition(":")[0]
    kinds = ", ".join(f"{count} {method}" for method, count in sorted(ledger.acknowledged_by.items()))
    fault_report(
        f"{backend} crash: {fault_rounds} SIGKILLs, {ledger.acknowledged} acknowledged writes checked "
        f"({kinds}), {ledger.unanswered} cut off unanswered, 0 lost"
    )
