"""What the image is: its metadata, its user, its stop and health settings, and what it carries."""

import json
import re
from collections.abc import Callable

import pytest

from tests.support.container import ROOT, BuiltImage, podman, project_version, run_once

pytestmark = pytest.mark.container

# Walks the image's own file system (not /proc, /sys, /dev): every installed distribution, every
# directory named .git, and every file under a directory named tests.
INVENTORY = """
import importlib.metadata, json, os
found = {"distributions": sorted(d.metadata["Name"].lower() for d in importlib.metadata.distributions()),
         "git": [], "under_tests": []}
for top in sorted(set(os.listdir("/")) - {"proc", "sys", "dev"}):
    for folder, subfolders, files in os.walk(os.path.join("/", top)):
        if ".git" in subfolders:
            found["git"].append(os.path.join(folder, ".git"))
        if "/tests/" in folder + "/":
            found["under_tests"] += [os.path.join(folder, name) for name in files]
print(json.dumps(found))
"""


def _pins(requirements: str) -> set[str]:
    """Package names pinned in one of the exported requirements files."""
    text = (ROOT / "requirements" / requirements).read_text()
    return {
        match.lower().replace("_", "-") for match in re.findall(r"^([A-Za-z0-9_.-]+)==", text, re.MULTILINE)
    }


def _inventory(image: BuiltImage) -> dict[str, list[str]]:
    result = run_once(image.id, "--entrypoint=python3", command=("-c", INVENTORY))
    assert result.returncode == 0, result.stderr
    inventory: dict[str, list[str]] = json.loads(result.stdout)
    return inventory


def test_the_image_names_itself_in_oci_labels(image: BuiltImage) -> None:
    labels = image.config()["Labels"]
    assert labels["org.opencontainers.image.title"] == "items-service"
    assert labels["org.opencontainers.image.version"] == project_version()
    for name in ("source", "licenses", "revision"):
        assert labels[f"org.opencontainers.image.{name}"], name


def test_the_image_runs_items_serve_as_a_numeric_user_that_is_not_root(image: BuiltImage) -> None:
    config = image.config()
    assert config["User"] == "10001:10001"
    assert (config["Entrypoint"], config["Cmd"]) == (["items"], ["serve"])
    assert "HOST=0.0.0.0" in config["Env"]


def test_the_shutdown_grace_fits_in_the_time_podman_gives_after_the_stop_signal(image: BuiltImage) -> None:
    created = podman("create", image.id).stdout.strip()
    try:
        stop_timeout = json.loads(podman("container", "inspect", created).stdout)[0]["Config"]["StopTimeout"]
    finally:
        podman("rm", created)
    config = image.config()
    assert config["StopSignal"] == "SIGTERM"
    shutdown_timeout = int(next(v for v in config["Env"] if v.startswith("SHUTDOWN_TIMEOUT=")).split("=")[1])
    assert shutdown_timeout < stop_timeout


def test_the_health_check_asks_health_live_of_the_service_itself(image: BuiltImage) -> None:
    health = json.loads(podman("image", "inspect", image.id).stdout)[0]["Healthcheck"]
    assert health["Test"][0] == "CMD"
    assert "http://127.0.0.1:{os.environ['PORT']}/health/live" in health["Test"][-1]


def test_the_image_holds_no_development_tool(image: BuiltImage, fault_report: Callable[[str], None]) -> None:
    installed = set(_inventory(image)["distributions"])
    development_only = _pins("dev.txt") - _pins("runtime.txt")
    assert {"pytest", "ruff", "mypy"} <= development_only
    assert installed & development_only == set()
    assert "items-service" in installed
    fault_report(
        f"container image: {image.size_bytes() / 1e6:.0f} MB on {image.base} "
        f"({len(installed)} distributions installed; built in {image.seconds:.0f} s this run)"
    )


def test_the_image_holds_no_git_metadata_and_none_of_the_projects_tests(image: BuiltImage) -> None:
    inventory = _inventory(image)
    # Files only this project has (third-party packages ship tests/__init__.py and conftest.py too).
    ours = {path.relative_to(ROOT).as_posix() for path in (ROOT / "tests").rglob("test_*.py")}
    assert inventory["git"] == []
    assert [
        path for path in inventory["under_tests"] if any(path.endswith(f"/{mine}") for mine in ours)
    ] == []
