"""What the service says about itself: its /metrics counts and its JSON access log lines.

Both are written after the answer has left, so readers poll a bounded number of times."""

import json
import re
import time
from typing import Any

import httpx

from tests.support.server import ServiceProcess

POLLS = 150
POLL_SECONDS = 0.1


def requests_counted(service: ServiceProcess, status: int) -> float:
    """How many requests /metrics counts with this status, over every method and route."""
    text = httpx.get(f"{service.base_url}/metrics", timeout=10).text
    pattern = rf'^http_requests_total\{{[^}}]*status="{status}"[^}}]*\}} (\S+)$'
    return sum(float(value) for value in re.findall(pattern, text, re.MULTILINE))


def access_line(service: ServiceProcess, request_id: str) -> dict[str, Any]:
    """The access log line of the request with this X-Request-ID, once it is written."""
    for _ in range(POLLS):
        for line in service.log_lines():
            record = json.loads(line) if line.startswith("{") else {}
            if record.get("logger") == "items.access" and record.get("request_id") == request_id:
                return record
        time.sleep(POLL_SECONDS)
    raise AssertionError(f"no access line for request {request_id}")
