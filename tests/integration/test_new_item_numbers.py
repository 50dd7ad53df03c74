"""A new item's number, row and audit row are written together: concurrent adds never share a
number, a failed add uses none up, and on PostgreSQL a quick-add costs the database one round
trip."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select
from sqlalchemy.exc import IntegrityError

from bot.domain.items import Kind, make_draft
from bot.services.log_item import log_item
from bot.store.models import ItemChangeRow, ItemCounterRow, ItemRow
from bot.store.new_items import TURNS_AT_THE_ROW
from bot.store.unit_of_work import Store
from tests.support.items import add_item
from tests.support.outage import proxied_store

NEEDS_POSTGRES = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="round trips are PostgreSQL's"
)


async def _numbers_and_trail(store: Store, team_id: str) -> tuple[list[int], list[int]]:
    async with store.unit_of_work() as uow:
        numbers = await uow.session.scalars(
            select(ItemRow.number).where(ItemRow.team_id == team_id).order_by(ItemRow.number)
        )
        trail = await uow.session.scalars(
            select(ItemChangeRow.item_number)
            .where(ItemChangeRow.team_id == team_id, ItemChangeRow.field == "created")
            .order_by(ItemChangeRow.item_number)
        )
        return list(numbers), list(trail)


async def test_concurrent_adds_get_consecutive_numbers_each_with_its_audit_row(
    store: Store, team_id: str
) -> None:
    added = await asyncio.gather(*(add_item(store, team_id, title=f"T{n}") for n in range(20)))

    numbers, trail = await _numbers_and_trail(store, team_id)
    assert sorted(item.ref.number for item in added) == list(range(1, 21))
    assert numbers == trail == list(range(1, 21))
    # The audit row names the title the item was created with.
    async with store.unit_of_work() as uow:
        created = dict((await uow.session.execute(
            select(ItemChangeRow.item_number, ItemChangeRow.new_value)
            .where(ItemChangeRow.team_id == team_id)
        )).tuples().all())
    assert created == {item.ref.number: item.title for item in added}


async def test_a_failed_add_uses_up_no_number(store: Store, team_id: str) -> None:
    await add_item(store, team_id, title="First")
    # A row in the way of the next number, put there behind the counter's back.
    async with store.unit_of_work() as uow:
        await uow.session.execute(insert(ItemRow.__table__), {
            "team_id": team_id, "channel_id": "C111", "kind": "debt", "number": 2,
            "title": "Squatter", "impact": "-", "author_id": "U1", "status": "dropped",
            "created_at": datetime.now(UTC), "updated_at": datetime.now(UTC),
        })
        await uow.commit()

    with pytest.raises(IntegrityError):
        await add_item(store, team_id, title="Collides")

    async with store.unit_of_work() as uow:
        counter = await uow.session.scalar(
            select(ItemCounterRow.last_number).where(
                ItemCounterRow.team_id == team_id, ItemCounterRow.kind == "debt"
            )
        )
        orphans = await uow.session.scalar(
            select(func.count()).select_from(ItemChangeRow).where(
                ItemChangeRow.team_id == team_id, ItemChangeRow.new_value == "Collides"
            )
        )
    assert counter == 1, "the failed add drew a number"
    assert orphans == 0, "the failed add left its audit row"


@NEEDS_POSTGRES
async def test_a_quick_add_on_a_warm_connection_is_one_round_trip(
    database_url: str, team_id: str
) -> None:
    async with proxied_store(database_url) as (store, proxy):
        draft = make_draft(Kind.DEBT, "Warm-up", "impact")
        for _ in range(2):  # connects, reads settings, prepares the statement
            await log_item(store, team_id=team_id, channel_id="C1", author_id="U1", draft=draft)
        before = proxy.sent
        item = await log_item(store, team_id=team_id, channel_id="C1", author_id="U1",
                              draft=make_draft(Kind.DEBT, "Counted", "impact"))
        sent = proxy.sent - before
    assert item.ref.number == 3
    assert sent == 1, f"a quick-add sent {sent} messages to PostgreSQL and waited for each"


class _InFlight:
    """How many new-item statements of each workspace are at PostgreSQL at once, at most."""

    def __init__(self) -> None:
        self.now: Counter[str] = Counter()
        self.most: Counter[str] = Counter()
        self.most_overall = 0

    def sent(self, _conn: Any, _cursor: Any, sql: str, params: Any, *_: Any) -> None:
        if _draws_a_number(sql):
            team = _team_of(params)
            self.now[team] += 1
            self.most[team] = max(self.most[team], self.now[team])
            self.most_overall = max(self.most_overall, sum(self.now.values()))

    def done(self, _conn: Any, _cursor: Any, sql: str, params: Any, *_: Any) -> None:
        if _draws_a_number(sql):
            self.now[_team_of(params)] -= 1


def _draws_a_number(sql: str) -> bool:
    """The one statement of a PostgreSQL quick-add: the counter, the item and its audit row."""
    return "item_counters" in sql and "INSERT INTO items" in sql


def _team_of(params: Any) -> str:
    values = params.values() if isinstance(params, dict) else params
    return next(str(v) for v in values if isinstance(v, str) and v.startswith("T"))


@NEEDS_POSTGRES
async def test_quick_adds_of_one_workspace_wait_their_turn_in_the_process_not_on_the_row(
    store: Store
) -> None:
    teams = ["T" + uuid.uuid4().hex[:10].upper() for _ in range(2)]
    seen = _InFlight()
    engine = store.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen.sent)
    event.listen(engine, "after_cursor_execute", seen.done)
    try:
        added = await asyncio.gather(*(
            log_item(store, team_id=team, channel_id="C1", author_id="U1",
                     draft=make_draft(Kind.DEBT, f"Item {n}", "impact"))
            for n in range(16) for team in teams
        ))
    finally:
        event.remove(engine, "before_cursor_execute", seen.sent)
        event.remove(engine, "after_cursor_execute", seen.done)

    # A few statements per workspace at a time hold or wait for its counter's row...
    assert seen.most == Counter(dict.fromkeys(teams, TURNS_AT_THE_ROW))
    # ...while another workspace's quick-adds are not held up behind it.
    assert seen.most_overall == 2 * TURNS_AT_THE_ROW
    for team in teams:
        numbers, trail = await _numbers_and_trail(store, team)
        assert numbers == trail == list(range(1, 17))
        assert sorted(i.ref.number for i in added if i.team_id == team) == numbers
