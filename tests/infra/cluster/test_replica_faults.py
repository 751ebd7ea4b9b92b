"""Replicas dying and restarting behind HAProxy while clients write through it.

kill -9: HAProxy takes the replica out of rotation; only the requests it had in flight fail (a
502 each, a write left in doubt); every acknowledged write is stored; restarted, it rejoins.
Rolling restart (SIGTERM, one replica at a time, drained first): no request fails at all.
"""

import asyncio
import random
from collections.abc import Callable

import httpx
import pytest

from cluster.topology import Cluster
from tests.support.ledger import Ledger, lost_writes, write
from tests.support.timeline import Answer, Timeline

pytestmark = [pytest.mark.cluster, pytest.mark.postgres]

WRITERS = 8
LOAD_SECONDS_LIMIT = 120.0  # a guard only: the load stops when the faults are done
STEADY_SECONDS = 1.0  # load before the first fault and after the last
# Round robin is shared with the writers' requests, so which replica answers the prober's next one
# is up to how the two interleave: this bounds the search for the rejoined replica (a hang guard),
# it is not the expected count.
REACH_ATTEMPTS = 300


def describe(answer: Answer) -> str:
    return f"{answer.method} {answer.path} -> {answer.status}"


def kinds(ledger: Ledger) -> str:
    return ", ".join(f"{count} {method}" for method, count in sorted(ledger.acknowledged_by.items()))


async def serves_again(cluster: Cluster, name: str) -> int:
    """How many requests through the balancer it took to reach replica `name` (round robin: a few)."""
    async with httpx.AsyncClient(base_url=cluster.url, timeout=10) as client:
        for attempt in range(1, REACH_ATTEMPTS + 1):
            if (await client.get("/items/?limit=1")).headers["x-served-by"] == name:
                return attempt
    raise AssertionError(f"{name} is up in HAProxy but never answered")


async def test_a_replica_killed_under_writes_costs_only_its_in_flight_requests_and_rejoins(
    cluster: Cluster, fault_report: Callable[[str], None]
) -> None:
    ledger, timeline, done = Ledger(through_gateway=True), Timeline(), asyncio.Event()
    victim = cluster.replicas[1]
    load = asyncio.create_task(
        write(cluster.url, ledger, WRITERS, random.Random(), LOAD_SECONDS_LIMIT, timeline, done)
    )
    await asyncio.sleep(STEADY_SECONDS)
    timeline.mark("kill")
    await asyncio.to_thread(cluster.kill_replica, victim)
    timeline.mark("dead")
    await asyncio.to_thread(cluster.wait_for_lb_status, victim, "DOWN")
    timeline.mark("out of rotation")
    await asyncio.to_thread(cluster.start_replica, victim)
    timeline.mark("restarted")
    await asyncio.to_thread(cluster.wait_for_lb_status, victim, "UP")
    timeline.mark("rejoined")
    requests_to_reach_it = await serves_again(cluster, victim.name)
    await asyncio.sleep(STEADY_SECONDS)
    done.set()
    await load
    lost = await lost_writes(cluster.url, ledger)

    assert ledger.unexpected == [] and ledger.refused == 0
    kill, dead = timeline.marks["kill"], timeline.marks["dead"]
    failed = [answer for answer in timeline.answers if not answer.succeeded]
    # Out at some moment of the kill: sent before the process was reaped, answered after the signal
    # was about to go. HAProxy's 502 can reach the client before kill_replica has reaped the child.
    in_flight = [a for a in timeline.answers if a.sent < dead and a.received >= kill]
    # Only what the victim had been sent before it died may fail: answered 502 by HAProxy, or the
    # client's connection closed unanswered (HAProxy's way when it cannot tell whether a write on
    # a reused connection was applied). Each writer has one request out at a time.
    assert [describe(a) for a in failed if a not in in_flight] == []
    assert all(request.extensions["sent_at"] < dead for request in ledger.unanswered_requests)
    assert len(failed) == ledger.gateway_failures
    assert ledger.gateway_failures + ledger.unanswered <= WRITERS
    assert all(answer.succeeded for answer in timeline.sent_between("dead"))
    assert lost == []
    assert ledger.acknowledged > 0 and timeline.sent_between("rejoined")
    marks = {event: timeline.since("kill", moment) for event, moment in timeline.marks.items()}
    fault_report(
        f"cluster kill -9 of {victim.name} ({len(cluster.replicas)} replicas, {WRITERS} writers):\n"
        f"  {len(timeline.answers) + ledger.unanswered} requests; failed: {len(failed)} x 502 and "
        f"{ledger.unanswered} closed unanswered, all in flight at the kill ({len(in_flight)} answered "
        f"requests were); 0 failed after it\n"
        f"  HAProxy had it DOWN {marks['out of rotation']:.2f} s after the kill; restarted at "
        f"{marks['restarted']:.2f} s, UP again at {marks['rejoined']:.2f} s, reached again within "
        f"{requests_to_reach_it} requests\n"
        f"  {ledger.acknowledged} acknowledged writes checked ({kinds(ledger)}), "
        f"{ledger.gateway_failures + ledger.unanswered} left in doubt, lost 0"
    )


async def read(base_url: str, timeline: Timeline, done: asyncio.Event) -> None:
    """A reader beside the writers, so GETs (which HAProxy may retry) are counted too."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30, event_hooks=timeline.event_hooks()) as client:
        while not done.is_set():
            await client.get("/items/", params={"limit": 5, "sort": "-created_at"})


async def test_a_rolling_restart_under_load_fails_no_request(
    cluster: Cluster, fault_report: Callable[[str], None]
) -> None:
    # Not through_gateway: here a 502 is as unexpected as any other failure.
    ledger, timeline, done = Ledger(), Timeline(), asyncio.Event()
    load = asyncio.gather(
        write(cluster.url, ledger, WRITERS, random.Random(), LOAD_SECONDS_LIMIT, timeline, done),
        read(cluster.url, timeline, done),
    )
    await asyncio.sleep(STEADY_SECONDS)
    timeline.mark("rolling restart")
    await asyncio.to_thread(cluster.rolling_restart, timeline.mark)
    timeline.mark("rolled")
    await asyncio.sleep(STEADY_SECONDS)
    done.set()
    await load
    lost = await lost_writes(cluster.url, ledger)

    assert ledger.unexpected == [] and ledger.unanswered == 0 and ledger.refused == 0
    assert [describe(answer) for answer in timeline.answers if not answer.succeeded] == []
    assert lost == []
    during = timeline.sent_between("rolling restart", "rolled")
    assert during and ledger.acknowledged > 0
    steps = "\n".join(
        f"  {event} at {timeline.since('rolling restart', moment):.2f} s"
        for event, moment in timeline.marks.items()
        if event.startswith("r") and event not in ("rolling restart", "rolled")
    )
    fault_report(
        f"cluster rolling restart ({len(cluster.replicas)} replicas, SIGTERM each after a drain, "
        f"{WRITERS} writers and 1 reader through HAProxy):\n{steps}\n"
        f"  {len(timeline.answers)} requests ({len(during)} during the restart), 0 failed\n"
        f"  {ledger.acknowledged} acknowledged writes checked ({kinds(ledger)}), lost 0"
    )
