"""One pure-ASGI middleware on the hot path: request id, metrics and the access log line."""

import logging
import os
import re
from time import perf_counter
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.observability import metrics
from entrypoints.observability.logs import request_id

access_log = logging.getLogger("items.access")

REQUEST_ID_HEADER = b"x-request-id"
# A caller's id is echoed into headers and logs, so only short, plain ids are taken as they are.
_SANE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:\-]{1,128}")
UNMATCHED_ROUTE = "<unmatched>"
# The client went away before it was answered (nginx's "client closed request"), not a failure.
CLIENT_CLOSED = 499


def _request_id(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == REQUEST_ID_HEADER and _SANE_REQUEST_ID.fullmatch(value):
            return value.decode()
    # 128 random bits as hex, like uuid4().hex at a quarter of the cost.
    return os.urandom(16).hex()


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        method = scope["method"]
        rid = _request_id(scope["headers"])
        token = request_id.set(rid)
        # The answer's status once it starts; None while none has.
        status: int | None = None
        # The server said the client was gone before any answer: it closed the connection, or
        # broke its body off mid-way (the server cannot tell these apart; a client still
        # listening gets the app's 400, which may well go nowhere).
        cut_short = False
        failed = False

        async def receive_watched() -> Message:
            nonlocal cut_short
            message = await receive()
            if message["type"] == "http.disconnect" and status is None:
                cut_short = True
            return message

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (REQUEST_ID_HEADER, rid.encode())]
            await send(message)

        metrics.IN_FLIGHT.inc()
        try:
            await self.app(scope, receive_watched, send_with_id)
        except Exception:
            failed = True
            raise
        finally:
            if failed:
                # Further out, the server answers an escaped exception with a 500 if nothing was sent.
                recorded = status or 500
            elif cut_short or status is None:
                recorded = CLIENT_CLOSED
            else:
                recorded = status
            metrics.IN_FLIGHT.dec()
            seconds = perf_counter() - started
            route: Any = scope.get("route")
            # As published (/items/{item_id}), without the name of the path's convertor.
            template = getattr(route, "path_format", UNMATCHED_ROUTE)
            metrics.observe_request(method, template, recorded, seconds)
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(
                    "%s %s %d",
                    method,
                    template,
                    recorded,
                    extra={
                        "fields": {
                            "method": method,
                            "route": template,
                            "status": recorded,
                            "duration_ms": round(seconds * 1000, 2),
                        }
                    },
                )
            request_id.reset(token)
