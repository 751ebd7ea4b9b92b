"""Optional bearer-key authentication (API_KEYS): writes need a key; reads too if so configured.

Keys are compared by their SHA-256 digests with hmac.compare_digest against every configured key,
so neither a key's content nor its length nor which key matched shows in the timing. Keys are
never logged.
"""

import hashlib
import hmac

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from entrypoints.api.methods import READ_METHODS
from entrypoints.api.problems import problem

# The documents that describe the API stay readable, so clients can learn how to authenticate.
OPEN_PATHS = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})
OPEN_PREFIX = "/docs/assets/"  # the pages' scripts, styles, favicon and licences
CHALLENGE = 'Bearer realm="items"'


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()


class BearerAuth:
    def __init__(self, app: ASGIApp, keys: tuple[str, ...], *, protect_reads: bool) -> None:
        self.app = app
        self._digests = tuple(_digest(key) for key in keys)
        self._protect_reads = protect_reads

    def _needs_key(self, scope: Scope) -> bool:
        if scope["path"] in OPEN_PATHS or scope["path"].startswith(OPEN_PREFIX):
            return False
        return self._protect_reads or scope["method"] not in READ_METHODS

    def _authorized(self, authorization: str | None) -> bool:
        scheme, _, key = (authorization or "").partition(" ")
        given = _digest(key.strip())
        matched = False
        for digest in self._digests:
            matched |= hmac.compare_digest(given, digest)
        return matched and scheme.lower() == "bearer"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._needs_key(scope):
            authorization = Headers(scope=scope).get("authorization")
            if not self._authorized(authorization):
                error = ', error="invalid_token"' if authorization else ""
                detail = "This request needs Authorization: Bearer <key>"
                if authorization:
                    detail = "The bearer key is not valid"
                headers = {"WWW-Authenticate": CHALLENGE + error}
                await problem(401, detail, headers=headers)(scope, receive, send)
                return
        await self.app(scope, receive, send)
