"""The container image built with podman, and containers of it run, probed and stopped.

Python's standard library only: `make image` runs this module with any python3
(`python3 -m tests.support.container`), and the container tests import it, so both build the image
the same way. Where no registry answers, the image is built on a base made here with Debian's
debootstrap, kept under ${XDG_CACHE_HOME:-~/.cache}/items-service between runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bench.service import free_port

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "localhost/items-service"
# Where the Dockerfile's build stage looks for trusted CAs: the host's bundle is mounted there for the
# build only, so a TLS-intercepting proxy between the build and PyPI is trusted as the host trusts it.
BUILD_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"

# Hang guards, not verdicts on speed: a cold, loaded machine needs minutes for the base and the build.
DEBOOTSTRAP_SECONDS = 900
BUILD_SECONDS = 900
PULL_SECONDS = 300
COMMAND_SECONDS = 120
START_SECONDS = 120

# The local base: what the Dockerfile needs of one (python3 with its venv module, CA certificates).
BASE_PACKAGES = ("python3", "python3-venv", "ca-certificates")
DEBIAN_MIRROR = "http://deb.debian.org/debian"
# Emptied as Debian's own slim images leave them out: package caches and lists, manuals, translations,
# and documentation but its copyright files.
TRIMMED = (
    "var/cache/apt/archives",
    "var/lib/apt/lists",
    "usr/share/man",
    "usr/share/info",
    "usr/share/locale",
)
KEPT_DOC = "copyright"
# An imported file system carries no environment; images from a registry set at least this.
BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Per container, at most: a service's few processes and threads. Higher values (about 96000, the
# host's own limit) were refused here by runc ("error setting rlimit type 6: operation not permitted").
NPROC = 4096


class MissingTool(RuntimeError):
    """A program the build or the tests need is not installed (or may not run as this user)."""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    path = Path(base) / "items-service"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _hard_limit(kind: int, at_most: int) -> int:
    _, hard = resource.getrlimit(kind)
    return at_most if hard == resource.RLIM_INFINITY else min(hard, at_most)


def _containers_conf() -> Path:
    """runc (crun failed to set rlimits on this machine), and limits no higher than this process's
    own: podman's defaults ask for more than a sandbox without CAP_SYS_RESOURCE may grant."""
    nofile = _hard_limit(resource.RLIMIT_NOFILE, 1048576)
    nproc = _hard_limit(resource.RLIMIT_NPROC, NPROC)
    text = (
        "[containers]\n"
        f'default_ulimits = ["nofile={nofile}:{nofile}", "nproc={nproc}:{nproc}"]\n\n'
        '[engine]\nruntime = "runc"\n'
    )
    path = cache_dir() / "containers.conf"
    if not path.exists() or path.read_text() != text:
        # Another run may read it at this moment: it sees the old file or the new, never half of one.
        partial = path.with_name(f"containers.conf.{os.getpid()}")
        partial.write_text(text)
        partial.replace(path)
    return path


def podman_environment() -> dict[str, str]:
    """podman's environment: the caller's, with this project's containers.conf unless one is given."""
    if "CONTAINERS_CONF" in os.environ:
        return dict(os.environ)
    return {**os.environ, "CONTAINERS_CONF": str(_containers_conf())}


def missing_tools() -> list[str]:
    """What podman needs here and is not installed (debootstrap is asked for only when needed)."""
    wanted = ["podman"] if "CONTAINERS_CONF" in os.environ else ["podman", "runc"]
    return [tool for tool in wanted if shutil.which(tool) is None and not Path("/usr/sbin", tool).exists()]


class PodmanError(RuntimeError):
    pass


def podman(
    *args: str, timeout: float = COMMAND_SECONDS, check: bool = True, log: TextIO | None = None
) -> subprocess.CompletedProcess[str]:
    """Run podman; its output is captured, or written to `log` (a long build's progress)."""
    streams: dict[str, Any] = (
        {"stdout": log, "stderr": subprocess.STDOUT} if log else {"capture_output": True}
    )
    result = subprocess.run(
        ["podman", *args], env=podman_environment(), text=True, timeout=timeout, check=False, **streams
    )
    if check and result.returncode != 0:
        raise PodmanError(
            f"podman {' '.join(args)} exited {result.returncode}: {(result.stderr or '')[-2000:]}"
        )
    return result


def _run(command: list[str], timeout: float, log: TextIO | None) -> None:
    subprocess.run(
        command, check=True, timeout=timeout, stdout=log, stderr=subprocess.STDOUT if log else None
    )


def _image_exists(name: str) -> bool:
    return podman("image", "exists", name, check=False).returncode == 0


def _say(log: TextIO | None, line: str) -> None:
    print(line, file=log or sys.stdout, flush=True)


def official_base() -> str:
    """The Dockerfile's default base (its BASE_IMAGE build argument)."""
    match = re.search(r"^ARG BASE_IMAGE=(\S+)$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    if match is None:
        raise RuntimeError("the Dockerfile has no `ARG BASE_IMAGE=...` default")
    return match.group(1)


def base_image(log: TextIO | None) -> str:
    """The base to build on: $BASE_IMAGE when given; else the Dockerfile's official base when it is
    here already or a registry gives it; else one made here with debootstrap."""
    if chosen := os.environ.get("BASE_IMAGE"):
        return chosen
    official = official_base()
    if _image_exists(official):
        return official
    _say(log, f"pulling {official}")
    try:
        if podman("pull", "--quiet", official, timeout=PULL_SECONDS, check=False).returncode == 0:
            return official
    except subprocess.TimeoutExpired:
        pass
    _say(log, f"no registry gave {official}: building on a Debian base made here")
    return local_base(log)


def _debian_suite() -> str:
    """The Debian release of the official base (python:3.11-slim-bookworm: bookworm), so the local
    base has the same Python and libraries."""
    match = re.search(r"-slim-(\w+)$", official_base())
    if match is None:
        raise RuntimeError(f"cannot tell the Debian release of {official_base()}")
    return match.group(1)


def local_base(log: TextIO | None) -> str:
    """The base made with debootstrap: kept as a podman image, and its file system as a tarball in the
    cache directory; both named by a digest of the recipe, so a changed recipe makes a new one."""
    suite = _debian_suite()
    recipe = json.dumps([suite, DEBIAN_MIRROR, BASE_PACKAGES, TRIMMED, KEPT_DOC, BASE_PATH])
    digest = hashlib.sha256(recipe.encode()).hexdigest()[:12]
    name = f"localhost/items-python-base:{suite}-{digest}"
    if _image_exists(name):
        return name
    tarball = cache_dir() / f"python-base-{suite}-{digest}.tar"
    if not tarball.exists():
        _debootstrap(suite, tarball, log)
    podman(
        "import", "--change", f"ENV=PATH={BASE_PATH}", str(tarball), name, timeout=COMMAND_SECONDS, log=log
    )
    return name


def _debootstrap(suite: str, tarball: Path, log: TextIO | None) -> None:
    if shutil.which("debootstrap") is None and not Path("/usr/sbin/debootstrap").exists():
        raise MissingTool(
            "debootstrap (apt-get install debootstrap), to make a base where no registry answers"
        )
    if os.geteuid() != 0:
        raise MissingTool("root, for debootstrap to make a base where no registry answers")
    _say(log, f"debootstrap {suite} ({', '.join(BASE_PACKAGES)}) into {tarball}")
    with tempfile.TemporaryDirectory(dir=cache_dir(), prefix="debootstrap-") as work:
        tree = Path(work, "tree")
        packages = ",".join(BASE_PACKAGES)
        command = [
            "debootstrap",
            "--variant=minbase",
            f"--include={packages}",
            suite,
            str(tree),
            DEBIAN_MIRROR,
        ]
        _run(command, DEBOOTSTRAP_SECONDS, log)
        _trim(tree)
        partial = Path(work, "base.tar")
        _run(["tar", "--numeric-owner", "-C", str(tree), "-cf", str(partial), "."], COMMAND_SECONDS, log)
        # The cache only ever holds a whole tarball, whatever happens to this run.
        partial.replace(tarball)


def _trim(tree: Path) -> None:
    """Files go, directories stay (apt expects its own to exist)."""
    for folder in TRIMMED:
        for path in tree.joinpath(folder).rglob("*"):
            if path.is_symlink() or not path.is_dir():
                path.unlink()
    for path in tree.joinpath("usr/share/doc").rglob("*"):
        if (path.is_symlink() or not path.is_dir()) and path.name != KEPT_DOC:
            path.unlink()


def project_version() -> str:
    version: str = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    return version


def _makefile_uv_version() -> str:
    match = re.search(r"^UV_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    if match is None:
        raise RuntimeError("the Makefile has no `UV_VERSION := ...`")
    return match.group(1)


def _git(*args: str) -> str:
    """A git answer about this checkout, or "unknown" (a source tarball has no git)."""
    try:
        result = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=COMMAND_SECONDS, check=False
        )
    except FileNotFoundError:
        return "unknown"
    return result.stdout.strip() if result.returncode == 0 and result.stdout.strip() else "unknown"


@dataclass(frozen=True)
class BuiltImage:
    id: str
    base: str
    # From asking for a base to the image built: the base made first, if it had to be.
    seconds: float

    def size_bytes(self) -> int:
        return int(podman("image", "inspect", "--format", "{{.Size}}", self.id).stdout)

    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = json.loads(podman("image", "inspect", self.id).stdout)[0]["Config"]
        return config


def build_image(tags: tuple[str, ...], log: TextIO | None) -> BuiltImage:
    started = time.monotonic()
    base = base_image(log)
    build_args = {
        "BASE_IMAGE": base,
        "UV_VERSION": _makefile_uv_version(),
        "VERSION": project_version(),
        "REVISION": _git("rev-parse", "HEAD"),
        "SOURCE": _git("remote", "get-url", "origin"),
    }
    host_bundle = Path(os.environ.get("SSL_CERT_FILE", BUILD_CA_BUNDLE))
    mounts = [f"--volume={host_bundle}:{BUILD_CA_BUNDLE}:ro"] if host_bundle.is_file() else []
    with tempfile.TemporaryDirectory() as work:
        iidfile = Path(work, "image-id")
        podman(
            "build",
            # The OCI format has no HEALTHCHECK: podman would drop it.
            "--format=docker",
            f"--iidfile={iidfile}",
            *[f"--build-arg={name}={value}" for name, value in build_args.items()],
            *mounts,
            *[f"--tag={tag}" for tag in tags],
            str(ROOT),
            timeout=BUILD_SECONDS,
            log=log,
        )
        return BuiltImage(iidfile.read_text().strip(), base, time.monotonic() - started)


@dataclass(frozen=True)
class Container:
    name: str

    def inspect(self) -> dict[str, Any]:
        state: dict[str, Any] = json.loads(podman("container", "inspect", self.name).stdout)[0]
        return state

    def running(self) -> bool:
        return bool(self.inspect()["State"]["Running"])

    def exit_code(self) -> int:
        return int(self.inspect()["State"]["ExitCode"])

    def health(self) -> str:
        """The health check's verdict (podman 4.3 calls the field Healthcheck, later ones Health)."""
        state = self.inspect()["State"]
        return str((state.get("Health") or state.get("Healthcheck") or {}).get("Status", ""))

    def logs(self) -> str:
        result = podman("logs", self.name)
        return result.stdout + result.stderr

    def exec(self, *command: str, user: str | None = None) -> subprocess.CompletedProcess[str]:
        return podman("exec", *([f"--user={user}"] if user else []), self.name, *command, check=False)

    def stop(self) -> None:
        """The image's STOPSIGNAL, then SIGKILL after the container's stop timeout."""
        podman("stop", self.name)

    def remove(self) -> None:
        podman("rm", "--force", "--time=0", self.name, check=False)


def run_container(
    image: str, *options: str, env: dict[str, str] | None = None, command: tuple[str, ...] = ()
) -> Container:
    """`podman run --detach` with these options and environment; the caller removes it."""
    name = f"items-test-{uuid.uuid4().hex[:12]}"
    environment = [f"--env={key}={value}" for key, value in (env or {}).items()]
    podman("run", "--detach", f"--name={name}", *options, *environment, image, *command)
    return Container(name)


def run_once(
    image: str, *options: str, env: dict[str, str] | None = None, command: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """`podman run --rm` in the foreground, as a one-shot job runs: its exit code and output."""
    name = f"items-test-{uuid.uuid4().hex[:12]}"
    environment = [f"--env={key}={value}" for key, value in (env or {}).items()]
    try:
        return podman("run", "--rm", f"--name={name}", *options, *environment, image, *command, check=False)
    except subprocess.TimeoutExpired:
        # The container outlives the podman client that gave up on it.
        Container(name).remove()
        raise


@contextmanager
def named_volume() -> Iterator[str]:
    """A podman volume of the caller's own, removed afterwards (with the SQLite file on it)."""
    name = f"items-test-{uuid.uuid4().hex[:12]}"
    podman("volume", "create", name)
    try:
        yield name
    finally:
        podman("volume", "rm", "--force", name, check=False)


@dataclass(frozen=True)
class Service:
    container: Container
    url: str


def published_service(image: str, *options: str, env: dict[str, str] | None = None) -> Service:
    """`items serve` as users run it: in its own network, listening on the image's HOST=0.0.0.0 and
    PORT, published on a free port of 127.0.0.1 only."""
    port = free_port()
    container = run_container(image, f"--publish=127.0.0.1:{port}:8000", *options, env=env)
    return Service(container, f"http://127.0.0.1:{port}")


def host_network_service(image: str, *options: str, env: dict[str, str] | None = None) -> Service:
    """`items serve` on the host's network, so it reaches the host's PostgreSQL on 127.0.0.1; HOST and
    PORT keep it on a free port of the loopback."""
    port = free_port()
    loopback = {"HOST": "127.0.0.1", "PORT": str(port)}
    container = run_container(image, "--network=host", *options, env={**loopback, **(env or {})})
    return Service(container, f"http://127.0.0.1:{port}")


def wait_until_answering(container: Container, url: str, seconds: float = START_SECONDS) -> None:
    """Until `url` answers 200; a container that exits meanwhile fails at once, with its logs."""
    deadline = time.monotonic() + seconds
    next_look = time.monotonic() + 1
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > next_look:
            if not container.running():
                raise RuntimeError(f"{container.name} exited while starting:\n{container.logs()[-3000:]}")
            next_look = time.monotonic() + 1
        time.sleep(0.02)
    raise TimeoutError(f"{url} did not answer within {seconds} s:\n{container.logs()[-3000:]}")


def compose(project: str, file: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """podman-compose on one of the project's compose files, under a project name of the caller's."""
    command = ["podman-compose", f"--project-name={project}", f"--file={ROOT / file}", *args]
    return subprocess.run(
        command,
        env={**podman_environment(), **env},
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )


def compose_containers(project: str) -> list[Container]:
    """The containers compose made for `project` (found by the label every compose implementation sets)."""
    names = podman(
        "ps", "--all", f"--filter=label=com.docker.compose.project={project}", "--format={{.Names}}"
    )
    return [Container(name) for name in names.stdout.split()]


def main() -> None:
    """`make image`: the image tagged :latest and with the project's version."""
    if missing := missing_tools():
        sys.exit(f"make image needs {' and '.join(missing)} (apt-get install {' '.join(missing)})")
    tags = (f"{IMAGE}:latest", f"{IMAGE}:{project_version()}")
    try:
        built = build_image(tags, log=sys.stdout)
    except MissingTool as missing_tool:
        sys.exit(f"make image needs {missing_tool}")
    except (PodmanError, subprocess.SubprocessError) as error:
        # What failed is in the output above; this says which step it was.
        sys.exit(f"make image failed: {error}")
    print(
        f"built {', '.join(tags)} on {built.base}: {built.size_bytes() / 1e6:.0f} MB, {built.seconds:.0f} s"
    )


if __name__ == "__main__":
    main()
