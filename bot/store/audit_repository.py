"""Every change to an item: who changed which field, when, from what to what."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.items import ItemChange, ItemRef
from bot.store.models import ItemChangeRow


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self,
        team_id: str,
        ref: ItemRef,
        field: str,
        old: str | None,
        new: str | None,
        by_user: str,
        now: datetime,
    ) -> None:
        self._session.add(
            ItemChangeRow(
                team_id=team_id, item_kind=ref.kind.value, item_number=ref.number, field=field,
                old_value=old, new_value=new, changed_by=by_user, changed_at=now,
            )
        )

    async def purge_team(self, team_id: str) -> None:
        await self._session.execute(delete(ItemChangeRow).where(ItemChangeRow.team_id == team_id))

    async def trail(self, team_id: str, ref: ItemRef) -> list[ItemChange]:
        """The item's audit trail, oldest first."""
        rows = await self._session.scalars(
            select(ItemChangeRow)
            .where(
                ItemChangeRow.team_id == team_id,
                ItemChangeRow.item_kind == ref.kind.value,
                ItemChangeRow.item_number == ref.number,
            )
            .order_by(ItemChangeRow.changed_at, ItemChangeRow.id)
        )
        return [
            ItemChange(r.field, r.old_value, r.new_value, r.changed_by, r.changed_at) for r in rows
        ]
