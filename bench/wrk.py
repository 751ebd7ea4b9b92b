"""Running wrk, and reading its report. The parsing is pure so it can be tested without wrk."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.support.builders import item_json

LUA = Path(__file__).with_name("lua")
_UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_LATENCY = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


@dataclass(frozen=True, slots=True)
class Measurement:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    failures: int  # non-2xx/3xx answers plus socket errors and time-outs


def parse(report: str) -> Measurement:
    """The figures we keep from `wrk --latency` output."""
    rate = _RATE.search(report)
    latencies = {int(q): float(v) * _UNITS_MS[unit] for q, v, unit in _LATENCY.findall(report)}
    if rate is None or set(latencies) != {50, 99}:
        raise ValueError(f"not a wrk --latency report:\n{report}")
    failures = sum(int(n) for n in _NON_2XX.findall(report))
    for errors in _SOCKET_ERRORS.findall(report):
        failures += sum(int(n) for n in errors)
    return Measurement(float(rate.group(1)), latencies[50], latencies[99], failures)


@dataclass(frozen=True, slots=True)
class Load:
    connections: int = 32
    seconds: int = 5
    core: int = 1


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (Debian's package)")
    return found


def drive(
    url: str, load: Load, script: str | None = None, max_id: int = 1, method: str = "GET"
) -> Measurement:
    """One wrk run against url (a full URL: base plus path), pinned to its own core."""
    command = ["taskset", "-c", str(load.core), wrk_binary(), "-t1", f"-c{load.connections}"]
    command += [f"-d{load.seconds}s", "--timeout", "5s", "--latency"]
    if script is not None:
        command += ["-s", str(LUA / script)]
    command.append(url)
    # The body of a create or a PUT, every field filled in; the scripts put a number in for {n}.
    body = item_json(name="bench item {n}", description="written by the load test")
    env = {**os.environ, "MAX_ID": str(max_id), "METHOD": method, "ITEM_BODY": body.decode()}
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=load.seconds + 30, check=True
    )
    return parse(done.stdout)
