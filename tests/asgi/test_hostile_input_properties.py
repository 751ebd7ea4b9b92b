"""Property: whatever arrives (any JSON or bytes as a body, any header values, any path segment,
any query), the answer is never a 5xx; every 4xx is a problem document with no traceback in it;
and a refused request leaves everything stored exactly as it was. In process, on memory and SQLite.
"""

import json
from typing import Any
from urllib.parse import quote, quote_from_bytes

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.support.api import create
from tests.support.builders import LEFT_OUT, item_body

pytestmark = pytest.mark.parametrize("database_url", ["memory", "sqlite"], indirect=True)

# Lone surrogates and NUL included: JSON escapes them, so they reach the service as text.
ANY_CHARACTER = st.characters(exclude_categories=())
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(ANY_CHARACTER, max_size=120),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3),
    max_leaves=8,
)
# Every other field as the builder fills it in.
WELL_FORMED = st.fixed_dictionaries(
    {"name": st.text(min_size=1, max_size=100), "description": st.text(max_size=50) | st.just(LEFT_OUT)}
).map(lambda fields: item_body(**fields))
ITEM_LIKE = st.fixed_dictionaries(
    {},
    optional={
        "name": st.text(max_size=110) | st.text(ANY_CHARACTER, max_size=110) | JSON_VALUES,
        "description": st.text(max_size=50) | st.text(ANY_CHARACTER, max_size=50) | JSON_VALUES,
        "version": JSON_VALUES,
        "id": JSON_VALUES,
    },
)
# A batch's body: a few items, well formed or not.
BATCH_LIKE = st.lists(WELL_FORMED | ITEM_LIKE, max_size=3)
BODIES = (
    st.none()
    | (WELL_FORMED | ITEM_LIKE | BATCH_LIKE | JSON_VALUES).map(lambda value: json.dumps(value).encode())
    | st.binary(max_size=300)
)
HEADER_VALUES = st.sampled_from([b"*", b'"1.1"', b'W/"1.1"', b'"1.1", "2.7"', b""]) | st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=80
).map(lambda text: text.encode("latin-1"))
HEADERS = st.dictionaries(
    st.sampled_from(
        [b"If-Match", b"If-None-Match", b"Idempotency-Key", b"Content-Type", b"Authorization", b"Accept"]
    ),
    HEADER_VALUES | st.sampled_from([b"application/json", b"application/merge-patch+json", b"text/plain"]),
    max_size=4,
)
QUERIES = st.lists(
    st.tuples(
        st.sampled_from(["skip", "limit", "sort", "q", "cursor", "id"]) | st.text(max_size=6).map(quote),
        st.sampled_from(["0", "1", "100", "101", "-1", "name", "-id", "9" * 25]) | st.binary(max_size=40),
    ),
    max_size=4,
).map(
    lambda pairs: "&".join(
        f"{key}={value if isinstance(value, str) else quote_from_bytes(value)}" for key, value in pairs
    )
)
METHODS = st.sampled_from(["POST", "PUT", "PATCH", "GET", "DELETE"])
# Too few items and PUT, PATCH and DELETE would only ever meet 404s; too many and each look is slow.
STORE_SIZES = range(3, 13)


async def stored(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Everything stored, after topping the store up to, or trimming it to, a handful of items."""
    items: list[dict[str, Any]] = (await client.get("/items/?limit=100")).json()
    while len(items) < STORE_SIZES.start:
        items.append(await create(client, name=f"seed {len(items)}"))
    for extra in items[STORE_SIZES.stop - 1 :]:
        assert (await client.delete(f"/items/{extra['id']}")).status_code == 204
    return items[: STORE_SIZES.stop - 1]


def target(data: st.DataObject, items: list[dict[str, Any]]) -> str:
    """A stored item's id, any integer, or any bytes at all, as the path segment after /items/."""
    # Drawn by position, not from the ids themselves: what is drawn must not depend on the store.
    segment = data.draw(
        st.integers(0, STORE_SIZES.start - 1).map(lambda index: str(items[index]["id"]))
        | st.integers().map(str)
        | st.binary(max_size=30).map(lambda raw: quote_from_bytes(raw, safe=""))
    )
    return f"/items/{segment}"


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # one store, checked per example
@given(method=METHODS, body=BODIES, headers=HEADERS, query=QUERIES, data=st.data())
async def test_any_request_gets_a_proper_answer_and_a_refusal_changes_nothing(
    client: httpx.AsyncClient,
    method: str,
    body: bytes | None,
    headers: dict[bytes, bytes],
    query: str,
    data: st.DataObject,
) -> None:
    before = await stored(client)
    if method == "POST":
        path = data.draw(st.sampled_from(["/items/", "/items/batch"]))
    elif method == "GET" and data.draw(st.booleans()):
        path = "/items/"
    else:
        path = target(data, before)
    # JSON unless the drawn headers say otherwise, so bodies get past the media type check.
    headers = {b"Content-Type": b"application/json", **headers}
    response = await client.request(method, f"{path}?{query}", content=body, headers=headers)
    # --hypothesis-show-statistics shows how the answers spread, so a run that only ever met
    # one kind of refusal is visible.
    event(f"{method} {response.status_code}")

    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json", response.text
        assert response.json()["status"] == response.status_code
        assert "Traceback" not in response.text and 'File "' not in response.text
    if response.status_code >= 300:
        assert (await client.get("/items/?limit=100")).json() == before
