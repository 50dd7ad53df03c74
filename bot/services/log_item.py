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
    """Store the validated draft as a new open item and return it with its new id."""
    async with store.unit_of_work() as uow:
        when = now or datetime.now(UTC)
        item = await uow.items.add(team_id, channel_id, author_id, draft, when)
        await uow.commit()
    return item
