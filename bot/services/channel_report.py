"""Use case: the figures of every channel of a workspace that the caller can see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.domain.channel_report import (
    RECENT_DECISIONS,
    ChannelLine,
    channel_line,
    furthest_under_budget_first,
)
from bot.services.ports import ChannelVisibility
from bot.store.unit_of_work import Store


@dataclass(frozen=True)
class WorkspaceReport:
    lines: list[ChannelLine]  # furthest under budget first
    left_out: int  # channels using Tradeoff that the caller cannot see


async def workspace_report(
    store: Store,
    visibility: ChannelVisibility | None,
    *,
    team_id: str,
    user_id: str | None,
    now: datetime | None = None,
) -> WorkspaceReport:
    """`visibility` None (the CLI, run by an operator) reports every channel."""
    now = now or datetime.now(UTC)
    async with store.unit_of_work() as uow:
        channel_ids = await uow.report.channels_in_use(team_id)
    # Slack is asked outside the unit of work: a slow Slack must not hold the database.
    shown = (
        channel_ids if visibility is None or user_id is None
        else await visibility.visible_to(user_id, channel_ids)
    )
    lines = []
    async with store.unit_of_work() as uow:
        for channel_id in shown:
            settings = await uow.channels.get(team_id, channel_id)
            lines.append(channel_line(
                channel_id,
                items=await uow.items.list_open(team_id, channel_id),
                decisions=await uow.decisions.recent(team_id, channel_id, RECENT_DECISIONS),
                budget_pct=settings.budget_pct,
                digest_undecided=await uow.report.last_digest_undecided(team_id, channel_id),
                now=now,
            ))
    return WorkspaceReport(furthest_under_budget_first(lines), len(channel_ids) - len(shown))
