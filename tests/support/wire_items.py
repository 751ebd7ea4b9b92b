"""Items made and read through the service's own API, around the raw requests under test."""

import httpx

from tests.support.builders import item_body
from tests.support.server import ServiceProcess


def create(service: ServiceProcess, name: str) -> int:
    answer = httpx.post(f"{service.base_url}/items/", json=item_body(name=name), timeout=10)
    assert answer.status_code == 201, answer.text
    item_id: int = answer.json()["id"]
    return item_id


def exists(service: ServiceProcess, item_id: int) -> bool:
    status = httpx.get(f"{service.base_url}/items/{item_id}", timeout=10).status_code
    assert status in (200, 404)
    return status == 200


def named(service: ServiceProcess, query: str) -> list[str]:
    """Names of stored items that contain `query`."""
    answer = httpx.get(f"{service.base_url}/items/", params={"q": query, "limit": 100}, timeout=10)
    assert answer.status_code == 200, answer.text
    return [item["name"] for item in answer.json()]
