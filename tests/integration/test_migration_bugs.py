"""Migration 0006 (bugs) on a database that already holds items: rows written at 0005 mean the
same afterwards, and bugs start their own B- numbers. On SQLite, and on PostgreSQL with
TEST_DATABASE_URL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import insert, select

from bot.domain.items import ItemRef, Kind, make_draft
from bot.domain.scoring import score
from bot.services.log_item import log_item
from bot.store.migrate import alembic_config, upgrade_to_head
from bot.store.models import ItemCounterRow, ItemRow, VoteRow
from bot.store.unit_of_work import Store
from tests.support.empty_database import empty_database

TEAM = "TMIGRATE"
THEN = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)




def _item(kind: str, number: int, **values: object) -> dict[str, object]:
    return {
        "team_id": TEAM, "channel_id": "C111", "kind": kind, "number": number,
        "title": f"{kind} {number}", "impact": "it matters", "author_id": "UAUTHOR",
        "status": "open", "created_at": THEN, "updated_at": THEN, **values,
    }


async def _seed_at_0005(store: Store) -> None:
    # Only the columns that exist at 0005: the ORM table names the new ones too.
    async with store.unit_of_work() as uow:
        for row in (
            _item("debt", 1, size="M", urgency="high", interest=6.0),
            _item("feature", 1, size="L", urgency="medium"),
            _item("debt", 2, status="done", closed_at=THEN, closed_by="ULEAD"),
        ):
            await uow.session.execute(insert(ItemRow.__table__).values(row))
        await uow.session.execute(insert(ItemCounterRow.__table__), [
            dict(team_id=TEAM, kind="debt", last_number=2),
            dict(team_id=TEAM, kind="feature", last_number=1),
        ])
        debt_id = await uow.session.scalar(
            select(ItemRow.id).where(ItemRow.kind == "debt", ItemRow.number == 1)
        )
        await uow.session.execute(
            insert(VoteRow.__table__), [dict(item_id=debt_id, user_id="UV1", created_at=THEN)]
        )
        await uow.commit()


def test_existing_rows_keep_their_meaning_and_bugs_get_their_own_numbers(
    tmp_path: Path,
) -> None:
    with empty_database(tmp_path) as url:
        command.upgrade(alembic_config(url), "0005")
        asyncio.run(_at_0005(url))
        upgrade_to_head(url)
        asyncio.run(_after_upgrade(url))


async def _at_0005(url: str) -> None:
    store = Store(url)
    try:
        await _seed_at_0005(store)
    finally:
        await store.close()


async def _after_upgrade(url: str) -> None:
    store = Store(url)
    try:
        async with store.unit_of_work() as uow:
            debt = await uow.items.get(TEAM, ItemRef(Kind.DEBT, 1))
            feature = await uow.items.get(TEAM, ItemRef(Kind.FEATURE, 1))
            done = await uow.items.get(TEAM, ItemRef(Kind.DEBT, 2))
            raw = (await uow.session.execute(
                select(ItemRow.kind, ItemRow.severity, ItemRow.affected_per_week)
                .where(ItemRow.team_id == TEAM).order_by(ItemRow.id)
            )).all()
        assert debt is not None and feature is not None and done is not None
        assert [tuple(r) for r in raw] == [
            ("debt", None, None), ("feature", None, None), ("debt", None, None),
        ]
        assert (debt.kind, debt.urgency, debt.interest, debt.votes, debt.weekly_cost) == (
            Kind.DEBT, "high", 6.0, 1, 6.0,
        )
        assert score(debt).value == round((1 + 5 + 6) / 3, 1)
        assert (feature.kind, feature.urgency, feature.weekly_cost) == (
            Kind.FEATURE, "medium", None,
        )
        assert (done.status, done.closed_by) == ("done", "ULEAD")

        bug = await log_item(store, team_id=TEAM, channel_id="C111", author_id="U1",
                             draft=make_draft(Kind.BUG, "Crash", "users", severity="high"))
        more_debt = await log_item(store, team_id=TEAM, channel_id="C111", author_id="U1",
                                   draft=make_draft(Kind.DEBT, "More", "hours"))
        assert (str(bug.ref), str(more_debt.ref)) == ("B-1", "D-3")
    finally:
        await store.close()
