"""Reads for the report across channels: which channels of a workspace use Tradeoff, and
whether each one's last digest still waits for a decision."""

from __future__ import annotations

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import ChannelSettingsRow, DecisionRow, DigestRunRow, ItemRow


class ReportReads:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def channels_in_use(self, team_id: str) -> list[str]:
        """Every channel with an item, a decision or its own settings, sorted by id."""
        rows = await self._session.scalars(
            union(
                select(ItemRow.channel_id).where(ItemRow.team_id == team_id),
                select(DecisionRow.channel_id).where(DecisionRow.team_id == team_id),
                select(ChannelSettingsRow.channel_id).where(ChannelSettingsRow.team_id == team_id),
            )
        )
        return sorted(set(rows))

    async def last_digest_undecided(self, team_id: str, channel_id: str) -> bool:
        """The channel's newest posted digest has no decision recorded on it."""
        run_id = await self._session.scalar(
            select(DigestRunRow.id)
            .where(
                DigestRunRow.team_id == team_id,
                DigestRunRow.channel_id == channel_id,
                DigestRunRow.status == "complete",
            )
            .order_by(DigestRunRow.created_at.desc(), DigestRunRow.id.desc())
            .limit(1)
        )
        if run_id is None:
            return False
        decided = await self._session.scalar(
            select(DecisionRow.id).where(DecisionRow.run_id == run_id)
        )
        return decided is None
