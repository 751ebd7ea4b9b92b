"""The REST contract against the container, on SQLite (a named volume) and on the host's PostgreSQL.

Deployed as the docs say: a read-only root file system; on PostgreSQL the migration job first, then
the service. The secrets come by environment, as users give them: API_KEYS makes writes need a key,
CURSOR_SECRET signs the cursors that pages link to.
"""

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.support.builders import item_body
from tests.support.container import (
    BuiltImage,
    Service,
    host_network_service,
    named_volume,
    published_service,
    run_once,
    wait_until_answering,
)
from tests.support.databases import own_database

pytestmark = pytest.mark.container

KEY = "container-test-key"
SECRETS = {"API_KEYS": KEY, "CURSOR_SECRET": "container-test-cursor-secret"}
NEXT = re.compile(r'^<([^>]+)>; rel="next"$')


def _on_sqlite(image: BuiltImage) -> Iterator[Service]:
    with named_volume() as volume:
        service = published_service(image.id, "--read-only", f"--volume={volume}:/data", env=SECRETS)
        try:
            wait_until_answering(service.container, f"{service.url}/health/ready")
            yield service
        finally:
            service.container.remove()


def _on_postgres(
    image: BuiltImage, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    for database_url in own_database("postgres", "container", request, tmp_path_factory):
        database = {"DATABASE_URL": database_url}
        migration = run_once(
            image.id, "--network=host", "--read-only", env=database, command=("migrate", "upgrade")
        )
        assert migration.returncode == 0, migration.stderr
        service = host_network_service(image.id, "--read-only", env={**database, **SECRETS})
        try:
            wait_until_answering(service.container, f"{service.url}/health/ready")
            yield service
        finally:
            service.container.remove()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def service(
    request: pytest.FixtureRequest, image: BuiltImage, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    if request.param == "sqlite":
        yield from _on_sqlite(image)
    else:
        yield from _on_postgres(image, request, tmp_path_factory)


@pytest.fixture
def client(service: Service) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=service.url, timeout=30, headers={"Authorization": f"Bearer {KEY}"}) as client:
        yield client


def test_an_item_is_created_read_replaced_patched_and_deleted(client: httpx.Client) -> None:
    created = client.post("/items/", json=item_body(name="Teapot", description="stout"))
    assert created.status_code == 201, created.text
    url = created.headers["location"]
    read = client.get(url)
    replaced = client.put(url, json=item_body(name="Kettle"), headers={"If-Match": created.headers["etag"]})
    stale = client.patch(url, json={"description": "tall"}, headers={"If-Match": created.headers["etag"]})
    patched = client.patch(url, json={"description": "tall"}, headers={"If-Match": replaced.headers["etag"]})
    deleted = client.delete(url, headers={"If-Match": patched.headers["etag"]})
    gone = client.get(url)
    assert read.status_code == 200 and read.json() == created.json()
    assert replaced.status_code == 200 and replaced.json()["version"] == 2
    assert stale.status_code == 412
    assert patched.status_code == 200 and (patched.json()["name"], patched.json()["description"]) == (
        "Kettle",
        "tall",
    )
    assert deleted.status_code == 204
    assert gone.status_code == 404 and gone.headers["content-type"] == "application/problem+json"


def test_a_write_without_one_of_the_api_keys_is_refused_and_a_read_is_not(service: Service) -> None:
    with httpx.Client(base_url=service.url, timeout=30) as anonymous:
        write = anonymous.post("/items/", json=item_body(name="Uninvited"))
        read = anonymous.get("/items/", params={"limit": 1})
    assert write.status_code == 401 and write.headers["content-type"] == "application/problem+json"
    assert read.status_code == 200


def test_pages_linked_by_signed_cursors_list_every_item_once(client: httpx.Client) -> None:
    ids = [client.post("/items/", json=item_body(name=f"paged {n}")).json()["id"] for n in range(5)]
    seen: list[int] = []
    page = client.get("/items/", params={"limit": 2, "q": "paged"})
    # At most a page per item: a guard against a cursor that never ends.
    for _ in ids:
        assert page.status_code == 200, page.text
        seen += [item["id"] for item in page.json()]
        if "link" not in page.headers:
            break
        page = client.get(NEXT.match(page.headers["link"]).group(1))  # type: ignore[union-attr]
    assert sorted(seen) == sorted(ids)
    assert "link" not in page.headers
