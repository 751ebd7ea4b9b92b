"""Request bodies: no larger than the limit (413), checked while the body streams in, so an
oversized one is refused before it is read whole; JSON only (415 otherwise), so UTF-8 (422)."""

from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.api.methods import WITH_BODY
from entrypoints.api.problems import problem

# RFC 9110 15.5.16: a 415 says which media types would have been accepted.
_ACCEPTED = {
    "POST": {"Accept-Post": "application/json"},
    "PATCH": {"Accept-Patch": "application/json, application/merge-patch+json"},
    "PUT": {},
}


def is_json(content_type: str) -> bool:
    """application/json, or any application/*+json such as application/merge-patch+json."""
    media_type = content_type.partition(";")[0].strip().lower()
    kind, _, subtype = media_type.partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


class BodyLimits:
    """`max_body_bytes` for every body but those of the routes in `route_limits` (method, path),
    which get their own."""

    def __init__(
        self, app: ASGIApp, max_body_bytes: int, route_limits: Mapping[tuple[str, str], int]
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.route_limits = route_limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WITH_BODY:
            await self.app(scope, receive, send)
            return
        limit = self.route_limits.get((scope["method"], scope["path"]), self.max_body_bytes)
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        if declared.isdecimal() and int(declared) > limit:
            await _too_large(limit, scope, receive, send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                # The body ended before it was complete: the client closed (this answer then goes
                # nowhere) or broke the framing (a chunk size that is no number, say). Not answering
                # would leave the server to answer 500.
                detail = "The request body ended before it was complete"
                await problem(400, detail, headers={"Connection": "close"})(scope, receive, send)
                return
            body += message.get("body", b"")
            if len(body) > limit:
                await _too_large(limit, scope, receive, send)
                return
            more = message.get("more_body", False)
        content_type = headers.get("content-type")
        if body and (content_type is None or not is_json(content_type)):
            detail = "Request bodies must be JSON: send Content-Type: application/json"
            await problem(415, detail, headers=_ACCEPTED[scope["method"]])(scope, receive, send)
            return
        if not _is_utf8(body):
            detail = "The body is not JSON: JSON text is UTF-8 (RFC 8259)"
            errors = [{"loc": ["body"], "msg": "invalid UTF-8", "type": "json_invalid"}]
            await problem(422, detail, errors=errors)(scope, receive, send)
            return
        await self.app(scope, _replay(bytes(body), receive), send)


async def _too_large(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    detail = f"The request body is larger than {limit} bytes"
    # The rest of the body is not read; closing the connection spares reading it.
    await problem(413, detail, headers={"Connection": "close"})(scope, receive, send)


def _is_utf8(body: bytearray) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, then whatever the client sends next (such as a disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
