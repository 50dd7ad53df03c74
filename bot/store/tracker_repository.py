"""Tracker connections, item links, the write-back outbox and webhook deliveries.

Secrets go in and out only as sealed (encrypted) strings: this module never sees a token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.items import ItemRef, Kind
from bot.domain.tracker_connections import (
    ConnectionState,
    ItemLink,
    TrackerConnection,
    TrackerKind,
)
from bot.domain.tracker_sync import SyncAction, SyncChange
from bot.store.dialect import upsert_insert
from bot.store.models import (
    DecisionRow,
    DigestRunRow,
    ItemChangeRow,
    ItemLinkRow,
    ItemRow,
    TrackerConnectionRow,
    TrackerDeliveryRow,
    TrackerWritebackRow,
)


@dataclass(frozen=True)
class SealedConnection:
    connection: TrackerConnection
    credentials: str  # sealed
    webhook_secret: str | None  # sealed


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


@dataclass(frozen=True)
class Writeback:
    id: int
    decision_id: int
    link_id: int
    connection_id: int
    item_ref: ItemRef
    tracker_ref: str
    attempts: int


def _connection(row: TrackerConnectionRow) -> TrackerConnection:
    return TrackerConnection(
        id=row.id, team_id=row.team_id, channel_id=row.channel_id, kind=TrackerKind(row.kind),
        target=row.target, project=row.project,
        debt_labels=tuple(label for label in row.debt_labels.split(",") if label),
        state=ConnectionState(row.state), paused_reason=row.paused_reason,
        last_sync_at=row.last_sync_at, last_error=row.last_error, poll_cursor=row.poll_cursor,
        has_webhook_secret=row.webhook_secret is not None,
    )


class TrackerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- connections ---------------------------------------------------------------------

    async def save_connection(
        self, *, team_id: str, channel_id: str, kind: TrackerKind, target: str,
        project: str | None, credentials: str, webhook_secret: str | None,
        debt_labels: tuple[str, ...], by_user: str, now: datetime,
    ) -> TrackerConnection:
        """Connect the channel (or replace its connection to this kind of tracker, active)."""
        values = dict(
            target=target, project=project, credentials=credentials,
            webhook_secret=webhook_secret, debt_labels=",".join(debt_labels),
            state=ConnectionState.ACTIVE.value, paused_reason=None, last_error=None,
        )
        stmt = upsert_insert(self._session, TrackerConnectionRow).values(
            team_id=team_id, channel_id=channel_id, kind=kind.value, created_by=by_user,
            created_at=now, **values,
        )
        await self._session.execute(stmt.on_conflict_do_update(
            index_elements=["team_id", "channel_id", "kind"], set_=values
        ))
        found = await self.get(team_id, channel_id, kind)
        assert found is not None
        return found.connection

    async def get(
        self, team_id: str, channel_id: str, kind: TrackerKind
    ) -> SealedConnection | None:
        row = await self._session.scalar(select(TrackerConnectionRow).where(
            TrackerConnectionRow.team_id == team_id,
            TrackerConnectionRow.channel_id == channel_id,
            TrackerConnectionRow.kind == kind.value,
        ))
        return None if row is None else _sealed(row)

    async def get_by_id(self, connection_id: int) -> SealedConnection | None:
        row = await self._session.get(TrackerConnectionRow, connection_id)
        return None if row is None else _sealed(row)

    async def in_channel(self, team_id: str, channel_id: str) -> list[TrackerConnection]:
        rows = await self._session.scalars(select(TrackerConnectionRow).where(
            TrackerConnectionRow.team_id == team_id,
            TrackerConnectionRow.channel_id == channel_id,
        ).order_by(TrackerConnectionRow.kind))
        return [_connection(row) for row in rows]

    async def for_repo(self, kind: TrackerKind, target: str) -> list[SealedConnection]:
        """Every connection to this repository (webhooks name the repo, not the channel)."""
        rows = await self._session.scalars(select(TrackerConnectionRow).where(
            TrackerConnectionRow.kind == kind.value,
            func.lower(TrackerConnectionRow.target) == target.lower(),
        ).order_by(TrackerConnectionRow.id))
        return [_sealed(row) for row in rows]

    async def delete(self, team_id: str, channel_id: str, kind: TrackerKind) -> bool:
        """Remove the connection, its credentials, its links and pending write-backs."""
        found = await self.get(team_id, channel_id, kind)
        if found is None:
            return False
        link_ids = select(ItemLinkRow.id).where(ItemLinkRow.connection_id == found.connection.id)
        items = select(ItemLinkRow.item_id).where(ItemLinkRow.connection_id == found.connection.id)
        await self._session.execute(
            update(ItemRow).where(ItemRow.id.in_(items)).values(tracker_ref=None)
        )
        await self._session.execute(
            delete(TrackerWritebackRow).where(TrackerWritebackRow.item_link_id.in_(link_ids))
        )
        await self._session.execute(
            delete(ItemLinkRow).where(ItemLinkRow.connection_id == found.connection.id)
        )
        await self._session.execute(
            delete(TrackerConnectionRow).where(TrackerConnectionRow.id == found.connection.id)
        )
        return True

    async def pause(self, connection_id: int, reason: str) -> None:
        await self._session.execute(update(TrackerConnectionRow).where(
            TrackerConnectionRow.id == connection_id
        ).values(state=ConnectionState.PAUSED.value, paused_reason=reason, last_error=reason))

    async def record_error(self, connection_id: int, error: str) -> None:
        await self._session.execute(update(TrackerConnectionRow).where(
            TrackerConnectionRow.id == connection_id
        ).values(last_error=error))

    async def record_sync(
        self, connection_id: int, now: datetime, cursor: datetime | None
    ) -> None:
        values: dict[str, object] = {"last_sync_at": now, "last_error": None}
        if cursor is not None:
            values["poll_cursor"] = cursor
        await self._session.execute(update(TrackerConnectionRow).where(
            TrackerConnectionRow.id == connection_id
        ).values(**values))

    async def take_poll_lease(
        self, connection_id: int, now: datetime, every: timedelta
    ) -> bool:
        """True for the one process that polls this connection now; others skip it."""
        result = await self._session.execute(update(TrackerConnectionRow).where(
            TrackerConnectionRow.id == connection_id,
            TrackerConnectionRow.state == ConnectionState.ACTIVE.value,
            or_(TrackerConnectionRow.poll_lease_until.is_(None),
                TrackerConnectionRow.poll_lease_until <= now),
        ).values(poll_lease_until=now + every))
        return bool(getattr(result, "rowcount", 0))

    async def active(self) -> list[TrackerConnection]:
        rows = await self._session.scalars(select(TrackerConnectionRow).where(
            TrackerConnectionRow.state == ConnectionState.ACTIVE.value
        ).order_by(TrackerConnectionRow.id))
        return [_connection(row) for row in rows]

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
            old, new, field = row.status, f"done ({change.note})", "status"
            row.status, row.closed_at, row.closed_by = "done", now, actor
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

    # --- webhook deliveries --------------------------------------------------------------

    async def first_delivery(self, delivery_id: str, team_id: str, now: datetime) -> bool:
        """True the first time a delivery id is seen; a redelivery answers False."""
        stmt = upsert_insert(self._session, TrackerDeliveryRow).values(
            delivery_id=delivery_id[:64], team_id=team_id, received_at=now
        ).on_conflict_do_nothing(index_elements=["delivery_id"])
        return bool(getattr(await self._session.execute(stmt), "rowcount", 0))

    async def forget_deliveries_before(self, cutoff: datetime) -> None:
        await self._session.execute(
            delete(TrackerDeliveryRow).where(TrackerDeliveryRow.received_at < cutoff)
        )

    async def purge_team(self, team_id: str) -> None:
        for table in (TrackerWritebackRow, ItemLinkRow, TrackerDeliveryRow,
                      TrackerConnectionRow):
            await self._session.execute(delete(table).where(table.team_id == team_id))


def _sealed(row: TrackerConnectionRow) -> SealedConnection:
    return SealedConnection(_connection(row), row.credentials, row.webhook_secret)


__all__ = ["ItemLink", "LinkedItem", "SealedConnection", "TrackerRepository", "Writeback"]
