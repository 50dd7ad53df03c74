"""The write-back outbox: what each decision still owes the issues it planned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.items import ItemRef, Kind
from bot.domain.tracker_connections import (
    ConnectionState,
)
from bot.store.dialect import upsert_insert
from bot.store.models import (
    DecisionRow,
    DigestRunRow,
    ItemLinkRow,
    ItemRow,
    TrackerConnectionRow,
    TrackerWritebackRow,
)


@dataclass(frozen=True)
class Writeback:
    id: int
    decision_id: int
    link_id: int
    connection_id: int
    item_ref: ItemRef
    tracker_ref: str
    attempts: int


class WritebackRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- write-back outbox ---------------------------------------------------------------

    async def enqueue_writebacks(
        self, team_id: str, decision_id: int, item_ids: list[int], now: datetime
    ) -> int:
        """One outbox row per linked item of the decision; a second call adds none."""
        if not item_ids:
            return 0
        links = await self._session.scalars(
            select(ItemLinkRow.id).where(ItemLinkRow.item_id.in_(item_ids))
        )
        added = 0
        for link_id in links:
            stmt = upsert_insert(self._session, TrackerWritebackRow).values(
                team_id=team_id, decision_id=decision_id, item_link_id=link_id,
                created_at=now, done=False, attempts=0,
            ).on_conflict_do_nothing()
            added += int(getattr(await self._session.execute(stmt), "rowcount", 0) or 0)
        return added

    async def claim_writebacks(
        self, now: datetime, lease: timedelta, limit: int = 20
    ) -> list[Writeback]:
        """Take due write-backs of active connections for `lease`; another process skips them."""
        due = (await self._session.execute(
            select(TrackerWritebackRow.id)
            .join(ItemLinkRow, ItemLinkRow.id == TrackerWritebackRow.item_link_id)
            .join(TrackerConnectionRow, TrackerConnectionRow.id == ItemLinkRow.connection_id)
            .where(
                TrackerWritebackRow.done.is_(False),
                TrackerConnectionRow.state == ConnectionState.ACTIVE.value,
                or_(TrackerWritebackRow.lease_until.is_(None),
                    TrackerWritebackRow.lease_until <= now),
                or_(TrackerWritebackRow.next_attempt_at.is_(None),
                    TrackerWritebackRow.next_attempt_at <= now),
            ).order_by(TrackerWritebackRow.id).limit(limit)
        )).scalars().all()
        claimed: list[int] = []
        for writeback_id in due:
            # Compare-and-set: of two processes reading the same row, one update matches.
            result = await self._session.execute(update(TrackerWritebackRow).where(
                TrackerWritebackRow.id == writeback_id,
                TrackerWritebackRow.done.is_(False),
                or_(TrackerWritebackRow.lease_until.is_(None),
                    TrackerWritebackRow.lease_until <= now),
            ).values(lease_until=now + lease, attempts=TrackerWritebackRow.attempts + 1))
            if getattr(result, "rowcount", 0):
                claimed.append(writeback_id)
        if not claimed:
            return []
        rows = (await self._session.execute(
            select(TrackerWritebackRow.id, TrackerWritebackRow.decision_id, ItemLinkRow.id,
                   ItemLinkRow.connection_id, ItemRow.kind, ItemRow.number, ItemLinkRow.ref,
                   TrackerWritebackRow.attempts)
            .join(ItemLinkRow, ItemLinkRow.id == TrackerWritebackRow.item_link_id)
            .join(ItemRow, ItemRow.id == ItemLinkRow.item_id)
            .where(TrackerWritebackRow.id.in_(claimed)).order_by(TrackerWritebackRow.id)
        )).all()
        return [Writeback(r[0], r[1], r[2], r[3], ItemRef(Kind(r[4]), r[5]), r[6], r[7])
                for r in rows]

    async def finish_writeback(self, writeback_id: int, now: datetime) -> None:
        await self._session.execute(update(TrackerWritebackRow).where(
            TrackerWritebackRow.id == writeback_id
        ).values(done=True, done_at=now, lease_until=None, last_error=None))

    async def retry_writeback_later(
        self, writeback_id: int, at: datetime, error: str
    ) -> None:
        await self._session.execute(update(TrackerWritebackRow).where(
            TrackerWritebackRow.id == writeback_id
        ).values(lease_until=None, next_attempt_at=at, last_error=error))

    async def decision_thread(self, decision_id: int) -> tuple[str, str | None] | None:
        """(channel, digest parent ts) of the decision: where its Slack thread is."""
        row = (await self._session.execute(
            select(DecisionRow.channel_id, DigestRunRow.parent_ts)
            .join(DigestRunRow, DigestRunRow.id == DecisionRow.run_id)
            .where(DecisionRow.id == decision_id)
        )).one_or_none()
        return None if row is None else (str(row[0]), row[1])

    async def pending_writebacks(self, connection_id: int) -> int:
        count = await self._session.scalar(
            select(func.count()).select_from(TrackerWritebackRow)
            .join(ItemLinkRow, ItemLinkRow.id == TrackerWritebackRow.item_link_id)
            .where(ItemLinkRow.connection_id == connection_id,
                   TrackerWritebackRow.done.is_(False))
        )
        return int(count or 0)

