"""Probes: live says the process is up; ready says whether the store can serve, and why not."""

import time
from pathlib import Path

import httpx
import pytest

from adapters.sqlalchemy import migrator
from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.migrator import SchemaNotCurrent
from bench.service import free_port
from entrypoints.api.app import create_app
from entrypoints.settings import Settings
from tests.support.asgi import running
from tests.support.builders import item_body


def _sqlite(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'items.db'}"


async def test_live_answers_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_ready_answers_ok_when_the_store_is_at_head(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_ready_is_a_503_problem_saying_to_migrate_when_the_schema_falls_behind(tmp_path: Path) -> None:
    url = _sqlite(tmp_path)
    async with running(create_app(Settings(database_url=url))) as client:
        engine = create_engine(url)
        await migrator.downgrade(engine, "base")
        await engine.dispose()
        response = await client.get("/health/ready")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"]
    assert "run `items migrate upgrade`" in response.json()["detail"]


async def test_ready_is_a_503_within_its_timeout_when_the_database_is_unreachable() -> None:
    settings = Settings(
        database_url=f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/none", ready_timeout=1
    )
    async with running(create_app(settings)) as client:
        started = time.monotonic()
        response = await client.get("/health/ready")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "unreachable" in response.json()["detail"]
    assert elapsed < 2


async def test_start_up_refuses_a_schema_behind_when_not_allowed_to_migrate(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=_sqlite(tmp_path), migrate_on_start=False))
    with pytest.raises(SchemaNotCurrent, match="items migrate upgrade"):
        async with running(app):
            pass


async def test_the_embedded_sqlite_default_migrates_itself_on_start(tmp_path: Path) -> None:
    async with running(create_app(Settings(database_url=_sqlite(tmp_path)))) as client:
        assert (await client.get("/health/ready")).status_code == 200
        assert (await client.post("/items/", json=item_body(name="Teapot"))).status_code == 201


async def test_probes_and_metrics_stay_out_of_the_items_api_tag(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert paths["/metrics"]["get"]["tags"] == ["metrics"]
    assert {operation["tags"][0] for operation in paths["/health/ready"].values()} == {"health"}
    item_tags = {
        tag
        for path, ops in paths.items()
        if path.startswith("/items")
        for op in ops.values()
        for tag in op["tags"]
    }
    assert item_tags == {"items"}
