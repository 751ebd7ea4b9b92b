"""Optional bearer keys (API_KEYS): writes need one; reads too when API_KEYS_FOR_READS is set."""

import logging
from typing import Any

import pytest

from entrypoints.settings import Settings
from tests.support.api import assert_problem
from tests.support.asgi import ClientFactory
from tests.support.builders import batch_body, item_body

KEYS = "first-key, second-key"
# Each write with a body it would accept, so that only the missing key refuses it.
WRITES = [
    ("POST", "/items/", item_body(name="a")),
    ("POST", "/items/batch", batch_body(2)),
    ("PUT", "/items/1", item_body(name="a")),
    ("PATCH", "/items/1", item_body(name="a")),
    ("DELETE", "/items/1", None),
]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize(("method", "url", "body"), WRITES)
@pytest.mark.parametrize(
    "headers", [{}, bearer("wrong"), bearer(""), {"Authorization": "Basic Zmlyc3Qta2V5"}]
)
async def test_a_write_without_a_valid_key_is_401_with_a_challenge(
    client_with: ClientFactory, method: str, url: str, body: Any, headers: dict[str, str]
) -> None:
    async with client_with(api_keys=KEYS) as client:
        response = await client.request(method, url, json=body, headers=headers)
        assert_problem(response, 401)
        assert response.headers["www-authenticate"].startswith('Bearer realm="items"')
        assert (await client.get("/items/")).json() == []


@pytest.mark.parametrize("key", ["first-key", "second-key"])
async def test_any_configured_key_may_write(client_with: ClientFactory, key: str) -> None:
    async with client_with(api_keys=KEYS) as client:
        response = await client.post("/items/", json=item_body(name="a"), headers=bearer(key))
        assert response.status_code == 201


async def test_reads_stay_open_unless_configured(client_with: ClientFactory) -> None:
    async with client_with(api_keys=KEYS) as client:
        assert (await client.get("/items/")).status_code == 200
    async with client_with(api_keys=KEYS, api_keys_for_reads=True) as client:
        assert_problem(await client.get("/items/"), 401)
        assert (await client.get("/items/", headers=bearer("first-key"))).status_code == 200
        assert (await client.get("/openapi.json")).status_code == 200


async def test_the_openapi_document_advertises_the_scheme_on_writes(client_with: ClientFactory) -> None:
    async with client_with(api_keys=KEYS) as client:
        spec = (await client.get("/openapi.json")).json()
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "one of the keys in the API_KEYS setting",
    }
    assert spec["paths"]["/items/"]["post"]["security"] == [{"bearerAuth": []}]
    assert "401" in spec["paths"]["/items/"]["post"]["responses"]
    assert "security" not in spec["paths"]["/items/"]["get"]


async def test_startup_says_whether_the_service_runs_open_and_never_logs_keys(
    client_with: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with client_with() as client:
        await client.get("/items/")
    async with client_with(api_keys=KEYS) as client:
        await client.post("/items/", json=item_body(name="a"), headers=bearer("wrong"))
    messages = " ".join(record.getMessage() for record in caplog.records)
    assert "runs open" in messages
    assert "need a bearer key" in messages
    assert "first-key" not in messages and "wrong" not in messages


def test_settings_do_not_show_keys() -> None:
    assert "first-key" not in repr(Settings(api_keys=KEYS))
