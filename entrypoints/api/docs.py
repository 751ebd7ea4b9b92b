"""/docs (Swagger UI) and /redoc, with every asset served by the service itself, so the pages
render on a machine with no internet access.

The bundles come from the fastapi-offline package (swagger-ui-dist and redoc, byte for byte);
their licences and third-party notices, which that package leaves out, ship in docs_licenses/
and are served beside the bundles (each bundle's first line points at its notice by a relative
name). FastAPI's own pages are switched off in the app factory; DOCS_ENABLED=false leaves them off.
"""

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
ASSETS_URL = "/docs/assets"
# The swagger-ui-dist and redoc versions that fastapi-offline ships and docs_licenses/ was taken
# from: a test fails when the package brings other bundles, so the notices are refreshed with them.
SWAGGER_UI_VERSION = "5.32.6"
REDOC_VERSION = "2.5.3"
_SWAGGER_UI_PARAMETERS = {
    # Swagger UI otherwise sends the document to validator.swagger.io for a badge.
    "validatorUrl": None,
}


def install_docs(app: FastAPI, *, enabled: bool) -> None:
    if not enabled:
        return
    assets = StaticFiles(packages=[("fastapi_offline", "static"), ("entrypoints.api", "docs_licenses")])

    # A route rather than a mount, so metrics and the access log name it; StaticFiles still answers
    # (content type, ETag, 304, 404 for anything else, nothing outside its two directories).
    @app.get(f"{ASSETS_URL}/{{name}}", include_in_schema=False)
    async def asset(name: str, request: Request) -> Response:
        return await assets.get_response(name, request.scope)

    def under_root(request: Request, path: str) -> str:
        return f"{request.scope.get('root_path', '')}{path}"

    def asset_url(request: Request, name: str) -> str:
        return under_root(request, f"{ASSETS_URL}/{name}")

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=under_root(request, app.openapi_url or ""),
            title=f"{app.title} - Swagger UI",
            swagger_js_url=asset_url(request, "swagger-ui-bundle.js"),
            swagger_css_url=asset_url(request, "swagger-ui.css"),
            swagger_favicon_url=asset_url(request, "favicon.png"),
            oauth2_redirect_url=under_root(request, OAUTH2_REDIRECT_URL),
            swagger_ui_parameters=_SWAGGER_UI_PARAMETERS,
        )

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        return get_redoc_html(
            openapi_url=under_root(request, app.openapi_url or ""),
            title=f"{app.title} - ReDoc",
            redoc_js_url=asset_url(request, "redoc.standalone.js"),
            redoc_favicon_url=asset_url(request, "favicon.png"),
            with_google_fonts=False,
        )
