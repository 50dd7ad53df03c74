"""SQLite connections go back to the pool with no transaction open, and one with none open
costs no ROLLBACK on the way (each is a hand-off to the driver's thread)."""

from __future__ import annotations

import asyncio

import aiosqlite
import pytest
from sqlalchemy import func, select

from bot.store.models import ItemRow
from bot.store.unit_of_work import Store
from tests.support.items import add_item


@pytest.fixture(autouse=True)
def _sqlite_only(store: Store) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("the pool reset is SQLite's")


@pytest.fixture
def rollbacks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    sent: list[int] = []
    original = aiosqlite.Connection.rollback

    async def counted(self: aiosqlite.Connection) -> None:
        sent.append(1)
        await original(self)

    monkeypatch.setattr(aiosqlite.Connection, "rollback", counted)
    return sent


async def test_a_committed_unit_of_work_sends_no_rollback(
    store: Store, team_id: str, rollbacks: list[int]
) -> None:
    await add_item(store, team_id, title="Kept")
    rollbacks.clear()  # the engine's first connection is rolled back once as it is set up
    async with store.unit_of_work() as uow:
        assert len(await uow.items.list_open(team_id, "C111")) == 1
        await uow.commit()
    await add_item(store, team_id, title="Also kept")
    assert rollbacks == []


async def test_a_connection_returned_inside_a_transaction_is_rolled_back(
    store: Store, team_id: str, rollbacks: list[int]
) -> None:
    item = await add_item(store, team_id, title="Before")
    rollbacks.clear()  # the engine's first connection is rolled back once as it is set up
    async with store.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        # Behind SQLAlchemy's back, so that only the pool's reset can end it.
        await raw.driver_connection.execute(
            "UPDATE items SET title = 'Half done' WHERE team_id = ? AND number = ?",
            (team_id, item.ref.number),
        )
        assert raw.driver_connection.in_transaction
    assert rollbacks == [1]
    # Nothing kept, and no write lock left behind: another writer gets in at once.
    async with asyncio.timeout(1):
        await add_item(store, team_id, title="After")
    async with store.unit_of_work() as uow:
        titles = await uow.session.scalars(
            select(ItemRow.title).where(ItemRow.team_id == team_id).order_by(ItemRow.id)
        )
        assert list(titles) == ["Before", "After"]
        assert await uow.session.scalar(
            select(func.count()).select_from(ItemRow).where(ItemRow.title == "Half done")
        ) == 0
