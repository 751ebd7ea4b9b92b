"""Stop PostgreSQL under load, then start it again.

Meanwhile every request gets a quick 503 problem with Retry-After (no hang, no 500); afterwards
the service recovers by itself, without a restart; and no acknowledged write is lost.
"""

import asyncio
import random
from collections.abc import Callable

import httpx
import pytest

from tests.support.ledger import Ledger, lost_writes, write
from tests.support.postgres_cluster import OwnedCluster
from tests.support.server import ServiceProcess
from tests.support.timeline import Answer, Timeline, first_answer

WRITERS = 8
LOAD_BEFORE_SECONDS = 1.0
OUTAGE_SECONDS = 2.0
LOAD_AFTER_SECONDS = 2.0
PROBE_INTERVAL_SECONDS = 0.02
# A stopped database refuses connections at once, so a request that waits out the connect timeout
# hung on something: the service's timeout is set long, and no answer may come near it (a hang
# guard, not a speed expectation: answers here take milliseconds).
CONNECT_TIMEOUT_SECONDS = 20
POOL_SIZE = 10
# Once one request succeeds again, each stale pooled connection may fail at most one request
# before it is replaced; and the service then stays up: the last answers all succeed.
LAST_ANSWERS = 10


async def probe(base_url: str, timeline: Timeline, done: asyncio.Event) -> None:
    """A reader asking every few milliseconds, so the timeline has a fine grain."""
    async with httpx.AsyncClient(base_url=base_url, timeout=10, event_hooks=timeline.event_hooks()) as client:
        while not done.is_set():
            await client.get("/items/", params={"limit": 1})
            await asyncio.sleep(PROBE_INTERVAL_SECONDS)


async def restart_under_load(
    service: ServiceProcess, cluster: OwnedCluster, stop_mode: str, ledger: Ledger, timeline: Timeline
) -> None:
    done = asyncio.Event()
    seconds = LOAD_BEFORE_SECONDS + OUTAGE_SECONDS + LOAD_AFTER_SECONDS
    load = write(service.base_url, ledger, WRITERS, random.Random(), seconds, timeline)
    writers = asyncio.create_task(load)
    prober = asyncio.create_task(probe(service.base_url, timeline, done))
    await asyncio.sleep(LOAD_BEFORE_SECONDS)
    timeline.mark("stop")
    await asyncio.to_thread(cluster.stop, stop_mode)
    timeline.mark("stopped")
    await asyncio.sleep(OUTAGE_SECONDS)
    timeline.mark("start")
    await asyncio.to_thread(cluster.start)
    timeline.mark("started")
    # Keep probing for a while after the start, however long the writers' fixed load had left.
    await asyncio.sleep(LOAD_AFTER_SECONDS)
    await writers
    done.set()
    await prober


def describe(answer: Answer) -> str:
    return f"{answer.method} {answer.path} -> {answer.status} in {answer.latency:.3f} s"


@pytest.mark.postgres
@pytest.mark.parametrize("stop_mode", ["fast", "immediate"])
async def test_a_database_restart_under_load_gets_quick_503s_then_recovers_losing_nothing(
    owned_cluster: OwnedCluster, stop_mode: str, fault_report: Callable[[str], None]
) -> None:
    ledger, timeline = Ledger(), Timeline()
    settings = {"DB_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT_SECONDS), "DB_POOL_SIZE": str(POOL_SIZE)}
    service = ServiceProcess(owned_cluster.url, extra_env=settings)
    service.start()
    try:
        await restart_under_load(service, owned_cluster, stop_mode, ledger, timeline)
        lost = await lost_writes(service.base_url, ledger)
    finally:
        service.stop()

    assert ledger.unexpected == [] and ledger.unanswered == 0
    assert [describe(a) for a in timeline.answers if not (a.succeeded or a.proper_refusal)] == []

    # Answered while the database was down: sent after it stopped and answered before its start
    # began. (A request the client had queued may reach the service after the start: it may succeed.)
    outage = [a for a in timeline.sent_between("stopped", "start") if a.received < timeline.marks["start"]]
    assert outage and all(answer.proper_refusal for answer in outage)
    slowest = max(answer.latency for answer in outage)
    assert slowest < CONNECT_TIMEOUT_SECONDS / 2, "an answer during the outage waited for a timeout"

    first_refusal = first_answer(timeline.sent_between("stop"), lambda a: a.proper_refusal)
    recovered = first_answer(timeline.sent_between("started"), lambda a: a.succeeded)
    assert first_refusal is not None and recovered is not None
    after = [a for a in timeline.answers if a.sent > recovered.received]
    assert len([a for a in after if not a.succeeded]) <= POOL_SIZE
    assert len(after) >= LAST_ANSWERS and all(a.succeeded for a in after[-LAST_ANSWERS:])

    assert lost == []
    assert ledger.acknowledged > 0 and ledger.refused > 0

    stop_took = timeline.since("stop", timeline.marks["stopped"])
    start_took = timeline.since("start", timeline.marks["started"])
    fault_report(
        f"postgres outage ({stop_mode} stop, {OUTAGE_SECONDS:.0f} s down, {WRITERS} writers + 1 prober):\n"
        f"  first 503 {timeline.since('stop', first_refusal.received):.3f} s after the stop began "
        f"(pg_ctl stop took {stop_took:.3f} s)\n"
        f"  while down: {len(outage)} answers, all 503 problem+json with Retry-After, "
        f"slowest {slowest:.3f} s\n"
        f"  first success {timeline.since('started', recovered.received):.3f} s after the database "
        f"accepted connections again (pg_ctl start took {start_took:.3f} s); no service restart\n"
        f"  {ledger.acknowledged} acknowledged writes checked, {ledger.refused} refused with 503, 0 lost"
    )
