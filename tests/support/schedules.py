"""A channel left with a digest due: the state a bot finds after being down over its slot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.channel_settings import WeeklySlot
from bot.services.channel_settings import set_schedule
from bot.store.unit_of_work import Store

TEAM, CHANNEL = "TSCHED", "C111"


def slot_at(moment: datetime) -> WeeklySlot:
    utc = moment.astimezone(UTC).replace(second=0, microsecond=0)
    return WeeklySlot(utc.weekday(), utc.time(), "UTC")


async def schedule_due(url: str, store: Store, slot: WeeklySlot, due: datetime) -> None:
    """The state a bot leaves behind when it went down before a digest was due: the schedule
    was set a day before the slot, and nothing has claimed the slot since."""
    del url  # the schedule is all in the channel's settings
    settings = await set_schedule(
        store, team_id=TEAM, channel_id=CHANNEL, user_id="ULEAD", slot=slot
    )
    set_earlier = settings.with_changes(scheduled_since=due - timedelta(days=1))
    async with store.unit_of_work() as uow:
        await uow.channels.save(set_earlier, "ULEAD", datetime.now(UTC))
        await uow.commit()
