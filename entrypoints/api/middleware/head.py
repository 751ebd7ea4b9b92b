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

        # In place, so the routing result stays visible to the observability middleware outside.
        scope["method"] = "GET"
        await self.app(scope, receive, send_without_body)
