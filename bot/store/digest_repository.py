"""Digest runs and their thread messages: claiming a slot once, and resuming a half-posted one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.items import ItemRef, Kind
from bot.store.dialect import upsert_insert
from bot.store.engine import column_param, rendered_once
from bot.store.models import DigestMessageRow, DigestRunRow


class RunStatus(StrEnum):
    POSTING = "posting"
    COMPLETE = "complete"
    FAILED = "failed"


@dataclass(frozen=True)
class DigestRun:
    id: int
    team_id: str
    channel_id: str
    slot_key: str
    status: RunStatus
    parent_ts: str | None
    created_at: datetime
    error: str | None = None
    lease_until: datetime | None = None  # while POSTING: when its poster must have renewed

    def leased_at(self, now: datetime) -> bool:
        """True while its poster's lease runs: take_over would not take it at `now`."""
        return self.lease_until is not None and self.lease_until >= now


@dataclass(frozen=True)
class DigestThread:
    run_id: int
    channel_id: str
    parent_ts: str


@dataclass(frozen=True)
class DigestMessage:
    id: int
    ref: ItemRef
    position: int
    message_ts: str | None
    in_thread: bool = True


class DigestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(
        self, team_id: str, channel_id: str, slot_key: str, now: datetime, lease: timedelta
    ) -> DigestRun | None:
        """Create the run for this slot and hold its lease; None when the slot already has one.

        The unique (team, channel, slot) key decides between processes racing for a slot.
        """
        stmt = rendered_once(self._session, "claim_digest_run", _claim)
        params = {"team_id": team_id, "channel_id": channel_id, "slot_key": slot_key,
                  "status": RunStatus.POSTING.value, "lease_until": now + lease, "created_at": now}
        run_id = (await self._session.execute(stmt, params)).scalar_one_or_none()
        if run_id is None:
            return None
        # Everything else of the new row is what was just written: no read back.
        return DigestRun(
            id=run_id, team_id=team_id, channel_id=channel_id, slot_key=slot_key,
            status=RunStatus.POSTING, parent_ts=None, created_at=now, lease_until=now + lease,
        )

    async def take_over(self, run_id: int, now: datetime, lease: timedelta) -> bool:
        """Take an unfinished run whose lease ran out (its poster died); False if it is held."""
        result = await self._session.execute(
            _TAKE_OVER, {"run_id": run_id, "now": now, "until": now + lease}
        )
        return bool(getattr(result, "rowcount", 0))

    async def completed_between(
        self, team_id: str, channel_id: str, start: datetime, end: datetime, except_run: int
    ) -> int:
        """How many other digests of the channel were completed in [start, end]."""
        params = {"team_id": team_id, "channel_id": channel_id, "start": start, "end": end,
                  "except_run": except_run}
        return int(await self._session.scalar(_COMPLETED_BETWEEN, params) or 0)

    async def purge_team(self, team_id: str) -> None:
        """Delete a workspace's digests (their planned messages and agreements go with them);
        its decisions must be deleted first."""
        await self._session.execute(delete(DigestRunRow).where(DigestRunRow.team_id == team_id))

    async def find_by_id(self, run_id: int) -> DigestRun | None:
        row = await self._session.get(DigestRunRow, run_id)
        return None if row is None else _to_run(row)

    async def get(self, run_id: int) -> DigestRun:
        return _to_run(await self._session.get_one(DigestRunRow, run_id))

    async def find(self, team_id: str, channel_id: str, slot_key: str) -> DigestRun | None:
        # Every process but the first to claim a slot asks this, for every channel due.
        params = {"team_id": team_id, "channel_id": channel_id, "slot_key": slot_key}
        row = (await self._session.execute(_FIND, params)).first()
        return _to_run(row) if row else None

    async def slots_claimed_since(self, since: datetime) -> set[tuple[str, str, str]]:
        """(team, channel, slot key) of every run claimed since `since`, whatever its status."""
        rows = await self._session.execute(
            select(DigestRunRow.team_id, DigestRunRow.channel_id, DigestRunRow.slot_key).where(
                DigestRunRow.created_at >= since
            )
        )
        return {(team, channel, key) for team, channel, key in rows}

    async def unfinished(
        self, since: datetime, team_id: str | None = None, channel_id: str | None = None
    ) -> list[DigestRun]:
        """Runs created since `since` that never completed, oldest first."""
        stmt = select(DigestRunRow).where(
            DigestRunRow.status != RunStatus.COMPLETE.value, DigestRunRow.created_at >= since
        )
        if team_id is not None:
            stmt = stmt.where(DigestRunRow.team_id == team_id)
        if channel_id is not None:
            stmt = stmt.where(DigestRunRow.channel_id == channel_id)
        rows = await self._session.scalars(stmt.order_by(DigestRunRow.created_at))
        return [_to_run(row) for row in rows]

    async def add_messages(
        self, run: DigestRun, threaded: Sequence[ItemRef], shown_only: Sequence[ItemRef]
    ) -> list[DigestMessage]:
        """Record what the digest shows before anything is posted: one planned reply per
        threaded item, in order, and the items only the parent's columns show. Returns the
        plan, as `messages` would read it back."""
        rows = [(ref, True) for ref in threaded] + [(ref, False) for ref in shown_only]
        if not rows:
            return []
        # One multi-row INSERT ... RETURNING (SQLAlchemy's insertmanyvalues): ORM objects would
        # cost one INSERT each on SQLite, and so would asking for the ids in the order of the
        # rows; the position, unique in a run, says which id is whose.
        returned = await self._session.execute(
            _ADD_MESSAGES,
            [
                {
                    "run_id": run.id,
                    "team_id": run.team_id,
                    "channel_id": run.channel_id,
                    "item_kind": ref.kind.value,
                    "item_number": ref.number,
                    "position": position,
                    "in_thread": in_thread,
                }
                for position, (ref, in_thread) in enumerate(rows)
            ],
        )
        ids = {position: message_id for message_id, position in returned}
        return [
            DigestMessage(id=ids[position], ref=ref, position=position, message_ts=None,
                          in_thread=in_thread)
            for position, (ref, in_thread) in enumerate(rows)
        ]

    async def messages(self, run_id: int) -> list[DigestMessage]:
        rows = await self._session.scalars(
            select(DigestMessageRow)
            .where(DigestMessageRow.run_id == run_id)
            .order_by(DigestMessageRow.position)
        )
        return [
            DigestMessage(
                id=row.id,
                ref=ItemRef(Kind(row.item_kind), row.item_number),
                position=row.position,
                message_ts=row.message_ts,
                in_thread=row.in_thread,
            )
            for row in rows
        ]

    async def lock(self, run_id: int) -> None:
        """Hold the run until commit: a write first, so SQLite takes its lock before reads."""
        await self._session.execute(
            update(DigestRunRow).where(DigestRunRow.id == run_id).values(id=DigestRunRow.id)
        )

    async def latest_thread_of(self, team_id: str, ref: ItemRef) -> DigestThread | None:
        """The newest digest thread with a reply for the item."""
        row = (
            await self._session.execute(
                select(DigestRunRow.id, DigestRunRow.channel_id, DigestRunRow.parent_ts)
                .join(DigestMessageRow, DigestMessageRow.run_id == DigestRunRow.id)
                .where(
                    DigestMessageRow.team_id == team_id,
                    DigestMessageRow.item_kind == ref.kind.value,
                    DigestMessageRow.item_number == ref.number,
                    DigestMessageRow.message_ts.is_not(None),
                    DigestRunRow.parent_ts.is_not(None),
                )
                .order_by(DigestRunRow.id.desc())
                .limit(1)
            )
        ).one_or_none()
        return None if row is None or row[2] is None else DigestThread(row[0], row[1], row[2])

    async def renew_lease(self, run_id: int, until: datetime) -> None:
        await self._session.execute(
            update(DigestRunRow).where(DigestRunRow.id == run_id).values(lease_until=until)
        )

    async def set_parent_ts(self, run_id: int, ts: str) -> None:
        await self._session.execute(_SET_PARENT_TS, {"run_id": run_id, "ts": ts})

    async def record_replies(self, posted: Mapping[int, str]) -> None:
        """Record the ts of each planned message posted (message id → ts), in one executemany."""
        if not posted:
            return
        await self._session.execute(
            _RECORD_REPLY,
            [{"message_id": message_id, "ts": ts} for message_id, ts in posted.items()],
        )

    async def finish(
        self, run_id: int, status: RunStatus, now: datetime, error: str | None = None
    ) -> None:
        params: dict[str, object] = {"run_id": run_id, "new_status": status.value, "why": error}
        if status is RunStatus.COMPLETE:
            await self._session.execute(_COMPLETE, params | {"now": now})
        else:
            await self._session.execute(_FINISH, params)


def _to_run(row: DigestRunRow | Row[Any]) -> DigestRun:
    return DigestRun(
        id=row.id,
        team_id=row.team_id,
        channel_id=row.channel_id,
        slot_key=row.slot_key,
        status=RunStatus(row.status),
        parent_ts=row.parent_ts,
        created_at=row.created_at,
        error=row.error,
        lease_until=row.lease_until,
    )


# The statements every digest runs for each channel are built once: building one (SQLAlchemy's
# expression objects and their cache key) took longer than running it, on every channel.
_RUNS = cast(Table, DigestRunRow.__table__)
_MESSAGES = cast(Table, DigestMessageRow.__table__)


def _claim(session: AsyncSession) -> Any:
    columns = ("team_id", "channel_id", "slot_key", "status", "lease_until", "created_at")
    return (
        upsert_insert(session, _RUNS)
        .values({name: column_param(_RUNS.c[name]) for name in columns})
        .on_conflict_do_nothing(index_elements=["team_id", "channel_id", "slot_key"])
        .returning(_RUNS.c.id)
    )


_FIND = select(_RUNS).where(
    _RUNS.c.team_id == bindparam("team_id"),
    _RUNS.c.channel_id == bindparam("channel_id"),
    _RUNS.c.slot_key == bindparam("slot_key"),
)
_TAKE_OVER = (
    update(_RUNS)
    .where(
        _RUNS.c.id == bindparam("run_id"),
        _RUNS.c.status != RunStatus.COMPLETE.value,
        or_(_RUNS.c.lease_until.is_(None),
            _RUNS.c.lease_until < column_param(_RUNS.c.lease_until, "now")),
    )
    .values(lease_until=column_param(_RUNS.c.lease_until, "until"),
            status=RunStatus.POSTING.value)
)
# On the Table, not the mapped class: the ORM's bulk INSERT path cost more than the INSERT.
_ADD_MESSAGES = insert(_MESSAGES).returning(_MESSAGES.c.id, _MESSAGES.c.position)
_SET_PARENT_TS = (
    update(_RUNS).where(_RUNS.c.id == bindparam("run_id")).values(parent_ts=bindparam("ts"))
)
_RECORD_REPLY = (
    update(_MESSAGES)
    .where(_MESSAGES.c.id == bindparam("message_id"))
    .values(message_ts=bindparam("ts"))
)
_FINISH = (
    update(_RUNS)
    .where(_RUNS.c.id == bindparam("run_id"))
    .values(status=bindparam("new_status"), error=bindparam("why"), lease_until=None)
)
_COMPLETE = _FINISH.values(completed_at=column_param(_RUNS.c.completed_at, "now"))
_COMPLETED_BETWEEN = (
    select(func.count())
    .select_from(_RUNS)
    .where(
        _RUNS.c.team_id == bindparam("team_id"),
        _RUNS.c.channel_id == bindparam("channel_id"),
        _RUNS.c.status == RunStatus.COMPLETE.value,
        _RUNS.c.parent_ts.is_not(None),
        _RUNS.c.created_at >= column_param(_RUNS.c.created_at, "start"),
        _RUNS.c.created_at <= column_param(_RUNS.c.created_at, "end"),
        _RUNS.c.id != bindparam("except_run"),
    )
)
