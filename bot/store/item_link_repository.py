"""Items linked to tracker issues, and the changes the tracker makes to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.items import ItemRef, Kind
from bot.domain.tracker_sync import SyncAction, SyncChange
from bot.store.dialect import upsert_insert
from bot.store.models import (
    ItemChangeRow,
    ItemLinkRow,
    ItemRow,
)


@dataclass(frozen=True)
class LinkedItem:
    link_id: int
    item_id: int
    ref: ItemRef
    status: str
    title: str
    tracker_ref: str
    seen_updated_at: datetime | None
    closed_by: str | None


class ItemLinkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- links ---------------------------------------------------------------------------

    async def link(
        self, *, team_id: str, connection_id: int, item_id: int, ref: str, url: str,
        now: datetime, seen_updated_at: datetime | None = None,
    ) -> bool:
        """Link the item to the issue; False when the issue or the item is linked already."""
        stmt = upsert_insert(self._session, ItemLinkRow).values(
            team_id=team_id, connection_id=connection_id, item_id=item_id, ref=ref, url=url,
            created_at=now, seen_updated_at=seen_updated_at,
        ).on_conflict_do_nothing()
        result = await self._session.execute(stmt)
        if not getattr(result, "rowcount", 0):
            return False
        await self._session.execute(
            update(ItemRow).where(ItemRow.id == item_id).values(tracker_ref=ref, link=url)
        )
        return True

    async def linked_refs(self, connection_id: int) -> set[str]:
        rows = await self._session.scalars(
            select(ItemLinkRow.ref).where(ItemLinkRow.connection_id == connection_id)
        )
        return set(rows)

    async def link_of_item(self, team_id: str, ref: ItemRef) -> tuple[int, str, str] | None:
        """(item id, tracker ref, url) of a linked item; None when it is not linked."""
        row = (await self._session.execute(
            select(ItemRow.id, ItemLinkRow.ref, ItemLinkRow.url)
            .join(ItemLinkRow, ItemLinkRow.item_id == ItemRow.id)
            .where(ItemRow.team_id == team_id, ItemRow.kind == ref.kind.value,
                   ItemRow.number == ref.number)
        )).one_or_none()
        return None if row is None else (int(row[0]), str(row[1]), str(row[2]))

    async def item_id(self, team_id: str, ref: ItemRef) -> int | None:
        found: int | None = await self._session.scalar(select(ItemRow.id).where(
            ItemRow.team_id == team_id, ItemRow.kind == ref.kind.value,
            ItemRow.number == ref.number,
        ))
        return found

    async def linked_item(self, connection_id: int, tracker_ref: str) -> LinkedItem | None:
        row = (await self._session.execute(
            select(ItemLinkRow.id, ItemRow.id, ItemRow.kind, ItemRow.number, ItemRow.status,
                   ItemRow.title, ItemLinkRow.ref, ItemLinkRow.seen_updated_at,
                   ItemRow.closed_by)
            .join(ItemRow, ItemRow.id == ItemLinkRow.item_id)
            .where(ItemLinkRow.connection_id == connection_id, ItemLinkRow.ref == tracker_ref)
        )).one_or_none()
        if row is None:
            return None
        return LinkedItem(row[0], row[1], ItemRef(Kind(row[2]), row[3]), row[4], row[5],
                          row[6], row[7], row[8])

    async def apply_sync(
        self, team_id: str, item_id: int, ref: ItemRef, change: SyncChange, actor: str,
        now: datetime,
    ) -> bool:
        """Apply one change from the tracker to the item, with its history; False when the
        item moved meanwhile (the change no longer applies)."""
        row = await self._session.get(ItemRow, item_id, with_for_update=True)
        if row is None:
            return False
        if change.action is SyncAction.RENAME and change.title:
            old, new, field = row.title, change.title, "title"
            row.title = change.title
        elif change.action is SyncAction.CLOSE and row.status in ("open", "planned"):
            closed_as = change.closed_as.value
            old, new, field = row.status, f"{closed_as} ({change.note})", "status"
            row.status, row.closed_at, row.closed_by = closed_as, now, actor
        elif change.action is SyncAction.REOPEN and row.status in ("done", "dropped"):
            old, new, field = row.status, f"open ({change.note})", "status"
            row.status, row.closed_at, row.closed_by = "open", None, None
        else:
            return False
        row.updated_at = now
        self._session.add(ItemChangeRow(
            team_id=team_id, item_kind=ref.kind.value, item_number=ref.number, field=field,
            old_value=old, new_value=new, changed_by=actor, changed_at=now,
        ))
        return True

    async def mark_seen(self, link_id: int, updated_at: datetime) -> None:
        await self._session.execute(
            update(ItemLinkRow).where(ItemLinkRow.id == link_id)
            .values(seen_updated_at=updated_at)
        )

