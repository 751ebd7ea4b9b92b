"""CORS_ORIGINS: browsers on the listed origins may call the API; unset, no CORS header at all."""

import httpx
import pytest
from pydantic import ValidationError

from entrypoints.api.cors import EXPOSED_HEADERS, REQUEST_HEADERS
from entrypoints.settings import Settings
from tests.support.asgi import ClientFactory, app_of
from tests.support.builders import item_body

ALLOWED = "https://app.example.com"
OTHER_ALLOWED = "http://localhost:5173"
ORIGINS = f"{ALLOWED}, {OTHER_ALLOWED}"
DISALLOWED = "https://evil.example.net"


@pytest.fixture
def database_url() -> str:
    """CORS does not touch the store: the memory one is enough."""
    return "memory://"


def _preflight(origin: str, method: str, headers: str = "") -> dict[str, str]:
    asked = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        asked["Access-Control-Request-Headers"] = headers
    return asked


def _listed(value: str | None) -> set[str]:
    return {entry.strip().lower() for entry in (value or "").split(",") if entry.strip()}


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
async def test_preflight_allows_the_methods_and_headers_the_api_uses(
    client_with: ClientFactory, method: str
) -> None:
    asked = ", ".join(REQUEST_HEADERS)
    async with client_with(cors_origins=ORIGINS) as client:
        response = await client.options("/items/1", headers=_preflight(ALLOWED, method, asked))
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert method.lower() in _listed(response.headers["access-control-allow-methods"])
    assert _listed(asked) <= _listed(response.headers["access-control-allow-headers"])
    assert int(response.headers["access-control-max-age"]) > 0
    assert "origin" in _listed(response.headers["vary"])


async def test_preflight_needs_no_key_even_when_reads_do(client_with: ClientFactory) -> None:
    """A browser sends a preflight without Authorization: it must not be refused with a 401."""
    async with client_with(cors_origins=ALLOWED, api_keys="secret", api_keys_for_reads=True) as client:
        preflight = _preflight(ALLOWED, "DELETE", "authorization, if-match")
        response = await client.options("/items/1", headers=preflight)
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == ALLOWED
        refused = await client.delete("/items/1", headers={"Origin": ALLOWED})
        # The 401 itself is readable by the page, so it can ask for a key.
        assert refused.status_code == 401
        assert refused.headers["access-control-allow-origin"] == ALLOWED


async def test_preflight_from_a_disallowed_origin_is_a_problem(client_with: ClientFactory) -> None:
    async with client_with(cors_origins=ORIGINS) as client:
        response = await client.options("/items/", headers=_preflight(DISALLOWED, "POST", "content-type"))
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "origin" in response.json()["detail"]
    assert "access-control-allow-origin" not in response.headers


async def test_preflight_for_a_header_the_api_does_not_read_is_refused(client_with: ClientFactory) -> None:
    async with client_with(cors_origins=ORIGINS) as client:
        response = await client.options("/items/", headers=_preflight(ALLOWED, "POST", "x-something-else"))
    assert response.status_code == 400
    assert "headers" in response.json()["detail"]


async def test_allowed_origin_may_read_the_answer_and_its_headers(client_with: ClientFactory) -> None:
    async with client_with(cors_origins=ORIGINS) as client:
        created = await client.post(
            "/items/", json=item_body(name="Teapot"), headers={"Origin": OTHER_ALLOWED}
        )
    assert created.status_code == 201
    assert created.headers["access-control-allow-origin"] == OTHER_ALLOWED
    assert _listed(created.headers["access-control-expose-headers"]) == _listed(", ".join(EXPOSED_HEADERS))
    assert "origin" in _listed(created.headers["vary"])
    assert "access-control-allow-credentials" not in created.headers


async def test_disallowed_origin_gets_no_permission(client_with: ClientFactory) -> None:
    async with client_with(cors_origins=ORIGINS) as client:
        response = await client.get("/items/", headers={"Origin": DISALLOWED})
    # Served as to any client; only the browser, finding no permission, hides it from the page.
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/items/", b"x" * 70_000, 413),
        ("POST", "/items/", b"name=Teapot", 415),
        ("GET", "/items/999", b"", 404),
    ],
)
async def test_refusals_from_inside_carry_cors_headers(
    client_with: ClientFactory, method: str, path: str, body: bytes, status: int
) -> None:
    headers = {"Origin": ALLOWED, "Content-Type": "application/x-www-form-urlencoded"}
    async with client_with(cors_origins=ALLOWED) as client:
        response = await client.request(method, path, content=body, headers=headers)
    assert response.status_code == status
    assert response.headers["access-control-allow-origin"] == ALLOWED


async def test_even_a_500_carries_cors_headers(client_with: ClientFactory) -> None:
    """So a page can show the request id of a failure (Starlette's last-resort handler is inside)."""
    async with client_with(cors_origins=ALLOWED) as client:
        app = app_of(client)

        @app.get("/boom")
        async def boom() -> None:
            raise RuntimeError("internals")

        response = await client.get("/boom", headers={"Origin": ALLOWED})
    assert response.status_code == 500
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "x-request-id" in _listed(response.headers["access-control-expose-headers"])


async def test_any_origin_with_a_star(client_with: ClientFactory) -> None:
    async with client_with(cors_origins="*") as client:
        response = await client.get("/items/", headers={"Origin": DISALLOWED})
        preflight = await client.options("/items/", headers=_preflight(DISALLOWED, "POST", "idempotency-key"))
    assert response.headers["access-control-allow-origin"] == "*"
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"


async def test_unset_means_no_cors_headers_at_all(client: httpx.AsyncClient) -> None:
    response = await client.get("/items/", headers={"Origin": ALLOWED})
    preflight = await client.options("/items/", headers=_preflight(ALLOWED, "POST", "content-type"))
    for answer in (response, preflight):
        assert not [name for name in answer.headers if name.startswith("access-control-")]
    # No CORS: an OPTIONS request is what it was before, a method /items/ does not answer.
    assert preflight.status_code == 405


@pytest.mark.parametrize("origins", ["https://app.example.com/", "app.example.com", "https://a.example/path"])
def test_an_origin_that_no_browser_sends_is_refused_at_start(origins: str) -> None:
    with pytest.raises(ValidationError, match="CORS_ORIGINS"):
        Settings(database_url="memory://", cors_origins=origins)
