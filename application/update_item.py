from typing import Any

from application.change_item import ItemChanger
from domain.item import Item


class UpdateItem(ItemChanger):
    """PATCH: only the fields given change (a keyword per client field; None keeps its value)."""

    async def __call__(
        self, item_id: int, *, expected_versions: frozenset[int] | None = None, **fields: Any
    ) -> Item:
        return await self._apply(item_id, fields, expected_versions)
