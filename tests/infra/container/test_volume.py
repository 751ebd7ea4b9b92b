"""The SQLite default on a named volume outlives the container, and how long a container takes to answer."""

import time
from collections.abc import Callable

import httpx
import pytest

from tests.support.builders import item_body
from tests.support.container import BuiltImage, Service, named_volume, published_service, wait_until_answering

pytestmark = pytest.mark.container


def _started(image: BuiltImage, volume: str) -> tuple[Service, float]:
    """A container on `volume`, and the seconds from `podman run` to its first answered request."""
    started = time.monotonic()
    service = published_service(image.id, "--read-only", f"--volume={volume}:/data")
    try:
        wait_until_answering(service.container, f"{service.url}/items/?limit=1")
    except BaseException:
        service.container.remove()
        raise
    return service, time.monotonic() - started


def test_a_new_container_on_the_same_volume_serves_what_the_first_stored(
    image: BuiltImage, fault_report: Callable[[str], None]
) -> None:
    with named_volume() as volume:
        first, first_seconds = _started(image, volume)
        try:
            created = httpx.post(f"{first.url}/items/", json=item_body(name="Kept"), timeout=30)
            first.container.stop()
        finally:
            first.container.remove()
        second, second_seconds = _started(image, volume)
        try:
            read = httpx.get(f"{second.url}{created.headers['location']}", timeout=30)
        finally:
            second.container.remove()
    assert created.status_code == 201
    assert read.status_code == 200 and read.json() == created.json()
    fault_report(
        f"container start, `podman run` to the first answered GET /items/: {first_seconds:.2f} s on an "
        f"empty volume (schema created), {second_seconds:.2f} s on it again"
    )
