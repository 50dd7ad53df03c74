"""Use case: an item is finished (`done`) or abandoned (`drop`)."""

from datetime import UTC, datetime

from bot.domain.items import Item, ItemRef, Status
from bot.services.errors import ItemInAnotherChannel, ItemNotFound, ItemNotOpen
from bot.store.unit_of_work import Store


async def close_item(
    store: Store,
    *,
    team_id: str,
    ref: ItemRef,
    status: Status,
    user_id: str,
    channel_id: str | None = None,
) -> Item:
    """Close an open item of the workspace; raises ItemNotFound or ItemNotOpen.

    With `channel_id` (a command typed in that channel), only that channel's items: the close
    is announced where it is typed, so another channel's item raises ItemInAnotherChannel.
    """
    async with store.unit_of_work() as uow:
        item = await uow.items.get(team_id, ref)
        if item is None:
            raise ItemNotFound(ref)
        if channel_id is not None and item.channel_id != channel_id:
            raise ItemInAnotherChannel(ref)
        now = datetime.now(UTC)
        if not await uow.items.set_status(team_id, ref, status, user_id, now):
            current = await uow.items.get(team_id, ref)
            raise ItemNotOpen(ref, current.status if current else item.status)
        await uow.commit()
    item.status, item.closed_by, item.closed_at, item.updated_at = status, user_id, now, now
    return item
