"""The container suite: the image built once per run with podman, then driven as users drive it.

It runs in `make test-infra` (and so in .ci/run), not in `make test`: building the image takes minutes.

Needs podman and runc (debootstrap, as root, where no registry gives the official base; podman-compose
for the compose test): without them the tests are skipped with the reason shown; under CI=true they
fail instead, since CI installs them. PostgreSQL tests use the session's server (tests/conftest.py),
reached over the host's network.
"""

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.container import (
    IMAGE,
    BuiltImage,
    MissingTool,
    PodmanError,
    build_image,
    missing_tools,
    podman,
)


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true requires it")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def image(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltImage]:
    """The image, built once per run under a tag of the run's own (another run on this machine may
    retag :latest meanwhile); containers are started from its id. The tag goes afterwards, the layers
    stay as podman's build cache."""
    if missing := missing_tools():
        _missing(f"{' and '.join(missing)} not installed (apt-get install -y {' '.join(missing)})")
    tag = f"{IMAGE}-test:{uuid.uuid4().hex[:12]}"
    log_path: Path = tmp_path_factory.mktemp("image") / "build.log"
    with log_path.open("w") as log:
        try:
            built = build_image((tag,), log)
        except MissingTool as missing_tool:
            _missing(f"{missing_tool} not available")
        except (PodmanError, subprocess.SubprocessError) as error:
            pytest.fail(f"building the image failed: {error}\n{log_path.read_text()[-5000:]}")
    try:
        yield built
    finally:
        podman("untag", built.id, tag, check=False)


@pytest.fixture(scope="session")
def podman_compose() -> None:
    if shutil.which("podman-compose") is None:
        _missing("podman-compose not installed (apt-get install -y podman-compose)")
