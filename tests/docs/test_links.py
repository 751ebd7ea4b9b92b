"""Every relative link in the project's Markdown leads somewhere: the file exists, and an `#anchor`
(on the same page or another) is the GitHub slug of one of that page's headings.

Pages: README.md, tests/README.md and docs/*.md. Links in fenced code blocks and inline code are
not links; absolute URLs (http:, https:, mailto:, ...) are not checked (no network here).
"""

import os
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([ROOT / "README.md", ROOT / "tests" / "README.md", *(ROOT / "docs").glob("*.md")])

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+).+?\1")
# [text](target) and ![alt](target), with an optional "title"; [label]: target definitions.
_INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def _prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks."""
    lines: list[tuple[int, str]] = []
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)[0] * 3
        elif fence is not None and line.lstrip().startswith(fence):
            fence = None
        elif fence is None:
            lines.append((number, line))
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: formatting and punctuation dropped, lower case, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = text.replace("`", "").lower()
    kept = "".join(
        char
        for char in text
        if char in " -_" or unicodedata.category(char)[0] in "LN" or unicodedata.category(char) == "Mn"
    )
    return kept.replace(" ", "-")


def anchors_of(page: Path) -> set[str]:
    """Every heading's slug; a repeated heading gets -1, -2, ... as on GitHub."""
    seen: dict[str, int] = {}
    anchors: set[str] = set()
    for _, line in _prose_lines(page.read_text(encoding="utf-8")):
        heading = _HEADING.match(line)
        if heading is None:
            continue
        base = slug(heading.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        anchors.add(base if count == 0 else f"{base}-{count}")
    return anchors


def links_of(page: Path) -> list[tuple[int, str]]:
    """(line number, target) of every link outside code."""
    found: list[tuple[int, str]] = []
    for number, line in _prose_lines(page.read_text(encoding="utf-8")):
        prose = _INLINE_CODE.sub("", line)
        found.extend((number, target) for target in _INLINE_LINK.findall(prose))
        if definition := _DEFINITION.match(prose):
            found.append((number, definition.group(1)))
    return found


def broken_links(page: Path, root: Path = ROOT) -> list[str]:
    """One message per relative link on `page` that leads nowhere, naming the page from `root`."""
    broken: list[str] = []
    where = page.relative_to(root)
    for number, target in links_of(page):
        if _SCHEME.match(target):
            continue
        path_part, _, anchor = target.partition("#")
        destination = (page.parent / unquote(path_part)).resolve() if path_part else page
        shown = f"{where}:{number}: link ({target})"
        if not destination.exists():
            broken.append(f"{shown}: no file {os.path.relpath(destination, root)}")
            continue
        if anchor and destination.suffix == ".md":
            anchors = anchors_of(destination)
            if unquote(anchor).lower() not in anchors:
                known = ", ".join(sorted(anchors))
                broken.append(f"{shown}: no heading with anchor #{anchor} in {destination.name} ({known})")
    return broken


@pytest.mark.parametrize("page", PAGES, ids=[str(page.relative_to(ROOT)) for page in PAGES])
def test_every_relative_link_resolves(page: Path) -> None:
    broken = broken_links(page)
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_the_pages_are_found() -> None:
    names = {str(page.relative_to(ROOT)) for page in PAGES}
    assert {"README.md", "tests/README.md", "docs/api.md", "docs/development.md"} <= names


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Two commands", "two-commands"),
        ("The `items` command", "the-items-command"),
        ("Tracing (OpenTelemetry)", "tracing-opentelemetry"),
        ("Concurrency: ETags and conditional requests", "concurrency-etags-and-conditional-requests"),
        ("Bounds: bad input is a 4xx, never a 500", "bounds-bad-input-is-a-4xx-never-a-500"),
        ("Deep pages: cursor versus offset", "deep-pages-cursor-versus-offset"),
        ("POST /items/, file by file", "post-items-file-by-file"),
        ("snake_case and [a link](x.md)", "snake_case-and-a-link"),
    ],
)
def test_slugs_are_githubs(heading: str, anchor: str) -> None:
    assert slug(heading) == anchor


def test_a_broken_link_is_named_with_its_page(tmp_path: Path) -> None:
    page = tmp_path / "docs" / "probe.md"
    page.parent.mkdir()
    page.write_text(
        "# Probe\n\n[gone](missing.md) [here](#probe) [there](#nowhere)\n```\n[code](x.md)\n```\n"
    )
    broken = broken_links(page, root=tmp_path)
    assert len(broken) == 2, broken
    assert broken[0] == "docs/probe.md:3: link (missing.md): no file docs/missing.md"
    assert "no heading with anchor #nowhere" in broken[1]
