"""Background processes known by their process id, so a later command can stop them."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

STOP_TIMEOUT_SECONDS = 40.0  # beyond the service's SHUTDOWN_TIMEOUT (30 s)


def start(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Its own session (and process group), so it outlives the command that started it and a
    SIGKILL of the group reaches every process it spawned; stdout and stderr go to `log`."""
    with log.open("ab") as output:
        return subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
            env=env, start_new_session=True,
        )  # fmt: skip


def alive(pid: int) -> bool:
    """Running, and not a zombie nobody has reaped yet (its parent may be gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not after {seconds} s")
        time.sleep(0.05)


def stop(pid: int, seconds: float = STOP_TIMEOUT_SECONDS) -> None:
    """SIGTERM the process (a graceful stop), SIGKILL its group if it has not exited in time."""
    if not alive(pid):
        return
    os.kill(pid, signal.SIGTERM)
    try:
        wait_until(lambda: not alive(pid), seconds, f"process {pid} stopping")
    except TimeoutError:
        kill(pid)


def kill(pid: int) -> None:
    """SIGKILL the whole process group, as a crash would: nothing gets to clean up."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    wait_until(lambda: not alive(pid), 10, f"process {pid} dying")
