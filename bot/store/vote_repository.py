"""Votes from reactions: which digest reply a reaction is on, and one vote per user per item.

This repository writes only the vote tables. It reads the digest's replies and the items in
the same statements on purpose (`target_of`, `sync_vote`): every vote waits on them, and one
round trip each keeps a vote fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.items import ItemRef, Kind, Status
from bot.store.dialect import upsert_insert
from bot.store.engine import column_param, rendered_once
from bot.store.models import (
    DigestMessageRow,
    DigestRunRow,
    ItemRow,
    ProcessedEventRow,
    VoteReactionRow,
    VoteRow,
)


@dataclass(frozen=True)
class VoteTarget:
    """The item a digest reply stands for, and the digest it belongs to."""

    ref: ItemRef
    run_id: int
    parent_ts: str | None
    item_id: int
    status: Status
    merged_into: ItemRef | None


class VoteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def first_delivery(self, event_id: str, team_id: str, now: datetime) -> bool:
        """Record the event id; False when it was recorded before (a Slack retry)."""
        stmt = rendered_once(self._session, "first_delivery", _first_delivery)
        params = {"event_id": event_id, "team_id": team_id, "received_at": now}
        return (await self._session.execute(stmt, params)).scalar_one_or_none() is not None

    async def forget_events_before(self, cutoff: datetime) -> int:
        """Drop delivery records older than any retry Slack would still send."""
        result = await self._session.execute(
            delete(ProcessedEventRow).where(ProcessedEventRow.received_at < cutoff)
        )
        return int(getattr(result, "rowcount", 0))

    async def target_of(self, team_id: str, channel_id: str, message_ts: str) -> VoteTarget | None:
        """The item the reply stands for, with its status, locked until commit so that one
        item's votes apply one at a time; None when the message is no digest reply."""
        params = {"team_id": team_id, "channel_id": channel_id, "message_ts": message_ts}
        row = (await self._session.execute(_TARGET_OF, params)).one_or_none()
        if row is None:
            return None
        kind, number, run_id, parent_ts, item_id, status, merged_into = row
        return VoteTarget(
            ItemRef(Kind(kind), number), run_id, parent_ts, item_id, Status(status),
            ItemRef.parse(merged_into) if merged_into else None,
        )

    async def record_reaction(
        self,
        team_id: str,
        channel_id: str,
        message_ts: str,
        user_id: str,
        reaction: str,
        *,
        present: bool,
        event_ts: str,
    ) -> bool:
        """Remember the reaction's state unless a later event about it was already applied;
        False when it was (the stored state, and so the vote, stays as it is)."""
        stmt = rendered_once(self._session, "record_reaction", _record_reaction)
        params = {
            "team_id": team_id, "channel_id": channel_id, "message_ts": message_ts,
            "user_id": user_id, "reaction": reaction, "present": present, "event_ts": event_ts,
        }
        return (await self._session.execute(stmt, params)).first() is not None

    async def sync_vote(
        self, team_id: str, refs: Sequence[ItemRef], item_id: int, user_id: str, now: datetime
    ) -> None:
        """One vote while the user has any 👍 on any digest reply of the item (or of the
        duplicates merged into it, all in `refs`); no vote once the last one is removed."""
        reacting = exists().where(
            VoteReactionRow.team_id == team_id,
            VoteReactionRow.user_id == user_id,
            VoteReactionRow.present.is_(True),
            VoteReactionRow.channel_id == DigestMessageRow.channel_id,
            VoteReactionRow.message_ts == DigestMessageRow.message_ts,
            DigestMessageRow.team_id == team_id,
            or_(*(
                and_(
                    DigestMessageRow.item_kind == ref.kind.value,
                    DigestMessageRow.item_number == ref.number,
                )
                for ref in refs
            )),
        )
        if await self._session.scalar(select(reacting)):
            await self.add_vote(item_id, user_id, now)
        else:
            await self._session.execute(
                delete(VoteRow).where(and_(VoteRow.item_id == item_id, VoteRow.user_id == user_id))
            )

    async def add_vote(self, item_id: int, user_id: str, now: datetime) -> None:
        """The user's one vote for the item (nothing changes if it is there already)."""
        stmt = rendered_once(self._session, "add_vote", _add_vote)
        await self._session.execute(stmt, {"item_id": item_id, "user_id": user_id, "now": now})

    async def add_votes(self, item_id: int, user_ids: Sequence[str], now: datetime) -> None:
        """Votes by people who have none for the item yet (seeding: the demo and tests)."""
        self._session.add_all(
            VoteRow(item_id=item_id, user_id=user, created_at=now) for user in user_ids
        )
        await self._session.flush()

    async def move_votes(self, from_item_id: int, to_item_id: int, now: datetime) -> int:
        """Give the survivor every voter of the duplicate (still one vote per user); returns
        how many votes the survivor gained."""
        moving = set(await self._voters(from_item_id)) - set(await self._voters(to_item_id))
        self._session.add_all(
            VoteRow(item_id=to_item_id, user_id=user, created_at=now) for user in sorted(moving)
        )
        await self._session.execute(delete(VoteRow).where(VoteRow.item_id == from_item_id))
        await self._session.flush()
        return len(moving)

    async def _voters(self, item_id: int) -> list[str]:
        query = select(VoteRow.user_id).where(VoteRow.item_id == item_id)
        return list(await self._session.scalars(query))


# The upserts every vote runs, rendered once per backend (see rendered_once).


def _first_delivery(session: AsyncSession) -> Any:
    table = ProcessedEventRow.__table__.c
    return (
        upsert_insert(session, ProcessedEventRow.__table__)
        .values(
            event_id=column_param(table.event_id),
            team_id=column_param(table.team_id),
            received_at=column_param(table.received_at),
        )
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(ProcessedEventRow.event_id)
    )


def _record_reaction(session: AsyncSession) -> Any:
    table = VoteReactionRow.__table__.c
    insert = upsert_insert(session, VoteReactionRow.__table__)
    return (
        insert.values({column: column_param(table[column]) for column in (
            "team_id", "channel_id", "message_ts", "user_id", "reaction", "present", "event_ts",
        )})
        .on_conflict_do_update(
            index_elements=["team_id", "channel_id", "message_ts", "user_id", "reaction"],
            set_={"present": insert.excluded.present, "event_ts": insert.excluded.event_ts},
            where=VoteReactionRow.event_ts < insert.excluded.event_ts,
        )
        .returning(VoteReactionRow.present)
    )


def _add_vote(session: AsyncSession) -> Any:
    table = VoteRow.__table__.c
    return (
        upsert_insert(session, VoteRow.__table__)
        .values(
            item_id=column_param(table.item_id),
            user_id=column_param(table.user_id),
            created_at=column_param(table.created_at, "now"),
        )
        .on_conflict_do_nothing(index_elements=["item_id", "user_id"])
    )


# Each vote finds its reply, the reply's digest and the item (locked) in a single round trip.
_TARGET_OF = (
    select(
        DigestMessageRow.item_kind,
        DigestMessageRow.item_number,
        DigestRunRow.id,
        DigestRunRow.parent_ts,
        ItemRow.id,
        ItemRow.status,
        ItemRow.merged_into,
    )
    .join(DigestRunRow, DigestRunRow.id == DigestMessageRow.run_id)
    .join(
        ItemRow,
        and_(
            ItemRow.team_id == DigestMessageRow.team_id,
            ItemRow.kind == DigestMessageRow.item_kind,
            ItemRow.number == DigestMessageRow.item_number,
        ),
    )
    .where(
        DigestMessageRow.team_id == bindparam("team_id"),
        DigestMessageRow.channel_id == bindparam("channel_id"),
        DigestMessageRow.message_ts == bindparam("message_ts"),
    )
    .order_by(DigestRunRow.id.desc())
    .limit(1)
    # One item's votes apply one at a time; SQLite has no row locks and needs none, since its
    # units of work take turns.
    .with_for_update(of=ItemRow)
)
