"""Use case: the channel's trends over the last weeks, ready to draw and to summarise."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.trends import MAX_WEEKS, Trends, compute_trends
from bot.store.unit_of_work import Store

# Weekly digests: more decisions than weeks would need several decisions a week.
_DECISIONS_PER_WEEK = 7


async def channel_trends(
    store: Store, *, team_id: str, channel_id: str, weeks: int, now: datetime | None = None
) -> Trends:
    now = now or datetime.now(UTC)
    weeks = max(1, min(weeks, MAX_WEEKS))
    async with store.unit_of_work() as uow:
        items = await uow.items.all_in_channel(team_id, channel_id)
        decisions = await uow.decisions.recent(team_id, channel_id, weeks * _DECISIONS_PER_WEEK)
        settings = await uow.channels.get(team_id, channel_id)
    return compute_trends(items, decisions, budget_pct=settings.budget_pct, now=now, weeks=weeks)
