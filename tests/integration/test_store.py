"""The schema comes from Alembic, and the store keeps what it is given."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from pathlib import Path

import asyncpg
import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url

from bot.domain.items import Kind
from bot.store.migrate import alembic_config, current_revision, head_revision, upgrade_to_head
from bot.store.unit_of_work import Store
from tests.conftest import Bot
from tests.support.items import add_item
from tests.support.processes import TRADEOFF, clean_env


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


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="replicas share PostgreSQL, not SQLite"
)
def test_replicas_starting_together_migrate_a_new_database_once(tmp_path: Path) -> None:
    """Every `tradeoff serve` migrates on start; three at once on an empty database must all
    come up, with the schema made once."""
    admin = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql")
    name = f"tradeoff_race_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    asyncio.run(_pg(admin, f'CREATE DATABASE "{name}"'))
    url = admin.set(database=name).render_as_string(hide_password=False)
    try:
        procs = [
            subprocess.Popen(  # noqa: S603 - our own executable, fixed arguments
                [str(TRADEOFF), "migrate"], env=clean_env(DATABASE_URL=url), cwd=tmp_path,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            )
            for _ in range(3)
        ]
        outputs = [proc.communicate(timeout=120)[0] for proc in procs]
        assert [proc.returncode for proc in procs] == [0, 0, 0], outputs
        assert asyncio.run(_pg_scalar(url, "SELECT version_num FROM alembic_version")) == (
            head_revision()
        )
    finally:
        asyncio.run(_pg(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _pg(url: URL, sql: str) -> None:
    conn = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _pg_scalar(dsn: str, sql: str) -> object:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()
