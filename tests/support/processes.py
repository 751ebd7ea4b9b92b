"""Stopping a process a test started in a session of its own: it and every child it forked."""

import os
import signal
import subprocess


def kill_group(process: subprocess.Popen[bytes] | None) -> None:
    """SIGKILL, as a crash would: no shutdown hook runs, whatever was in flight dies mid-way."""
    if process is not None and process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def stop_group(process: subprocess.Popen[bytes] | None, grace_seconds: float) -> None:
    """SIGTERM, and SIGKILL after `grace_seconds` if it has not ended by then."""
    if process is not None and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace_seconds)
        except subprocess.TimeoutExpired:
            kill_group(process)
