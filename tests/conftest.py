"""Shared fixtures: a migrated database (SQLite, or PostgreSQL with TEST_DATABASE_URL), the fake
Slack, and the real bot served over HTTP."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.store.migrate import upgrade_to_head
from bot.store.unit_of_work import Store
from tests.fakes.slack_api import FakeSlack
from tests.support.bot_server import running_bot
from tests.support.slack_requests import SIGNING_SECRET, SlackSender

BOT_TOKEN = "xoxb-test-token"

pytest_plugins = ["tests.support.secret_watch"]


# `pytest -m quick`: the pure domain and Block Kit rules, their property tests, settings, and the
# main flows over signed HTTP (log, list, close, sign off a digest), in about a minute on 2
# cores. The full suite stays what CI runs; this is the loop to run while changing code.
QUICK_MODULES = frozenset({
    "test_config", "test_digest_blocks", "test_domain_items", "test_domain_schedule",
    "test_domain_scoring", "test_logs", "test_manifest_matches_code", "test_properties_blocks",
    "test_properties_parsers", "test_quick_add", "test_reply_blocks", "test_request_security",
    "test_sign_off", "test_slack_text", "test_tradeoff_command", "test_tracker_rules",
})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.stem in QUICK_MODULES:
            item.add_marker(pytest.mark.quick)


def _pg_admin_dsn(url: str) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


@contextmanager
def _migrated_database(prefix: str, sqlite_path: Path) -> Iterator[str]:
    """A new, migrated database: an SQLite file, or with TEST_DATABASE_URL a PostgreSQL
    database of its own that is dropped afterwards."""
    pg_url = os.environ.get("TEST_DATABASE_URL")
    if not pg_url:
        url = f"sqlite:///{sqlite_path}"
        upgrade_to_head(url)
        yield url
        return
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = _pg_admin_dsn(pg_url)
    asyncio.run(_pg_execute(admin, f'CREATE DATABASE "{name}"'))
    url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_to_head(url)
        yield url
    finally:
        asyncio.run(_pg_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _pg_execute(dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of this test run only, migrated to head once."""
    with _migrated_database("tradeoff_test", tmp_path_factory.mktemp("db") / "t.db") as url:
        yield url


@pytest.fixture
def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    """A database of this test only (for scheduler tests, whose jobs are global), migrated."""
    with _migrated_database("tradeoff_fresh", tmp_path / "fresh.db") as url:
        yield url


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    store = Store(database_url)
    yield store
    await store.close()


@pytest.fixture
def team_id() -> str:
    """A fresh workspace per test, so tests share one database without seeing each other."""
    return "T" + uuid.uuid4().hex[:10].upper()


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        yield fake


def bot_settings(database_url: str, fake_slack: FakeSlack, scheduler: str = "paused") -> Settings:
    """Settings for a bot under test: schedules are stored but never fire unless asked."""
    return Settings(
        database_url=database_url,
        slack_api_url=fake_slack.base_url,
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        scheduler=scheduler,
        digest_reply_interval=0,
        parent_update_interval=0.05,
    )


@dataclass
class Bot:
    url: str
    slack: SlackSender
    fake: FakeSlack
    store: Store
    team_id: str


@pytest.fixture
async def bot(
    database_url: str, store: Store, fake_slack: FakeSlack, team_id: str
) -> AsyncIterator[Bot]:
    """The real app under uvicorn, talking to the fake Slack, with a signed-request sender."""
    fake_slack.team_id = team_id
    async with (
        running_bot(bot_settings(database_url, fake_slack), store) as url,
        httpx.AsyncClient(timeout=10) as http,
    ):
        sender = SlackSender(http, f"{url}/slack/events", fake_slack.response_url(), team_id)
        yield Bot(url=url, slack=sender, fake=fake_slack, store=store, team_id=team_id)


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
