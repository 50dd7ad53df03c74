"""Votes from reactions: which digest reply a reaction is on, and one vote per user per item."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.items import ItemRef, Kind, Status
from bot.store.dialect import upsert_insert
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


class VoteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def first_delivery(self, event_id: str, team_id: str, now: datetime) -> bool:
        """Record the event id; False when it was recorded before (a Slack retry)."""
        stmt = (
            upsert_insert(self._session, ProcessedEventRow)
            .values(event_id=event_id, team_id=team_id, received_at=now)
            .on_conflict_do_nothing(index_elements=["event_id"])
            .returning(ProcessedEventRow.event_id)
        )
        return (await self._session.execute(stmt)).scalar_one_or_none() is not None

    async def forget_events_before(self, cutoff: datetime) -> int:
        """Drop delivery records older than any retry Slack would still send."""
        result = await self._session.execute(
            delete(ProcessedEventRow).where(ProcessedEventRow.received_at < cutoff)
        )
        return int(getattr(result, "rowcount", 0))

    async def target_of(self, team_id: str, channel_id: str, message_ts: str) -> VoteTarget | None:
        row = (
            await self._session.execute(
                select(
                    DigestMessageRow.item_kind,
                    DigestMessageRow.item_number,
                    DigestRunRow.id,
                    DigestRunRow.parent_ts,
                )
                .join(DigestRunRow, DigestRunRow.id == DigestMessageRow.run_id)
                .where(
                    DigestMessageRow.team_id == team_id,
                    DigestMessageRow.channel_id == channel_id,
                    DigestMessageRow.message_ts == message_ts,
                )
                .order_by(DigestRunRow.id.desc())
                .limit(1)
            )
        ).one_or_none()
        if row is None:
            return None
        return VoteTarget(ItemRef(Kind(row[0]), row[1]), row[2], row[3])

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
    ) -> None:
        """Remember the reaction's state unless a later event about it was already applied."""
        insert = upsert_insert(self._session, VoteReactionRow)
        stmt = insert.values(
            team_id=team_id, channel_id=channel_id, message_ts=message_ts, user_id=user_id,
            reaction=reaction, present=present, event_ts=event_ts,
        ).on_conflict_do_update(
            index_elements=["team_id", "channel_id", "message_ts", "user_id", "reaction"],
            set_={"present": present, "event_ts": event_ts},
            where=VoteReactionRow.event_ts < insert.excluded.event_ts,
        )
        await self._session.execute(stmt)

    async def lock_item(self, team_id: str, ref: ItemRef) -> tuple[int, Status] | None:
        """The item's key and status, locked until commit so one user's votes apply in order."""
        row = (
            await self._session.execute(
                select(ItemRow.id, ItemRow.status)
                .where(
                    ItemRow.team_id == team_id,
                    ItemRow.kind == ref.kind.value,
                    ItemRow.number == ref.number,
                )
                .with_for_update()
            )
        ).one_or_none()
        return None if row is None else (row[0], Status(row[1]))

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
            await self._session.execute(
                upsert_insert(self._session, VoteRow)
                .values(item_id=item_id, user_id=user_id, created_at=now)
                .on_conflict_do_nothing(index_elements=["item_id", "user_id"])
            )
        else:
            await self._session.execute(
                delete(VoteRow).where(and_(VoteRow.item_id == item_id, VoteRow.user_id == user_id))
            )

    async def count(self, item_id: int) -> int:
        return int(
            await self._session.scalar(
                select(func.count()).select_from(VoteRow).where(VoteRow.item_id == item_id)
            )
            or 0
        )

    async def merged_into(self, team_id: str, ref: ItemRef) -> list[ItemRef]:
        """The duplicates that were merged into `ref`."""
        rows = await self._session.execute(
            select(ItemRow.kind, ItemRow.number).where(
                ItemRow.team_id == team_id, ItemRow.merged_into == str(ref)
            )
        )
        return [ItemRef(Kind(kind), number) for kind, number in rows]

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
