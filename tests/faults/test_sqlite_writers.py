"""Several worker processes writing one SQLite file at once: never a 500, nothing lost."""

import random
from collections.abc import Callable
from pathlib import Path

from tests.support.ledger import Ledger, lost_writes, write
from tests.support.server import ServiceProcess


async def test_concurrent_writers_in_several_processes_never_fail(
    tmp_path: Path, fault_report: Callable[[str], None]
) -> None:
    ledger = Ledger()
    service = ServiceProcess(f"sqlite+aiosqlite:///{tmp_path / 'items.db'}", workers=2)
    service.start()
    try:
        await write(service.base_url, ledger, writers=16, rng=random.Random(), seconds=3)
        assert ledger.unexpected == [] and ledger.refused == 0
        assert ledger.unanswered_creates == set()
        assert await lost_writes(service.base_url, ledger) == []
    finally:
        service.stop()
    assert ledger.acknowledged > 100
    fault_report(f"sqlite, 2 processes, 16 writers: {ledger.acknowledged} acknowledged writes, none failed")
