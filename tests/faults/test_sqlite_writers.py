"""Several worker processes writing one SQLite file at once: never a 500, nothing lost."""

import asyncio
import random
from collections.abc import Callable
from pathlib import Path

from tests.support.ledger import Ledger, lost_writes, write
from tests.support.server import ServiceProcess

WRITES = 300
HANG_GUARD_SECONDS = 120


async def test_concurrent_writers_in_several_processes_never_fail(
    tmp_path: Path, fault_report: Callable[[str], None]
) -> None:
    ledger = Ledger()
    service = ServiceProcess(f"sqlite+aiosqlite:///{tmp_path / 'items.db'}", workers=2)
    service.start()
    try:
        # A number of writes, not a number of seconds: a loaded machine does fewer per second.
        done = asyncio.Event()
        load = asyncio.create_task(
            write(service.base_url, ledger, 16, random.Random(), HANG_GUARD_SECONDS, done=done)
        )
        try:
            await ledger.reaches(WRITES)
        finally:
            done.set()
            await load
        assert ledger.unexpected == [] and ledger.refused == 0
        assert ledger.unanswered_creates == set()
        assert await lost_writes(service.base_url, ledger) == []
    finally:
        service.stop()
    assert ledger.acknowledged >= WRITES
    fault_report(f"sqlite, 2 processes, 16 writers: {ledger.acknowledged} acknowledged writes, none failed")
