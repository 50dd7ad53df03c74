"""The schema comes from Alembic, and the store keeps what it is given."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from sqlalchemy import inspect

from bot.domain.items import Kind
from bot.store.migrate import alembic_config, current_revision, head_revision, upgrade_to_head
from bot.store.unit_of_work import Store
from tests.conftest import Bot
from tests.support.items import add_item


async def test_test_database_is_at_the_newest_migration(store: Store) -> None:
    assert await current_revision(store.engine) == head_revision()


async def test_migrations_upgrade_and_downgrade_a_fresh_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/fresh.db"
    await asyncio.to_thread(upgrade_to_head, url)
    store = Store(url)
    try:
        async with store.engine.connect() as conn:
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert {"items", "votes", "item_counters", "alembic_version"} <= tables

        await asyncio.to_thread(command.downgrade, alembic_config(url), "base")
        async with store.engine.connect() as conn:
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert tables == {"alembic_version"}
    finally:
        await store.close()


async def test_text_round_trips_exactly(store: Store, team_id: str) -> None:
    title = "'; DROP TABLE items; -- %s%n \\x00? ünï 🚀 <!channel>"
    item = await add_item(store, team_id, Kind.DEBT, title, impact="line 1\nline 2\ttab")

    async with store.unit_of_work() as uow:
        loaded = await uow.items.get(team_id, item.ref)

    assert loaded is not None
    assert (loaded.title, loaded.impact) == (title, "line 1\nline 2\ttab")
    assert loaded.created_at == item.created_at
    assert loaded.created_at.utcoffset() is not None


async def test_healthz_is_200_when_the_database_answers(bot: Bot) -> None:
    response = await bot.slack.http.get(f"{bot.url}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
