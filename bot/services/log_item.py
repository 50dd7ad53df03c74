"""Use case: a tech lead logs debt, or a PM logs a feature request."""

from datetime import UTC, datetime

from bot.domain.items import Item, ItemDraft
from bot.store.unit_of_work import Store


async def log_item(
    store: Store,
    *,
    team_id: str,
    channel_id: str,
    author_id: str,
    draft: ItemDraft,
    now: datetime | None = None,
) -> Item:
    """Store the validated draft as a new open item and return it with its new id.

    The number is drawn in a transaction of its own: the workspace's counter row stays locked
    until its transaction commits, and held across the item's inserts it made every add in a
    workspace wait for the one before (the PostgreSQL quick-add benchmark found most sessions
    waiting on it). The price: a save that fails after the draw leaves a gap in the ids.
    """
    async with store.unit_of_work() as uow:
        number = await uow.items.allocate_number(team_id, draft.kind)
        await uow.commit()
    async with store.unit_of_work() as uow:
        when = now or datetime.now(UTC)
        item = await uow.items.add(team_id, channel_id, author_id, draft, when, number=number)
        await uow.commit()
    return item
