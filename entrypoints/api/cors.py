"""CORS for browser clients, only when CORS_ORIGINS names the origins allowed (unset: no CORS
headers at all).

It wraps the whole app, outside the bearer-key check and the body limits: a preflight carries no
Authorization and no body, so it is answered here before either could refuse it, and the 401, 413
and 415 answers from further in still carry the headers a browser needs to let the page read them.
"""

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp

from entrypoints.api.methods import METHODS
from entrypoints.api.problems import problem

# The request headers the API reads, beyond those a browser may always send.
REQUEST_HEADERS = (
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "If-Match",
    "If-None-Match",
    "X-Request-ID",
)
# What a page may read of an answer, beyond the safelisted Content-Type and the like.
EXPOSED_HEADERS = (
    "ETag",
    "Idempotent-Replayed",
    "Link",
    "Location",
    "Missing-Ids",
    "Retry-After",
    "X-Request-ID",
)
PREFLIGHT_MAX_AGE_SECONDS = 600


class _ProblemCORS(CORSMiddleware):
    """Starlette's CORS, except that a refused preflight is a problem document like any error."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code == 200:
            return response
        kept = {
            name: value
            for name, value in response.headers.items()
            if name not in ("content-length", "content-type")
        }
        detail = f"{bytes(response.body).decode()} for this preflight request"
        return problem(response.status_code, detail, headers=kept)


def with_cors(app: ASGIApp, origins: tuple[str, ...]) -> ASGIApp:
    if not origins:
        return app
    return _ProblemCORS(
        app,
        allow_origins=origins,
        allow_methods=METHODS,
        allow_headers=REQUEST_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        max_age=PREFLIGHT_MAX_AGE_SECONDS,
    )
