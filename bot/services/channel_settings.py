"""Use cases: a channel reads and changes its digest schedule and planning settings."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.channel_settings import ChannelSettings, WeeklySlot
from bot.store.unit_of_work import Store


async def get_settings(store: Store, *, team_id: str, channel_id: str) -> ChannelSettings:
    async with store.unit_of_work() as uow:
        return await uow.channels.get(team_id, channel_id)


async def change_settings(
    store: Store, *, team_id: str, channel_id: str, user_id: str, **changes: object
) -> ChannelSettings:
    """Apply the changes (e.g. budget_pct=30) and return the saved settings."""
    async with store.unit_of_work() as uow:
        current = await uow.channels.get(team_id, channel_id)
        updated = current.with_changes(**changes)
        await uow.channels.save(updated, user_id, datetime.now(UTC))
        await uow.commit()
    return updated


async def set_schedule(
    store: Store, *, team_id: str, channel_id: str, user_id: str, slot: WeeklySlot | None
) -> ChannelSettings:
    """Set or stop (slot=None) the weekly digest; setting one lifts an earlier pause.

    The first digest is the first slot after now, even if today's slot passed a minute ago.
    """
    return await change_settings(
        store, team_id=team_id, channel_id=channel_id, user_id=user_id,
        slot=slot, paused_reason=None, scheduled_since=datetime.now(UTC) if slot else None,
    )
