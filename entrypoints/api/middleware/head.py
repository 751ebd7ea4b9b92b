"""HEAD is GET without the body (RFC 9110 9.3.2): every resource that answers GET answers HEAD,
with the same status and headers (ETag, Content-Length, Link), conditional requests included."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        # A copy: the server reads the scope it passed to know that no body follows a HEAD answer.
        as_get = {**scope, "method": "GET"}
        try:
            await self.app(as_get, receive, send_without_body)
        finally:
            # The route the router matched, for the observability middleware outside.
            if "route" in as_get:
                scope["route"] = as_get["route"]
