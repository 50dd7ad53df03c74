"""Workspace lifecycle: when a workspace removed the app, and deleting everything it stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.dialect import upsert_insert
from bot.store.models import (
    ChannelRoleRow,
    ChannelSettingsRow,
    DecisionRow,
    DigestRunRow,
    ItemChangeRow,
    ItemCounterRow,
    ItemLinkRow,
    ItemRow,
    ProcessedEventRow,
    TrackerConnectionRow,
    TrackerDeliveryRow,
    TrackerWritebackRow,
    VoteReactionRow,
    WorkspaceUninstallRow,
)

# Children before parents; votes, digest messages, agreements and decision items go by cascade.
_TEAM_TABLES = (
    TrackerWritebackRow,
    ItemLinkRow,
    TrackerDeliveryRow,
    TrackerConnectionRow,
    DecisionRow,
    DigestRunRow,
    VoteReactionRow,
    ProcessedEventRow,
    ItemChangeRow,
    ItemRow,
    ItemCounterRow,
    ChannelRoleRow,
    ChannelSettingsRow,
)


class WorkspaceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def mark_uninstalled(self, team_id: str, now: datetime) -> None:
        """Remember the first uninstall; a repeated event must not postpone the purge."""
        stmt = upsert_insert(self._session, WorkspaceUninstallRow).values(
            team_id=team_id, uninstalled_at=now
        )
        await self._session.execute(stmt.on_conflict_do_nothing(index_elements=["team_id"]))

    async def mark_installed(self, team_id: str) -> bool:
        """Cancel a pending purge; True when there was one."""
        result = await self._session.execute(
            delete(WorkspaceUninstallRow).where(WorkspaceUninstallRow.team_id == team_id)
        )
        return bool(getattr(result, "rowcount", 0))

    async def uninstalled_since(self, team_id: str) -> datetime | None:
        since: datetime | None = await self._session.scalar(
            select(WorkspaceUninstallRow.uninstalled_at).where(
                WorkspaceUninstallRow.team_id == team_id
            )
        )
        return since

    async def uninstalled_before(self, cutoff: datetime) -> list[str]:
        rows = await self._session.scalars(
            select(WorkspaceUninstallRow.team_id)
            .where(WorkspaceUninstallRow.uninstalled_at < cutoff)
            .order_by(WorkspaceUninstallRow.team_id)
        )
        return list(rows)

    async def purge(self, team_id: str) -> None:
        """Delete every row the workspace owns, then the uninstall mark itself."""
        for table in _TEAM_TABLES:
            await self._session.execute(delete(table).where(table.team_id == team_id))
        await self._session.execute(
            delete(WorkspaceUninstallRow).where(WorkspaceUninstallRow.team_id == team_id)
        )
