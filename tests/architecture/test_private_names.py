"""The house rule on private names, checked: a dependency's `_name` is used only in the one function
that fences it (each fence has its test in tests/unit/test_private_names.py)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("domain", "application", "adapters", "entrypoints", "bench", "cluster", "tests")

# Where each private name may appear: the one function that fences it.
FENCES = {
    "_invalidate": {"adapters/sqlalchemy/pool_invalidation.py"},
    "_srcfile": {"entrypoints/observability/logs.py"},
}
# Underscored by design, documented as public (namedtuple's methods).
PUBLIC = {"_replace", "_asdict", "_fields", "_make"}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _private_uses(tree: ast.AST) -> list[tuple[int, str]]:
    """`something._name` where something is not self or cls, `import a._b`, `from a._b import c`
    and, from a dependency, `from a import _c`."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in {"self", "cls"}) and node.attr not in PUBLIC:
                found.append((node.lineno, node.attr))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = node.module.split(".")
            if names[0] not in FOLDERS:  # the project's own modules may share their private names
                names += [alias.name for alias in node.names]
            found += [(node.lineno, name) for name in names if _private(name)]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                found += [(node.lineno, part) for part in alias.name.split(".") if _private(part)]
    return found


def test_private_names_of_dependencies_are_used_only_behind_their_fence() -> None:
    outside = [
        f"{path}:{line}: {name}"
        for folder in FOLDERS
        for file in sorted((ROOT / folder).rglob("*.py"))
        for path in [file.relative_to(ROOT).as_posix()]
        for line, name in _private_uses(ast.parse(file.read_text(), str(file)))
        if path not in FENCES.get(name, set())
    ]
    assert not outside, "a private name used outside its fence (see tests/unit/test_private_names.py):\n" + (
        "\n".join(outside)
    )
