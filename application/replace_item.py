from application.change_item import ItemChanger
from domain.item import CLIENT_FIELDS, Item, ItemDraft


class ReplaceItem(ItemChanger):
    """PUT: every field is given (the draft's defaults for those a client left out)."""

    async def __call__(
        self, item_id: int, draft: ItemDraft, expected_versions: frozenset[int] | None = None
    ) -> Item:
        return await self._apply(
            item_id, {name: getattr(draft, name) for name in CLIENT_FIELDS}, expected_versions
        )
