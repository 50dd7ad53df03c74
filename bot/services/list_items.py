"""Use case: what is open in a channel right now."""

from dataclasses import dataclass

from bot.domain.channel_settings import ChannelSettings
from bot.domain.items import Item
from bot.store.unit_of_work import Store


@dataclass(frozen=True)
class ListingState:
    """What a channel's list is built from: equal states give equal lists."""

    fingerprint: str
    votes_hidden: bool


async def list_open_items(store: Store, *, team_id: str, channel_id: str) -> list[Item]:
    """Open items of the channel with their votes; debt first, then features, by id."""
    async with store.unit_of_work() as uow:
        return await uow.items.list_open(team_id, channel_id)


async def listing_state(store: Store, *, team_id: str, channel_id: str) -> ListingState:
    """The channel's listing state, read without reading its items, in one statement (so
    without a transaction around it)."""
    async with store.unit_of_work(autocommit=True) as uow:
        fingerprint, votes_hidden = await uow.items.listing_state(team_id, channel_id)
    if votes_hidden is None:
        votes_hidden = ChannelSettings(team_id, channel_id).votes_hidden
    return ListingState(fingerprint, votes_hidden)
