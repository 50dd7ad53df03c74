"""A SQLite statement is one hand-off to the driver's thread and back, whatever it returns, and
the bot's SQLite connections are the one-hop kind (bot/store/sqlite_driver.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select, text

from bot.domain.items import Kind
from bot.store.engine import create_engine
from bot.store.models import ItemRow
from bot.store.sqlite_driver import OneHopConnection
from bot.store.unit_of_work import Store
from tests.support.items import add_item


@pytest.fixture(autouse=True)
def _sqlite_only(store: Store) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("the one-hop cursor is SQLite's")


@pytest.fixture
def hand_offs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of each function queued for aiosqlite's thread."""
    queued: list[str] = []
    original = OneHopConnection._execute

    async def counted(
        self: OneHopConnection, fn: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> Any:
        queued.append(getattr(fn, "__name__", type(fn).__name__))
        return await original(self, fn, *args, **kwargs)  # type: ignore[no-untyped-call]

    monkeypatch.setattr(OneHopConnection, "_execute", counted)
    return queued


async def test_each_statement_is_one_hand_off_rows_and_all(
    store: Store, team_id: str, hand_offs: list[str]
) -> None:
    for n in range(3):
        await add_item(store, team_id, Kind.DEBT, f"Debt {n}")
    async with store.unit_of_work(read_only=True) as uow:
        hand_offs.clear()
        titles = list(await uow.session.scalars(
            select(ItemRow.title).where(ItemRow.team_id == team_id).order_by(ItemRow.number)
        ))
        items = await uow.items.list_open(team_id, "C111")  # items, then their voters
    # Nor does a unit of work that only read end in a COMMIT or ROLLBACK on the thread.
    assert hand_offs == ["_execute"] * 3
    async with store.unit_of_work() as uow:
        hand_offs.clear()
        await uow.items.list_open(team_id, "C111")
        await uow.commit()
    assert hand_offs == ["_execute"] * 2
    assert titles == ["Debt 0", "Debt 1", "Debt 2"]
    assert [i.title for i in items] == titles


async def test_writes_report_what_they_changed(store: Store, team_id: str) -> None:
    for n in range(3):
        await add_item(store, team_id, Kind.DEBT, f"Debt {n}")
    async with store.unit_of_work() as uow:
        conn = await uow.session.connection()
        changed = await conn.execute(
            text("UPDATE items SET area = 'api' WHERE team_id = :team"), {"team": team_id}
        )
        many = await conn.execute(
            text("UPDATE items SET impact = :impact WHERE team_id = :team AND number = :n"),
            [{"impact": "x", "team": team_id, "n": n} for n in (1, 2)],
        )
        await uow.commit()
    assert changed.rowcount == 3
    assert many.rowcount == 2
    async with store.unit_of_work(read_only=True) as uow:
        areas = set(await uow.session.scalars(
            select(ItemRow.area).where(ItemRow.team_id == team_id)
        ))
    assert areas == {"api"}


async def test_a_streamed_result_reads_the_buffered_rows_in_order(
    store: Store, team_id: str
) -> None:
    for n in range(5):
        await add_item(store, team_id, Kind.FEATURE, f"Feature {n}")
    async with store.engine.connect() as conn:
        result = await conn.stream(
            select(ItemRow.title).where(ItemRow.team_id == team_id).order_by(ItemRow.number)
        )
        first = await result.fetchone()
        partitions = [[row.title for row in part] async for part in result.partitions(2)]
    assert first is not None and first.title == "Feature 0"
    assert partitions == [["Feature 1", "Feature 2"], ["Feature 3", "Feature 4"]]


async def test_an_error_comes_back_as_sqlalchemys_and_the_connection_goes_on(
    store: Store, team_id: str
) -> None:
    async with store.engine.connect() as conn:
        with pytest.raises(Exception, match="no such table"):
            await conn.execute(text("SELECT * FROM no_such_table"))
    await add_item(store, team_id, Kind.DEBT, "Still works")
    async with store.unit_of_work(read_only=True) as uow:
        assert [i.title for i in await uow.items.list_open(team_id, "C111")] == ["Still works"]


async def _areas(store: Store, team_id: str) -> list[str | None]:
    """The items' areas as a connection of their own reads them."""
    async with store.engine.connect() as conn:
        return list(await conn.scalars(
            select(ItemRow.area).where(ItemRow.team_id == team_id).order_by(ItemRow.number)
        ))


async def test_an_autocommit_write_commits_in_its_own_hand_off(
    store: Store, team_id: str, hand_offs: list[str]
) -> None:
    await add_item(store, team_id, Kind.DEBT, "Debt")
    set_area = text("UPDATE items SET area = :area WHERE team_id = :team")
    async with store.unit_of_work(autocommit=True) as uow:
        hand_offs.clear()
        await uow.session.execute(set_area, {"area": "api", "team": team_id})
        await uow.commit()
        update_and_commit = list(hand_offs)
        # Committed already: another connection sees it before this unit of work ends.
        assert await _areas(store, team_id) == ["api"]
    assert update_and_commit == ["_execute"]
    async with store.unit_of_work() as uow:
        hand_offs.clear()
        await uow.session.execute(set_area, {"area": "web", "team": team_id})
        await uow.commit()
    assert hand_offs == ["_execute", "commit"]
    assert await _areas(store, team_id) == ["web"]


async def test_a_connection_back_from_autocommit_keeps_its_next_transaction_whole(
    team_id: str, database_url: str
) -> None:
    # One pooled connection, so the plain unit of work gets the autocommit one's connection.
    store = Store(database_url, create_engine(database_url, pool_size=1, max_overflow=0))
    try:
        await add_item(store, team_id, Kind.DEBT, "Debt")
        set_area = text("UPDATE items SET area = :area WHERE team_id = :team")
        async with store.unit_of_work(autocommit=True) as uow:
            await uow.session.execute(set_area, {"area": "api", "team": team_id})
            await uow.commit()
        with pytest.raises(RuntimeError, match="changed my mind"):
            async with store.unit_of_work() as uow:
                await uow.session.execute(set_area, {"area": "web", "team": team_id})
                raise RuntimeError("changed my mind")
        assert await _areas(store, team_id) == ["api"]
    finally:
        await store.close()


async def test_in_autocommit_each_write_stands_when_a_later_one_fails(
    store: Store, team_id: str
) -> None:
    await add_item(store, team_id, Kind.DEBT, "Debt")
    with pytest.raises(Exception, match="no such table"):
        async with store.unit_of_work(autocommit=True) as uow:
            await uow.session.execute(
                text("UPDATE items SET area = 'api' WHERE team_id = :team"), {"team": team_id}
            )
            await uow.session.execute(text("UPDATE no_such_table SET x = 1"))
    assert await _areas(store, team_id) == ["api"]
