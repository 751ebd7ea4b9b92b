"""Far more clients than the pool has connections: 503s, then normal service, memory back.

Each request waits at most DB_POOL_TIMEOUT for a connection and is then refused with a 503
problem and Retry-After (checked by counting refusals, not by timing answers); nothing else goes
wrong, nothing acknowledged is lost, the service answers normally once the load is gone, and its
memory returns to where it was.
"""

import asyncio
import random
import re
from collections.abc import Callable

import httpx

from tests.support.builders import item_body
from tests.support.ledger import Ledger, lost_writes, write
from tests.support.server import ServiceProcess
from tests.support.timeline import Timeline

CLIENTS = 200
POOL_SIZE = 2
POOL_TIMEOUT_SECONDS = 0.1
LOAD_SECONDS = 1.0
# Allocator arenas and caches grow during the first (warm-up) overload; after that, another
# overload may not leave the process holding more than this.
RSS_GROWTH_MAX_KIB = 5 * 1024
RSS_SAMPLE_SECONDS = 0.05
# The warm-up overloads go on until the pool has run dry at least once: how many rounds that takes
# depends on the machine's speed (a fast one keeps up longer), so it is a count with a hang guard.
WARM_UP_ROUNDS_MAX = 20


def refusals_counted(metrics: str) -> float:
    """How many 503s the service itself counts having answered, over every method and route."""
    counts = re.findall(r'^http_requests_total\{.*status="503".*\} (\S+)$', metrics, re.MULTILINE)
    return sum(float(count) for count in counts)


async def overload(service: ServiceProcess, ledger: Ledger, timeline: Timeline) -> int:
    """CLIENTS writers at once for LOAD_SECONDS; returns the peak resident memory meanwhile."""
    load = asyncio.create_task(
        write(service.base_url, ledger, CLIENTS, random.Random(), LOAD_SECONDS, timeline)
    )
    peak = service.resident_kib()
    while not load.done():
        peak = max(peak, service.resident_kib())
        await asyncio.sleep(RSS_SAMPLE_SECONDS)
    await load
    return peak


async def serves_normally(base_url: str) -> str:
    """A create, change, delete and read as usual; returns the metrics the service exposes then."""
    async with httpx.AsyncClient(base_url=base_url, timeout=5) as client:
        created = await client.post("/items/", json=item_body(name="after the storm"))
        assert created.status_code == 201, created.text
        url = f"/items/{created.json()['id']}"
        assert (await client.patch(url, json={"description": "calm"})).json()["description"] == "calm"
        assert (await client.delete(url)).status_code == 204
        assert (await client.get(url)).status_code == 404
        return (await client.get("/metrics")).text


async def test_overload_is_refused_quickly_then_served_with_memory_back_to_its_level(
    durable_url: str, fault_rounds: int, fault_report: Callable[[str], None]
) -> None:
    settings = {"DB_POOL_SIZE": str(POOL_SIZE), "DB_POOL_TIMEOUT": str(POOL_TIMEOUT_SECONDS)}
    service = ServiceProcess(durable_url, extra_env=settings)
    ledger, timeline = Ledger(), Timeline()
    service.start()
    try:
        for _ in range(WARM_UP_ROUNDS_MAX):
            await overload(service, ledger, timeline)
            if any(answer.proper_refusal for answer in timeline.answers):
                break
        before = service.resident_kib()
        peak = max([await overload(service, ledger, timeline) for _ in range(fault_rounds)])
        after = service.resident_kib()
        metrics = await serves_normally(service.base_url)
        lost = await lost_writes(service.base_url, ledger)
    finally:
        service.stop()

    assert ledger.unexpected == [] and ledger.unanswered == 0
    assert all(answer.succeeded or answer.proper_refusal for answer in timeline.answers)
    refused = [answer for answer in timeline.answers if answer.proper_refusal]
    assert refused, "the pool never ran dry: no overload was inflicted"
    # The mechanism, not a speed: a request that finds the pool empty waits at most DB_POOL_TIMEOUT
    # and is refused by the service itself (no client gave up waiting: none unanswered above), and
    # every refusal a client saw is one the service counted, a 503 problem with Retry-After.
    assert refusals_counted(metrics) == len(refused)
    assert lost == []
    assert after - before <= RSS_GROWTH_MAX_KIB, (before, peak, after)

    backend = durable_url.partition(":")[0]
    slowest = max(answer.latency for answer in timeline.answers)
    slowest_refusal = max(answer.latency for answer in refused)
    fault_report(
        f"{backend} overload ({fault_rounds} x {LOAD_SECONDS:.0f} s of {CLIENTS} clients, "
        f"pool of {POOL_SIZE}, DB_POOL_TIMEOUT={POOL_TIMEOUT_SECONDS}):\n"
        f"  {len(timeline.answers)} answers: {len(refused)} x 503 problem+json with Retry-After, "
        f"the rest 2xx; slowest 503 {slowest_refusal:.3f} s, slowest answer {slowest:.3f} s end to end\n"
        f"  RSS after a warm-up overload {before / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB, "
        f"after {after / 1024:.1f} MiB; then served normally; "
        f"{ledger.acknowledged} acknowledged writes, 0 lost"
    )
