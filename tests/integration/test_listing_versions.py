"""A channel's listing fingerprint changes with every write its `/tradeoff list` could show,
and with nothing else: not with a field the list leaves out, not with another channel's
items. On PostgreSQL it is a hash of the contents; on SQLite a value that triggers on items
and votes draw anew (migration 0011), so every write path is covered, the repositories' and
any other."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text, update

from bot.domain.item_edits import FieldChange
from bot.domain.items import ItemRef, Kind, Size, Status
from bot.store.listing_fingerprint import LISTED_COLUMNS
from bot.store.migrate import alembic_config, upgrade_to_head
from bot.store.models import ItemRow, ListingVersionRow
from bot.store.unit_of_work import Store, UnitOfWork
from tests.support.empty_database import empty_database
from tests.support.items import add_item

CHANNEL, OTHER = "C111", "C222"
D1, D2 = ItemRef(Kind.DEBT, 1), ItemRef(Kind.DEBT, 2)
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)

Write = Callable[[UnitOfWork, str], Awaitable[None]]


async def _state(store: Store, team_id: str, channel_id: str = CHANNEL) -> str:
    async with store.unit_of_work(read_only=True) as uow:
        fingerprint, _ = await uow.items.listing_state(team_id, channel_id)
    return fingerprint


async def _item_id(uow: UnitOfWork, team_id: str, ref: ItemRef) -> int:
    locked = await uow.items.lock(team_id, ref)
    assert locked is not None
    return locked[0]


async def _vote(uow: UnitOfWork, team_id: str) -> None:
    await uow.votes.add_vote(await _item_id(uow, team_id, D2), "UNEW", NOW)


async def _unvote(uow: UnitOfWork, team_id: str) -> None:
    await uow.votes.sync_vote(team_id, [D1], await _item_id(uow, team_id, D1), "UFAN", NOW)


async def _retitle(uow: UnitOfWork, team_id: str) -> None:
    await uow.items.edit(team_id, D1, [FieldChange("title", "Flaky", "Flaky CI", "Flaky CI")],
                         "ULEAD", NOW)


async def _size(uow: UnitOfWork, team_id: str) -> None:
    await uow.items.set_estimate(team_id, D1, Size.M, None, "ULEAD", NOW)


async def _close(uow: UnitOfWork, team_id: str) -> None:
    assert await uow.items.set_status(team_id, D2, Status.DONE, "ULEAD", NOW)


async def _move_votes(uow: UnitOfWork, team_id: str) -> None:
    await uow.votes.add_vote(await _item_id(uow, team_id, D2), "UOTHER", NOW)
    await uow.commit()
    moved = await uow.votes.move_votes(
        await _item_id(uow, team_id, D2), await _item_id(uow, team_id, D1), NOW
    )
    assert moved == 1


async def _behind_the_repositories(uow: UnitOfWork, team_id: str) -> None:
    # The tracker sync, an admin's SQL, another version of the bot: no repository involved.
    await uow.session.execute(
        update(ItemRow).where(ItemRow.team_id == team_id, ItemRow.number == 1)
        .values(link="https://example.com/1")
    )


WRITES: dict[str, Write] = {
    "vote": _vote, "unvote": _unvote, "retitle": _retitle, "size": _size, "close": _close,
    "move votes": _move_votes, "behind the repositories": _behind_the_repositories,
}


async def _seeded(store: Store, team_id: str) -> None:
    await add_item(store, team_id, Kind.DEBT, "Flaky")
    await add_item(store, team_id, Kind.DEBT, "Slow build")
    await add_item(store, team_id, Kind.DEBT, "Elsewhere", channel_id=OTHER)
    async with store.unit_of_work() as uow:
        await uow.votes.add_vote(await _item_id(uow, team_id, D1), "UFAN", NOW)
        await uow.commit()


@pytest.mark.parametrize("write", list(WRITES))
async def test_each_write_the_list_shows_changes_its_fingerprint_and_no_other(
    store: Store, team_id: str, write: str
) -> None:
    await _seeded(store, team_id)
    before, other_before = await _state(store, team_id), await _state(store, team_id, OTHER)
    listed_before = await _listed(store, team_id)

    async with store.unit_of_work() as uow:
        await WRITES[write](uow, team_id)
        await uow.commit()

    assert await _listed(store, team_id) != listed_before  # the write shows in the list...
    assert await _state(store, team_id) != before  # ...so the kept one is not shown again
    assert await _state(store, team_id, OTHER) == other_before


async def _listed(store: Store, team_id: str) -> list[tuple[object, ...]]:
    async with store.unit_of_work(read_only=True) as uow:
        items = await uow.items.list_open(team_id, CHANNEL)
    return [(i.ref, i.title, i.size, i.link, i.voters) for i in items]


async def test_a_write_the_list_does_not_show_keeps_its_fingerprint(
    store: Store, team_id: str
) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL aggregates the rows in their order on disk, which an update "
                    "can change: its new fingerprint then costs a rebuild, never a stale list")
    await _seeded(store, team_id)
    before = await _state(store, team_id)

    async with store.unit_of_work() as uow:
        await uow.items.edit(team_id, D1, [FieldChange("impact", "x", "y", "Pages at night")],
                             "ULEAD", NOW)
        await uow.items.lock(team_id, D1)
        await uow.commit()

    assert await _state(store, team_id) == before


async def test_a_channel_that_never_had_an_item_lists_as_empty(
    store: Store, team_id: str
) -> None:
    first = await _state(store, team_id, "CNEW1")
    assert first == await _state(store, team_id, "CNEW2")
    await add_item(store, team_id, Kind.FEATURE, "Dark mode", channel_id="CNEW1")
    assert await _state(store, team_id, "CNEW1") != first


async def test_sqlite_triggers_watch_every_column_the_list_shows(
    store: Store, team_id: str
) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL hashes LISTED_COLUMNS themselves")
    async with store.engine.connect() as conn:
        sql = (await conn.execute(text(
            "SELECT sql FROM sqlite_master WHERE name = 'listing_version_item_changed'"
        ))).scalar_one()
    watched = set(re.findall(r"OLD\.(\w+) IS NOT NEW\.\1", sql))
    assert set(LISTED_COLUMNS) | {"status", "team_id", "channel_id"} <= watched


async def test_a_purged_workspace_leaves_no_listing_version(store: Store, team_id: str) -> None:
    await _seeded(store, team_id)
    async with store.unit_of_work() as uow:
        await uow.items.purge_team(team_id)
        await uow.commit()
    async with store.unit_of_work(read_only=True) as uow:
        left = (await uow.session.scalars(
            select(ListingVersionRow.channel_id).where(ListingVersionRow.team_id == team_id)
        )).all()
    assert left == []


async def _two_channels_at_0010(url: str) -> None:
    store = Store(url)
    try:
        for channel in ("C1", "C2"):
            await add_item(store, "TMIGRATE", Kind.DEBT, f"Logged in {channel}",
                           channel_id=channel)
    finally:
        await store.close()


async def _listed_after_upgrade(url: str) -> tuple[list[str], list[str]]:
    """The fingerprints of C1, C2 and a channel that never had an item, then C1's list."""
    store = Store(url)
    try:
        states = [await _state(store, "TMIGRATE", channel) for channel in ("C1", "C2", "C3")]
        async with store.unit_of_work(read_only=True) as uow:
            titles = [i.title for i in await uow.items.list_open("TMIGRATE", "C1")]
        return states, titles
    finally:
        await store.close()


def test_channels_with_items_before_the_migration_are_not_listed_as_empty(
    tmp_path: Path
) -> None:
    with empty_database(tmp_path) as url:
        command.upgrade(alembic_config(url), "0010_org_installs_catch_up")
        asyncio.run(_two_channels_at_0010(url))
        upgrade_to_head(url)
        (c1, c2, never), titles = asyncio.run(_listed_after_upgrade(url))
    # Each channel that had items got a fingerprint of its own, unlike an empty channel's:
    # the kept empty list can never stand for theirs.
    assert len({c1, c2, never}) == 3
    assert titles == ["Logged in C1"]
