"""Entity tags for items and the conditional headers that carry them (RFC 9110, section 13).

An item's strong ETag names its id and version, `"<id>.<version>"`: the version changes with every
real change, and ids are never reused, so equal tags mean the same representation.
"""

import re

from domain.item import Item

# An entity tag (RFC 9110): optionally weak, then a quoted string of visible characters.
_ENTITY_TAG = re.compile(r'(W/)?"([\x21\x23-\x7e\x80-\xff]*)"')


def etag_for(item_id: int, version: int) -> str:
    return f'"{item_id}.{version}"'


def etag_of(item: Item) -> str:
    assert item.id is not None, "only stored items have tags"
    return etag_for(item.id, item.version)


def _entity_tags(header: str) -> list[tuple[bool, str]]:
    """(weak, opaque tag) for each well-formed tag in the header. Anything else in it matches no
    item: an If-Match we cannot read never lets a change through, an If-None-Match never hides one."""
    return [(weak == "W/", tag) for weak, tag in _ENTITY_TAG.findall(header)]


def expected_versions(if_match: str | None, item_id: int) -> frozenset[int] | None:
    """The versions `If-Match` allows the change for; None when it allows any (absent or `*`).

    Strong comparison: weak tags and tags of other items match no version.
    """
    if if_match is None or if_match.strip() == "*":
        return None
    prefix = f"{item_id}."
    versions = set()
    for weak, tag in _entity_tags(if_match):
        version = tag.removeprefix(prefix)
        # Strong comparison is character by character: "1.02" is not the tag of version 2.
        digits = version.isascii() and version.isdecimal()
        if not weak and tag.startswith(prefix) and digits and str(int(version)) == version:
            versions.add(int(version))
    return frozenset(versions)


def none_match(if_none_match: str | None, item: Item) -> bool:
    """Whether a GET with `If-None-Match` is answered 304 (weak comparison)."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    current = etag_of(item)[1:-1]
    return any(tag == current for _weak, tag in _entity_tags(if_none_match))
