"""Migration 0009 (the decision record) on a database that already holds decisions: they are
numbered per channel in the order they were made, keep their items, and the next decision of
a channel takes the next number. On SQLite, and on PostgreSQL with TEST_DATABASE_URL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import insert, select

from bot.domain.decisions import DecidedItem
from bot.domain.items import ItemRef, Kind
from bot.store.migrate import alembic_config, upgrade_to_head
from bot.store.models import DecisionItemRow, DecisionRow, DigestRunRow
from bot.store.unit_of_work import Store
from tests.support.empty_database import empty_database

TEAM = "TMIGRATE"
THEN = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def _seed_at_0007(url: str) -> None:
    """Three decisions in C1 and one in C2, written with only the columns 0007 has."""
    store = Store(url)
    try:
        async with store.unit_of_work() as uow:
            for n, channel in enumerate(["C1", "C2", "C1", "C1"]):
                run_id = (await uow.session.execute(insert(DigestRunRow.__table__).values(
                    team_id=TEAM, channel_id=channel, slot_key=f"s{n}", status="complete",
                    parent_ts=f"1.{n}", created_at=THEN + timedelta(days=n),
                ).returning(DigestRunRow.__table__.c.id))).scalar_one()
                decision_id = (await uow.session.execute(insert(DecisionRow.__table__).values(
                    team_id=TEAM, channel_id=channel, run_id=run_id, lead_id="UL", pm_id="UP",
                    capacity=20, budget_pct=20, decided_at=THEN + timedelta(days=n),
                ).returning(DecisionRow.__table__.c.id))).scalar_one()
                await uow.session.execute(insert(DecisionItemRow.__table__).values(
                    decision_id=decision_id, item_kind="debt", item_number=n + 1,
                    title=f"Debt {n}", size_points=2, votes=1, score=1.0,
                ))
            await uow.commit()
    finally:
        await store.close()


async def _after_upgrade(url: str) -> None:
    store = Store(url)
    try:
        async with store.unit_of_work() as uow:
            c1 = await uow.decisions.recent(TEAM, "C1", 10)
            c2 = await uow.decisions.recent(TEAM, "C2", 10)
            run = await uow.session.scalar(select(DigestRunRow.id).where(
                DigestRunRow.slot_key == "s3"
            ))
            assert run is not None
            new_run = (await uow.session.execute(insert(DigestRunRow.__table__).values(
                team_id=TEAM, channel_id="C1", slot_key="new", status="complete",
                parent_ts="2.0", created_at=THEN + timedelta(days=9),
            ).returning(DigestRunRow.__table__.c.id))).scalar_one()
            fourth = await uow.decisions.record(
                team_id=TEAM, channel_id="C1", run_id=new_run, lead_id="UL", pm_id="UP",
                capacity=20, budget_pct=20, now=THEN + timedelta(days=9),
                items=[DecidedItem(ItemRef(Kind.DEBT, 9), "New", 2, 0, 1.0)],
            )
            await uow.commit()
        assert [(d.number, d.items[0].title) for d in c1] == [
            (3, "Debt 3"), (2, "Debt 2"), (1, "Debt 0"),
        ]
        assert [(d.number, d.rationale, d.alternatives) for d in c2] == [(1, None, ())]
        assert fourth is not None and fourth.number == 4
    finally:
        await store.close()


def test_existing_decisions_are_numbered_per_channel_in_order(tmp_path: Path) -> None:
    with empty_database(tmp_path) as url:
        command.upgrade(alembic_config(url), "0007")
        asyncio.run(_seed_at_0007(url))
        upgrade_to_head(url)
        asyncio.run(_after_upgrade(url))
