"""The README's request walkthrough names files that exist: a file moved or renamed fails here
until the walkthrough says where it went."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_PATH = re.compile(r"`((?:domain|application|adapters|entrypoints)/[\w/]+\.py)`")


def _walkthrough() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme[readme.index("<!-- BEGIN walkthrough") : readme.index("<!-- END walkthrough -->")]


def test_every_file_the_walkthrough_names_exists() -> None:
    named = _PATH.findall(_walkthrough())
    assert len(named) >= 9
    assert [path for path in named if not (ROOT / path).is_file()] == []
