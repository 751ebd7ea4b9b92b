"""Schemathesis against the live service: every operation of the OpenAPI document, every check,
every phase (examples, coverage, fuzzing, stateful), with zero failures allowed.

A real server process per backend (SQLite, PostgreSQL) on loopback, driven by schemathesis's own
runner. FUZZ_MAX_EXAMPLES bounds the examples per operation (small by default, so `make test`
stays quick); `make fuzz` runs a longer campaign. The only tuning is in schemathesis.toml.
"""

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.support.server import ServiceProcess

HERE = Path(__file__).parent
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))
TIMEOUT_SECONDS = 60 + 6 * MAX_EXAMPLES


def _command(base_url: str) -> list[str | Path]:
    return [
        Path(sys.executable).parent / "schemathesis",
        "--config-file", HERE / "schemathesis.toml",
        "run", f"{base_url}/openapi.json",
        "--checks", "all",
        "--max-examples", str(MAX_EXAMPLES),
        "--workers", "1",
        "--suppress-health-check", "all",
    ]  # fmt: skip


def test_the_service_keeps_its_openapi_contract(
    durable_url: str, fault_report: Callable[[str], None]
) -> None:
    service = ServiceProcess(durable_url, extra_env={"MIGRATE_ON_START": "true"})
    service.start()
    try:
        result = subprocess.run(
            _command(service.base_url), capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    finally:
        service.stop()
    assert result.returncode == 0, result.stdout[-20_000:] + result.stderr[-5_000:]
    counts = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    assert counts is not None, result.stdout[-5_000:]
    backend = durable_url.partition(":")[0]
    fault_report(f"schemathesis on {backend}: {counts.group(1)} cases, {counts.group(2)} passed, 0 failures")
