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

    One statement draws the number and writes the item and its audit row (see
    bot/store/new_items.py), so no lock on the workspace's counter outlives it and a failed save
    leaves no gap in the ids.
    """
    async with store.unit_of_work(autocommit=True) as uow:
        item = await uow.items.add(team_id, channel_id, author_id, draft, now or datetime.now(UTC))
        await uow.commit()
    return item
