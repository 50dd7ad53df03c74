"""Read-only units of work (the digest's reads) neither wait for SQLite's writer turn nor open
a PostgreSQL transaction, and the digest's claim and plan hand back what a read would find."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, text

from bot.domain.items import ItemRef, Kind
from bot.store.models import ItemRow
from bot.store.unit_of_work import Store, UnitOfWork
from tests.support.items import add_item


async def test_a_read_only_unit_reads_while_a_writer_holds_its_turn(
    store: Store, team_id: str
) -> None:
    await add_item(store, team_id, title="Read me")
    writing = asyncio.Event()
    release = asyncio.Event()
    read: list[str] = []

    async def writer() -> None:
        async with store.unit_of_work() as uow:
            await add_item_in(uow, team_id)
            writing.set()
            await release.wait()
            await uow.commit()

    async def reader() -> None:
        await writing.wait()
        async with store.unit_of_work(read_only=True) as uow:
            read.extend(i.title for i in await uow.items.list_open(team_id, "C111"))

    held = asyncio.create_task(writer())
    try:
        # On SQLite an ordinary unit of work would wait here until the writer commits.
        await asyncio.wait_for(reader(), timeout=5)
    finally:
        release.set()
        await held
    assert read == ["Read me"]  # the writer's uncommitted item is not seen


async def add_item_in(uow: UnitOfWork, team_id: str) -> None:
    now = datetime.now(UTC)
    await uow.session.execute(insert(ItemRow).values(
        team_id=team_id, channel_id="C111", kind="debt", number=999, title="Not yet",
        impact="x", author_id="U1", status="open", created_at=now, updated_at=now,
    ))


async def test_a_read_only_unit_opens_no_postgresql_transaction(store: Store) -> None:
    async def two_clock_reads(read_only: bool) -> tuple[object, object]:
        async with store.unit_of_work(read_only=read_only) as uow:
            first = await uow.session.scalar(text("SELECT now()"))
            await asyncio.sleep(0.02)
            return first, await uow.session.scalar(text("SELECT now()"))

    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's driver opens no transaction for a SELECT anyway")
    # now() is the transaction's start: one transaction reads it twice the same.
    in_transaction = await two_clock_reads(read_only=False)
    assert in_transaction[0] == in_transaction[1]
    read_only = await two_clock_reads(read_only=True)
    assert read_only[0] != read_only[1]


async def test_claim_and_plan_return_what_reading_them_back_finds(
    store: Store, team_id: str
) -> None:
    for kind in (Kind.DEBT, Kind.DEBT, Kind.FEATURE):
        await add_item(store, team_id, kind)
    now = datetime.now(UTC)
    async with store.unit_of_work() as uow:
        run = await uow.digests.claim(team_id, "C111", "slot-1", now, timedelta(minutes=5))
        assert run is not None
        planned = await uow.digests.add_messages(
            run, [ItemRef(Kind.DEBT, 2), ItemRef(Kind.FEATURE, 1)], [ItemRef(Kind.DEBT, 1)]
        )
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.digests.find(team_id, "C111", "slot-1") == run
        assert await uow.digests.messages(run.id) == planned
    assert [(m.ref.number, m.in_thread) for m in planned] == [(2, True), (1, True), (1, False)]
    assert len({m.id for m in planned}) == 3
