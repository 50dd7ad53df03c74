"""Use case: an item is finished (`done`) or abandoned (`drop`)."""

from datetime import UTC, datetime

from bot.domain.items import Item, ItemRef, Status
from bot.services.errors import ItemNotFound, ItemNotOpen
from bot.store.unit_of_work import Store


async def close_item(
    store: Store, *, team_id: str, ref: ItemRef, status: Status, user_id: str
) -> Item:
    """Close an open item of the workspace; raises ItemNotFound or ItemNotOpen."""
    async with store.unit_of_work() as uow:
        item = await uow.items.get(team_id, ref)
        if item is None:
            raise ItemNotFound(ref)
        now = datetime.now(UTC)
        if not await uow.items.set_status(team_id, ref, status, user_id, now):
            current = await uow.items.get(team_id, ref)
            raise ItemNotOpen(ref, current.status if current else item.status)
        await uow.commit()
    item.status, item.closed_by, item.closed_at, item.updated_at = status, user_id, now, now
    return item
