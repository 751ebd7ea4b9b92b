from application.change_item import ItemChanger
from domain.item import Item


class ReplaceItem(ItemChanger):
    """PUT: every field is given; a field left out takes its default."""

    async def __call__(
        self,
        item_id: int,
        name: str,
        description: str = "",
        expected_versions: frozenset[int] | None = None,
    ) -> Item:
        return await self._apply(item_id, name, description, expected_versions)
