"""The compose files: the PostgreSQL one loaded and its service definitions asserted (its database
image needs a registry, which this machine lacks); the SQLite one brought up with podman-compose."""

import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml

from bench.service import free_port
from tests.support.builders import item_body
from tests.support.container import (
    ROOT,
    BuiltImage,
    Container,
    compose,
    compose_containers,
    podman,
    wait_until_answering,
)

pytestmark = pytest.mark.container

SECRETS = ("CURSOR_SECRET", "API_KEYS", "POSTGRES_PASSWORD")
KEY = "compose-test-key"


def _services(file: str) -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load((ROOT / file).read_text())["services"]
    return services


def _seconds(duration: str) -> int:
    match = re.fullmatch(r"(\d+)s", duration)
    assert match, duration
    return int(match.group(1))


def test_the_service_starts_after_a_healthy_database_and_a_successful_migration_job() -> None:
    services = _services("compose.yaml")
    assert set(services) == {"postgres", "migrate", "items"}
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]
    assert services["migrate"]["command"] == ["migrate", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["items"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }
    assert services["migrate"]["image"] == services["items"]["image"]
    assert (
        services["migrate"]["environment"]["DATABASE_URL"] == services["items"]["environment"]["DATABASE_URL"]
    )


def test_the_service_gets_its_shutdown_grace_within_composes_an_init_and_a_read_only_root() -> None:
    items = _services("compose.yaml")["items"]
    assert int(items["environment"]["SHUTDOWN_TIMEOUT"]) < _seconds(items["stop_grace_period"])
    assert items["init"] is True
    assert items["read_only"] is True


@pytest.mark.parametrize("file", ["compose.yaml", "compose.sqlite.yaml"])
def test_secrets_come_from_the_environment_never_from_the_file(file: str) -> None:
    for name, service in _services(file).items():
        for variable, value in (service.get("environment") or {}).items():
            if variable in SECRETS:
                # No value: passed on from compose's environment; or ${VARIABLE...} read from it.
                assert value is None or str(value).startswith(f"${{{variable}"), (name, variable, value)


@pytest.fixture
def sqlite_compose(image: BuiltImage, podman_compose: None) -> Iterator[tuple[str, Container]]:
    """compose.sqlite.yaml up, with this run's image, on a free loopback port; down afterwards."""
    project = f"items-test-{uuid.uuid4().hex[:12]}"
    url = f"http://127.0.0.1:{free_port()}"
    env = {"ITEMS_IMAGE": image.id, "ITEMS_PUBLISH": url.removeprefix("http://"), "API_KEYS": KEY}
    try:
        up = compose(project, "compose.sqlite.yaml", "up", "--detach", env=env)
        assert up.returncode == 0, up.stderr
        (container,) = compose_containers(project)
        wait_until_answering(container, f"{url}/items/?limit=1")
        yield url, container
    finally:
        compose(project, "compose.sqlite.yaml", "down", "--volumes", env=env)
        # podman-compose 1.0.3 (Debian 12's) leaves the project's network behind.
        podman("network", "rm", "--force", f"{project}_default", check=False)


def test_the_sqlite_compose_file_serves_from_a_read_only_container_with_an_init_and_its_volume(
    sqlite_compose: tuple[str, Container],
) -> None:
    url, container = sqlite_compose
    anonymous = httpx.post(f"{url}/items/", json=item_body(name="Uninvited"), timeout=30)
    keyed = httpx.post(
        f"{url}/items/", json=item_body(name="Teapot"), headers={"Authorization": f"Bearer {KEY}"}, timeout=30
    )
    # API_KEYS reached the service from compose's environment.
    assert (anonymous.status_code, keyed.status_code) == (401, 201)
    state = container.inspect()
    assert state["HostConfig"]["ReadonlyRootfs"] is True
    assert state["HostConfig"]["Init"] is True
    assert [mount["Destination"] for mount in state["Mounts"] if mount["Type"] == "volume"] == ["/data"]
