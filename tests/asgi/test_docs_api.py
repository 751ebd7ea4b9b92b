"""/docs and /redoc work with no internet: every script, style sheet and icon they name comes from
the service itself, beside the licences of what it serves; DOCS_ENABLED=false switches them off."""

import re
from html.parser import HTMLParser
from importlib.resources import files

import httpx
import pytest

from entrypoints.api.docs import REDOC_VERSION, SWAGGER_UI_VERSION
from tests.support.asgi import ClientFactory

PAGES = ("/docs", "/redoc")
# What each kind of asset must be served as, for a browser to use it.
MEDIA_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".json": "application/json",
}
LICENSES = sorted(entry.name for entry in files("entrypoints.api").joinpath("docs_licenses").iterdir())


class _References(HTMLParser):
    """Every URL a page makes the browser load: src and href attributes, ReDoc's spec-url, and the
    quoted paths in inline scripts (Swagger UI's document and OAuth2 redirect)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        self.urls += [value for name, value in attrs if name in ("src", "href", "spec-url") and value]

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.urls += re.findall(r"'(/[^']*)'", data)


@pytest.fixture
def database_url() -> str:
    """The docs do not touch the store: the memory one is enough."""
    return "memory://"


def _references(html: str) -> list[str]:
    parser = _References()
    parser.feed(html)
    return parser.urls


@pytest.mark.parametrize("page", PAGES)
async def test_docs_page_references_no_outside_host(client: httpx.AsyncClient, page: str) -> None:
    response = await client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    # No absolute or scheme-relative URL anywhere in the page, not even in a comment or a script.
    assert not re.search(r"https?:|//[a-z]", response.text, re.IGNORECASE), response.text
    references = _references(response.text)
    assert references, response.text
    assert all(url.startswith("/") and not url.startswith("//") for url in references), references


@pytest.mark.parametrize("page", PAGES)
async def test_every_asset_a_docs_page_names_is_served(client: httpx.AsyncClient, page: str) -> None:
    references = _references((await client.get(page)).text)
    # Both pages need a script, the document and an icon; Swagger UI its style sheet too.
    assert {url.rpartition(".")[2] for url in references} >= {"js", "json", "png"}
    for url in references:
        response = await client.get(url)
        assert response.status_code == 200, url
        suffix = url[url.rindex(".") :] if "." in url.rpartition("/")[2] else None
        if suffix is not None:
            assert response.headers["content-type"].startswith(MEDIA_TYPES[suffix]), url
        assert response.content, url


@pytest.mark.parametrize("name", LICENSES)
async def test_the_licences_of_the_docs_bundles_are_served(client: httpx.AsyncClient, name: str) -> None:
    response = await client.get(f"/docs/assets/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.strip()


@pytest.mark.parametrize(
    ("bundle", "version"),
    [("swagger-ui-bundle.js", SWAGGER_UI_VERSION), ("redoc.standalone.js", REDOC_VERSION)],
)
async def test_each_bundle_is_the_version_its_served_notice_is_for(
    client: httpx.AsyncClient, bundle: str, version: str
) -> None:
    """The bundles come from a dependency, the notices from docs_licenses/: after an upgrade that
    brings other bundles, this fails until the notices are taken from the same release."""
    text = (await client.get(f"/docs/assets/{bundle}")).text
    first_line = text.partition("\n")[0]
    assert first_line == f"/*! For license information please see {bundle}.LICENSE.txt */"
    assert (await client.get(f"/docs/assets/{bundle}.LICENSE.txt")).status_code == 200
    assert f'"{version}"' in text


async def test_docs_assets_are_conditional(client: httpx.AsyncClient) -> None:
    first = await client.get("/docs/assets/swagger-ui.css")
    again = await client.get("/docs/assets/swagger-ui.css", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("path", ["/docs/assets/nothing.js", "/docs/assets/..%2Fdocs.py", "/docs/assets/"])
async def test_only_the_docs_assets_are_served(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "path", ["/docs", "/redoc", "/docs/oauth2-redirect", "/docs/assets/swagger-ui-bundle.js"]
)
async def test_docs_disabled_answers_404_for_the_pages(client_with: ClientFactory, path: str) -> None:
    async with client_with(docs_enabled=False) as client:
        response = await client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


async def test_docs_disabled_keeps_the_openapi_document(client_with: ClientFactory) -> None:
    async with client_with(docs_enabled=False) as client:
        response = await client.get("/openapi.json")
        assert response.status_code == 200
        assert response.json()["paths"]


async def test_docs_and_their_assets_need_no_key_when_reads_do(client_with: ClientFactory) -> None:
    async with client_with(api_keys="secret", api_keys_for_reads=True) as client:
        assert (await client.get("/items/")).status_code == 401
        page = await client.get("/docs")
        assert page.status_code == 200
        for url in _references(page.text):
            assert (await client.get(url)).status_code == 200, url
