"""Use case: what one person sees on Tradeoff's Home tab."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.domain.channel_settings import ChannelSettings
from bot.domain.items import Item
from bot.domain.scoring import Ranked, rank
from bot.store.unit_of_work import Store

# A Home view holds 100 blocks; these keep it readable and far inside that.
HOME_CHANNELS = 5
HOME_ITEMS_PER_KIND = 5
HOME_OWN_ITEMS = 10


@dataclass(frozen=True)
class ChannelBoard:
    channel_id: str
    settings: ChannelSettings
    debt: list[Ranked]
    features: list[Ranked]
    next_digest: datetime | None

    @property
    def open_count(self) -> int:
        return len(self.debt) + len(self.features)


@dataclass(frozen=True)
class HomeData:
    boards: list[ChannelBoard]
    hidden_channels: int
    own_items: list[Item]


async def home_data(
    store: Store, *, team_id: str, user_id: str, channel_ids: Sequence[str],
    now: datetime | None = None,
) -> HomeData:
    """The open backlog of the person's channels (busiest first), and their own open items.

    `channel_ids` are the channels the person is a member of: Home never shows a channel's
    items to someone outside it.
    """
    now = now or datetime.now(UTC)
    async with store.unit_of_work() as uow:
        items = await uow.items.open_in_channels(team_id, list(channel_ids))
        by_channel: dict[str, list[Item]] = {}
        for item in items:
            by_channel.setdefault(item.channel_id, []).append(item)
        busiest = sorted(by_channel, key=lambda c: (-len(by_channel[c]), c))
        boards = []
        for channel_id in busiest[:HOME_CHANNELS]:
            settings = await uow.channels.get(team_id, channel_id)
            count = not settings.votes_hidden
            ranked = rank(by_channel[channel_id], count_votes=count)
            slot = settings.slot if settings.is_scheduled else None
            boards.append(ChannelBoard(
                channel_id=channel_id,
                settings=settings,
                debt=[r for r in ranked if not r.item.kind.is_feature],  # with bugs
                features=[r for r in ranked if r.item.kind.is_feature],
                next_digest=slot.next_after(now) if slot else None,
            ))
        own = await uow.items.open_by_author(team_id, user_id, HOME_OWN_ITEMS)
    visible = set(channel_ids)
    return HomeData(
        boards=boards,
        hidden_channels=max(0, len(busiest) - HOME_CHANNELS),
        # Own items stay private to their channels too, should the person have left one.
        own_items=[item for item in own if item.channel_id in visible],
    )
