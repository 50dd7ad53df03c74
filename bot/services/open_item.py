"""Loading the one item a change is about: it must exist and still be open."""

from __future__ import annotations

from bot.domain.items import Item, ItemRef, Status
from bot.services.errors import ItemNotFound, ItemNotOpen
from bot.store.unit_of_work import UnitOfWork


async def load_open_item(uow: UnitOfWork, team_id: str, ref: ItemRef) -> Item:
    """The workspace's item `ref`; raises ItemNotFound or ItemNotOpen."""
    item = await uow.items.get(team_id, ref)
    if item is None:
        raise ItemNotFound(ref)
    if item.status is not Status.OPEN:
        raise ItemNotOpen(ref, item.status)
    return item
