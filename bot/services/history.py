"""Use case: the channel's recorded decisions, newest first."""

from __future__ import annotations

from bot.domain.decisions import Decision
from bot.store.unit_of_work import Store

DEFAULT_HISTORY = 5
MAX_HISTORY = 20


async def recent_decisions(
    store: Store, *, team_id: str, channel_id: str, limit: int
) -> list[Decision]:
    async with store.unit_of_work() as uow:
        return await uow.decisions.recent(team_id, channel_id, min(limit, MAX_HISTORY))
