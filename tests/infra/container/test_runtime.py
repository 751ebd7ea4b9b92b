"""The running container as a platform team runs it: read-only, not root, with a health check."""

import time
from collections.abc import Iterator

import pytest

from tests.support.container import (
    BuiltImage,
    Service,
    named_volume,
    podman,
    published_service,
    wait_until_answering,
)

pytestmark = pytest.mark.container

# Hang guards: how often to run the health check before giving up on it turning healthy.
HEALTH_ATTEMPTS = 60
HEALTH_PAUSE_SECONDS = 0.5


@pytest.fixture(scope="module")
def service(image: BuiltImage) -> Iterator[Service]:
    with named_volume() as volume:
        service = published_service(image.id, "--read-only", f"--volume={volume}:/data")
        try:
            wait_until_answering(service.container, f"{service.url}/items/?limit=1")
            yield service
        finally:
            service.container.remove()


def test_every_process_in_the_container_runs_as_the_image_user(service: Service) -> None:
    listing = podman("top", service.container.name, "huser", "user", "args").stdout.splitlines()
    processes = [line.split(maxsplit=2) for line in listing[1:]]
    # Granian's supervisor and its one worker.
    assert len(processes) == 2, listing
    assert {(host_user, user) for host_user, user, _ in processes} == {("10001", "items")}


def test_the_root_file_system_is_read_only_even_for_root_and_the_volume_is_writable(service: Service) -> None:
    as_root = service.container.exec("touch", "/opt/items/probe", user="root")
    as_image_user = service.container.exec("touch", "/data/probe")
    listed = service.container.exec("ls", "/data")
    assert as_root.returncode != 0 and "Read-only file system" in as_root.stderr
    assert as_image_user.returncode == 0, as_image_user.stderr
    assert "items.db" in listed.stdout.split()


def test_the_health_check_turns_healthy(service: Service) -> None:
    # Without systemd podman runs no timer for the check: it is run here as the timer would.
    for _ in range(HEALTH_ATTEMPTS):
        if podman("healthcheck", "run", service.container.name, check=False).returncode == 0:
            break
        time.sleep(HEALTH_PAUSE_SECONDS)
    assert service.container.health() == "healthy"
