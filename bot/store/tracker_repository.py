"""Tracker connections and the webhook deliveries already taken.

Secrets go in and out only as sealed (encrypted) strings: this module never sees a token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.tracker_connections import (
    ConnectionState,
    TrackerConnection,
    TrackerKind,
)
from bot.store.dialect import upsert_insert
from bot.store.models import (
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
        previous = await self.get(team_id, channel_id, kind)
        stmt = upsert_insert(self._session, TrackerConnectionRow).values(
            team_id=team_id, channel_id=channel_id, kind=kind.value, created_by=by_user,
            created_at=now, **values,
        )
        await self._session.execute(stmt.on_conflict_do_update(
            index_elements=["team_id", "channel_id", "kind"], set_=values
        ))
        if previous is not None and (previous.connection.target.lower(),
                                     previous.connection.project) != (target.lower(), project):
            # Another repository or project: the old links and cursor mean nothing there.
            await self._forget_links(previous.connection.id)
            await self._session.execute(update(TrackerConnectionRow).where(
                TrackerConnectionRow.id == previous.connection.id).values(poll_cursor=None))
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
        ).execution_options(populate_existing=True))
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
        await self._forget_links(found.connection.id)
        await self._session.execute(
            delete(TrackerConnectionRow).where(TrackerConnectionRow.id == found.connection.id)
        )
        return True

    async def _forget_links(self, connection_id: int) -> None:
        """Unlink the connection's items (they keep their titles) and drop their write-backs."""
        link_ids = select(ItemLinkRow.id).where(ItemLinkRow.connection_id == connection_id)
        items = select(ItemLinkRow.item_id).where(ItemLinkRow.connection_id == connection_id)
        await self._session.execute(
            update(ItemRow).where(ItemRow.id.in_(items)).values(tracker_ref=None)
        )
        await self._session.execute(
            delete(TrackerWritebackRow).where(TrackerWritebackRow.item_link_id.in_(link_ids))
        )
        await self._session.execute(
            delete(ItemLinkRow).where(ItemLinkRow.connection_id == connection_id)
        )

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

