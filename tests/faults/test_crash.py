"""SIGKILL the service under create, PUT, PATCH and delete load, restart it: no acknowledged write is lost."""

import asyncio
import random
from collections.abc import Callable

from tests.support.ledger import Ledger, lost_writes, write
from tests.support.server import ServiceProcess

WRITERS = 8
KINDS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Writes only stop when the service dies; this bounds a round that never gets there.
HANG_GUARD_SECONDS = 120


async def test_acknowledged_writes_survive_repeated_sigkill(
    durable_url: str, fault_rounds: int, fault_report: Callable[[str], None]
) -> None:
    rng = random.Random()
    ledger = Ledger()
    service = ServiceProcess(durable_url)
    service.start()
    try:
        for _ in range(fault_rounds):
            load = asyncio.create_task(write(service.base_url, ledger, WRITERS, rng, HANG_GUARD_SECONDS))
            # The kill comes after a random amount of work (every kind of write done at least once
            # by then), not after a random time: a loaded machine does less in a second.
            await ledger.reaches(ledger.acknowledged + rng.randint(20, 120), KINDS)
            await asyncio.to_thread(service.kill)
            await asyncio.wait_for(load, timeout=HANG_GUARD_SECONDS)
            await asyncio.to_thread(service.start)
            assert await lost_writes(service.base_url, ledger) == []
    finally:
        service.stop()
    assert ledger.unexpected == [] and ledger.refused == 0
    # Every kind of write was acknowledged at least once, so each kind was checked after a kill.
    assert set(ledger.acknowledged_by) == KINDS, ledger.acknowledged_by
    backend = durable_url.partition(":")[0]
    kinds = ", ".join(f"{count} {method}" for method, count in sorted(ledger.acknowledged_by.items()))
    fault_report(
        f"{backend} crash: {fault_rounds} SIGKILLs, {ledger.acknowledged} acknowledged writes checked "
        f"({kinds}), {ledger.unanswered} cut off unanswered, 0 lost"
    )
