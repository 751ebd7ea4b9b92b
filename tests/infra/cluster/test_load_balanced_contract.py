"""The REST contract through HAProxy over three replicas: any replica answers for any other.

`X-Served-By` (set by HAProxy, see cluster/haproxy.cfg) names the replica that answered, so each
test shows its requests really reached different replicas.
"""

import itertools

import httpx
import pytest

from cluster.topology import Cluster
from tests.support.api import NEXT, create
from tests.support.builders import item_body
from tests.support.contention import (
    last_writer_wins,
    one_winner_per_version,
    race_one_if_match,
    spread_clients,
)

pytestmark = [pytest.mark.cluster, pytest.mark.postgres]

CONTENDERS = 30


def served_by(response: httpx.Response) -> str:
    return response.headers["x-served-by"]


async def test_an_item_created_on_one_replica_is_read_changed_and_deleted_on_others(
    shared_cluster: Cluster,
) -> None:
    async with httpx.AsyncClient(base_url=shared_cluster.url, timeout=10) as client:
        created = await client.post("/items/", json=item_body(name="Teapot", description="stout"))
        assert created.status_code == 201, created.text
        url = created.headers["location"]
        read = await client.get(url)
        replaced = await client.put(
            url, json=item_body(name="Kettle"), headers={"If-Match": created.headers["etag"]}
        )
        patched = await client.patch(
            url, json={"description": "tall"}, headers={"If-Match": replaced.headers["etag"]}
        )
        deleted = await client.delete(url, headers={"If-Match": patched.headers["etag"]})
        gone = await client.get(url)
    assert read.status_code == 200 and read.json() == created.json()
    assert replaced.status_code == 200 and replaced.json()["version"] == 2
    assert patched.status_code == 200 and patched.json() | {"updated_at": None} == replaced.json() | {
        "description": "tall", "version": 3, "updated_at": None,
    }  # fmt: skip
    assert deleted.status_code == 204 and gone.status_code == 404
    # Round robin: each step after the create was answered by another replica than the one before.
    steps = [created, read, replaced, patched, deleted, gone]
    names = [served_by(response) for response in steps]
    assert all(a != b for a, b in itertools.pairwise(names)), names
    assert set(names) == {replica.name for replica in shared_cluster.replicas}


async def test_a_cursor_issued_by_one_replica_is_accepted_by_every_other(shared_cluster: Cluster) -> None:
    async with httpx.AsyncClient(base_url=shared_cluster.url, timeout=10) as client:
        ids = [(await create(client, name=f"paged {n}"))["id"] for n in range(6)]
        first = await client.get("/items/", params={"limit": 3, "sort": "-created_at", "q": "paged"})
        assert first.status_code == 200
        next_page = NEXT.match(first.headers["link"]).group(1)  # type: ignore[union-attr]
    issuer = served_by(first)
    # Straight to each replica, the issuer too, bypassing the balancer's choice.
    for replica in shared_cluster.replicas:
        async with httpx.AsyncClient(base_url=replica.url, timeout=10) as direct:
            page = await direct.get(next_page)
        assert page.status_code == 200, f"{replica.name} refused {issuer}'s cursor: {page.text}"
        assert [item["id"] for item in page.json()] == sorted(ids, reverse=True)[3:], replica.name
        assert "link" not in page.headers


async def test_an_idempotency_key_retried_on_another_replica_replays_the_first_answer(
    shared_cluster: Cluster,
) -> None:
    headers = {"Idempotency-Key": "cluster-retry-1"}
    body = item_body(name="once", description="only")
    async with httpx.AsyncClient(base_url=shared_cluster.url, timeout=10) as client:
        answers = [await client.post("/items/", json=body, headers=headers) for _ in shared_cluster.replicas]
        named = (await client.get("/items/", params={"q": "once", "limit": 100})).json()
    assert {served_by(answer) for answer in answers} == {replica.name for replica in shared_cluster.replicas}
    assert [answer.status_code for answer in answers] == [201] * len(answers)
    first = answers[0]
    for retry in answers[1:]:
        assert retry.json() == first.json()
        assert retry.headers["location"] == first.headers["location"]
        assert retry.headers["etag"] == first.headers["etag"]
    assert [item["id"] for item in named] == [first.json()["id"]]


async def test_of_concurrent_changes_with_one_if_match_across_replicas_exactly_one_wins(
    shared_cluster: Cluster,
) -> None:
    # A connection each, so HAProxy spreads them over the replicas.
    async with spread_clients([shared_cluster.url], CONTENDERS) as contenders:
        for method in ("PUT", "PATCH"):
            answers = await race_one_if_match(contenders, method)
            assert {served_by(answer) for answer in answers} == {r.name for r in shared_cluster.replicas}


async def test_unconditional_writes_through_the_balancer_are_never_refused(
    shared_cluster: Cluster,
) -> None:
    await last_writer_wins([shared_cluster.url])


async def test_conditional_writes_through_the_balancer_have_one_winner_per_version(
    shared_cluster: Cluster,
) -> None:
    await one_winner_per_version([shared_cluster.url])
