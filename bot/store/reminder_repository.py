"""Reminders to sign a digest: which digests may still need one, and claiming each once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.dialect import upsert_insert
from bot.store.digest_repository import DigestRun, RunStatus, _to_run
from bot.store.models import DecisionRow, DigestReminderRow, DigestRunRow


class ReminderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def undecided_latest_digests(self, since: datetime) -> list[DigestRun]:
        """Each channel's newest posted digest since `since`, when it has no decision yet.

        An older digest a newer one replaced is never reminded of: its pick is out of date.
        """
        rows = await self._session.scalars(
            select(DigestRunRow)
            .where(
                DigestRunRow.status == RunStatus.COMPLETE.value,
                DigestRunRow.parent_ts.is_not(None),
                DigestRunRow.created_at >= since,
            )
            .order_by(DigestRunRow.created_at, DigestRunRow.id)
        )
        newest: dict[tuple[str, str], DigestRunRow] = {}
        for row in rows:
            newest[(row.team_id, row.channel_id)] = row
        if not newest:
            return []
        decided = set(await self._session.scalars(
            select(DecisionRow.run_id).where(
                DecisionRow.run_id.in_([row.id for row in newest.values()])
            )
        ))
        return [_to_run(row) for row in newest.values() if row.id not in decided]

    async def claim(
        self, run_id: int, user_id: str, rounds: Iterable[int], now: datetime
    ) -> list[int]:
        """Claim the given reminder rounds for the person; returns the rounds this call won
        (another process, or an earlier run, may hold the others)."""
        won: list[int] = []
        for round_ in rounds:
            stmt = (
                upsert_insert(self._session, DigestReminderRow)
                .values(run_id=run_id, user_id=user_id, round=round_, claimed_at=now)
                .on_conflict_do_nothing(index_elements=["run_id", "user_id", "round"])
                .returning(DigestReminderRow.id)
            )
            if (await self._session.execute(stmt)).scalar_one_or_none() is not None:
                won.append(round_)
        return won

    async def record_outcome(
        self, run_id: int, user_id: str, rounds: Iterable[int], outcome: str
    ) -> None:
        await self._session.execute(
            update(DigestReminderRow)
            .where(
                DigestReminderRow.run_id == run_id, DigestReminderRow.user_id == user_id,
                DigestReminderRow.round.in_(list(rounds)),
            )
            .values(outcome=outcome[:64])
        )
