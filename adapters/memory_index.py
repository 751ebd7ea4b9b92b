"""The memory store's order-preserving index: every item's keyset key, kept sorted per sort field.

A page seeks where it starts (an offset, or just past a cursor's position) in O(log n) and then
reads only as many keys as it needs, instead of sorting every item for each page. Keys are the
keyset order's own (sort value, id) pairs, so ties are broken by id exactly as every store does.
"""

from __future__ import annotations

from collections.abc import Iterator

from sortedcontainers import SortedList

from domain.item import Item
from domain.listing import Position, Sort, SortField, order_key


class ItemIndex:
    def __init__(self) -> None:
        self._keys = {field: SortedList() for field in SortField}

    def move(self, old: Item | None, new: Item | None) -> None:
        """Swap `old`'s keys for `new`'s (None: no such item); only keys that change are touched."""
        for field, keys in self._keys.items():
            sort = Sort(field)
            old_key = None if old is None else order_key(old, sort)
            new_key = None if new is None else order_key(new, sort)
            if old_key == new_key:
                continue
            if old_key is not None:
                keys.remove(old_key)
            if new_key is not None:
                keys.add(new_key)

    def ids(self, sort: Sort, *, skip: int = 0, after: Position | None = None) -> Iterator[int]:
        """Ids in `sort` order, from the `skip`-th on, or from just past `after`."""
        keys = self._keys[sort.field]
        if after is not None:
            bound = (after.value, after.id)
            if sort.descending:
                found = keys.irange(maximum=bound, inclusive=(True, False), reverse=True)
            else:
                found = keys.irange(minimum=bound, inclusive=(False, True))
        elif sort.descending:
            # islice counts its bounds from the ascending start, then reads them backwards.
            found = keys.islice(0, max(0, len(keys) - skip), reverse=True)
        else:
            found = keys.islice(skip, None)
        return (item_id for _, item_id in found)
