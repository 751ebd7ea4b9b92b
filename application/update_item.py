from application.change_item import ItemChanger
from domain.item import Item


class UpdateItem(ItemChanger):
    """PATCH: only the fields given change."""

    async def __call__(
        self,
        item_id: int,
        *,
        name: str | None = None,
        description: str | None = None,
        expected_versions: frozenset[int] | None = None,
    ) -> Item:
        return await self._apply(item_id, name, description, expected_versions)
