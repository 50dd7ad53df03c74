"""Use case: what is open in a channel right now."""

from bot.domain.items import Item
from bot.store.unit_of_work import Store


async def list_open_items(store: Store, *, team_id: str, channel_id: str) -> list[Item]:
    """Open items of the channel with their votes; debt first, then features, by id."""
    async with store.unit_of_work() as uow:
        return await uow.items.list_open(team_id, channel_id)
