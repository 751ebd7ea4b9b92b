"""`items list` pages as GET /items/ does, on the same database: the same sort tokens, search,
cursors (one codec: a cursor of either continues in the other) and bounds (what the API refuses with
a 4xx, the command refuses with exit 4, naming the same parameter)."""

import asyncio
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from domain.listing import SORT_TOKENS
from entrypoints.api.app import create_app
from entrypoints.cli.exit_codes import ExitCode
from entrypoints.container import Container
from entrypoints.settings import Settings
from tests.support.asgi import running
from tests.support.cli import Items, items_env
from tests.support.databases import in_store, own_database
from tests.support.stores import fill

PAGE = 5
NEXT = "next cursor: "


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def listed_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of the module's own, holding the listing contract's items (ties, case, non-ASCII)."""
    for url in own_database(request.param, "listed", request, tmp_path_factory):
        in_store(url, fill)
        yield url


@pytest.fixture
def items(listed_url: str) -> Items:
    return Items(items_env(listed_url))


def api_get(database_url: str, query: dict[str, Any], *, follow: bool = False) -> tuple[int, Any, str | None]:
    """GET /items/ of the app in this process on the database: status, body and the next cursor;
    `follow`: every page's items, by the Link headers."""

    async def get() -> tuple[int, Any, str | None]:
        async with running(
            create_app(container=Container(settings=Settings(database_url=database_url)))
        ) as client:
            answer = await client.get(f"/items/?{urlencode(query)}")
            body = answer.json()
            while follow and "next" in answer.links:
                answer = await client.get(answer.links["next"]["url"])
                body += answer.json()
            cursor = answer.links.get("next", {}).get("url", "").partition("cursor=")[2] or None
            return answer.status_code, body, cursor

    return asyncio.run(get())


def options(query: dict[str, Any]) -> list[str]:
    return [part for name, value in query.items() for part in (f"--{name}", str(value))]


def next_cursor(stderr: str) -> str | None:
    return next((line.removeprefix(NEXT) for line in stderr.splitlines() if line.startswith(NEXT)), None)


@pytest.mark.parametrize("q", [None, "a"])
@pytest.mark.parametrize("sort", SORT_TOKENS)
def test_all_lists_every_page_as_the_api_pages_it(
    items: Items, listed_url: str, sort: str, q: str | None
) -> None:
    query = {"limit": PAGE, "sort": sort, **({"q": q} if q else {})}
    listed = items("list", "--all", *options(query), "-o", "json")
    assert listed.exit_code == ExitCode.OK, listed.stderr
    assert json.loads(listed.stdout) == api_get(listed_url, query, follow=True)[1]
    assert next_cursor(listed.stderr) is None


def test_cursor_pages_follow_one_another_to_the_end(items: Items) -> None:
    query = {"limit": PAGE, "sort": "-name", "q": "a"}
    pages, cursor = [], None
    while True:
        page = items("list", *options(query), *(["--cursor", cursor] if cursor else []), "-o", "json")
        assert page.exit_code == ExitCode.OK, page.stderr
        pages += json.loads(page.stdout)
        if (cursor := next_cursor(page.stderr)) is None:
            break
    assert pages == json.loads(items("list", "--all", *options(query), "-o", "json").stdout)


def test_a_cursor_the_api_issued_continues_in_the_command(items: Items, listed_url: str) -> None:
    query = {"limit": PAGE, "sort": "name"}
    _, _, cursor = api_get(listed_url, query)
    assert cursor is not None
    _, following, _ = api_get(listed_url, {**query, "cursor": cursor})
    continued = items("list", *options(query), "--cursor", cursor, "-o", "json")
    assert json.loads(continued.stdout) == following


def test_all_as_a_table_has_one_header_and_a_row_per_item(items: Items) -> None:
    table = items("list", "--all", "--limit", str(PAGE)).stdout.splitlines()
    assert [line.split()[0] for line in table] == ["id", *(str(n) for n in range(1, len(table)))]
    assert len(table) == 1 + len(json.loads(items("list", "--all", "-o", "json").stdout))


@pytest.mark.parametrize(
    "query",
    [
        {"limit": 0},
        {"limit": 101},
        {"skip": -1},
        {"sort": "price"},
        {"q": ""},
        {"q": "x" * 101},
        {"cursor": "not-a-cursor"},
        {"skip": 1, "cursor": "from the api"},
        {"sort": "-id", "cursor": "from the api"},
    ],
)
def test_what_the_api_refuses_the_command_refuses_with_exit_4(
    items: Items, listed_url: str, query: dict[str, Any]
) -> None:
    if query.get("cursor") == "from the api":
        query["cursor"] = api_get(listed_url, {"limit": PAGE})[2]
    status, problem, _ = api_get(listed_url, query)
    refused = items("list", *options(query))
    assert status in (400, 422)
    assert refused.exit_code == ExitCode.INVALID_INPUT
    (line,) = refused.stderr.splitlines()
    if problem["detail"].startswith("Invalid request"):
        # The API's schema refused it first, in pydantic's words; the command names the same parameter.
        assert line.startswith(f"error: {problem['errors'][0]['loc'][-1]}: "), (line, problem)
    else:
        assert line == f"error: {problem['detail']}"
