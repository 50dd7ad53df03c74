"""`GET /healthz` answers 503, never 500, for every way the database can fail, and commands are
told to try again meanwhile. Each way runs on the database where it can happen: PostgreSQL
for all of them (SQLite has no server, roles or statement timeouts; its unreachable file is
in test_database_outage)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import Bot
from tests.fakes.slack_api import FakeSlack
from tests.support.outage import TRY_AGAIN, serving, through
from tests.support.slack_requests import reply_text
from tests.support.tcp_proxy import TcpProxy, proxy_to

PROBE_ROLE = "tradeoff_healthz_probe"
END_ITS_SESSIONS = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE usename = 'tradeoff_healthz_probe'"
)


@pytest.fixture
def pg_url(fresh_database_url: str) -> str:
    if make_url(fresh_database_url).get_backend_name() != "postgresql":
        pytest.skip("a database server's failures; SQLite's are in test_database_outage")
    return fresh_database_url


def _admin(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def _execute(dsn: str, *statements: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def _status(bot: Bot) -> int:
    return (await bot.slack.http.get(f"{bot.url}/healthz")).status_code


async def _told_to_try_again(bot: Bot) -> None:
    response = await bot.slack.command("/debt", "While it fails | impact")
    assert response.status_code == 200
    assert TRY_AGAIN in reply_text(response)


@pytest.fixture
def proxy(pg_url: str) -> Iterator[TcpProxy]:
    parsed = make_url(pg_url)
    with proxy_to(parsed.host or "127.0.0.1", parsed.port or 5432) as running:
        yield running


@pytest.fixture
async def proxied_bot(pg_url: str, proxy: TcpProxy, fake_slack: FakeSlack) -> AsyncIterator[Bot]:
    async with serving(through(proxy, pg_url), fake_slack, "THEALTH") as bot:
        assert await _status(bot) == 200
        yield bot


async def test_the_server_going_down(proxied_bot: Bot, proxy: TcpProxy) -> None:
    proxy.refuse()
    proxy.drop_all()  # its connections end with it

    assert await _status(proxied_bot) == 503
    await _told_to_try_again(proxied_bot)


async def test_connection_refused(pg_url: str, fake_slack: FakeSlack) -> None:
    nobody_listens = make_url(pg_url).set(host="127.0.0.1", port=1)
    async with serving(nobody_listens.render_as_string(False), fake_slack, "THEALTH") as bot:
        assert await _status(bot) == 503
        await _told_to_try_again(bot)


async def test_the_database_dropped(pg_url: str, fake_slack: FakeSlack) -> None:
    async with serving(pg_url, fake_slack, "THEALTH") as bot:
        assert await _status(bot) == 200
        name = make_url(pg_url).database
        await _execute(_admin(pg_url, "postgres"), f'DROP DATABASE "{name}" WITH (FORCE)')

        assert await _status(bot) == 503
        assert await _status(bot) == 503  # and again, on a connection made since
        await _told_to_try_again(bot)


@pytest.fixture
async def probe_role(pg_url: str) -> AsyncIterator[str]:
    """A role of its own for the bot, granted what the bot needs, dropped afterwards."""
    await _execute(_admin(pg_url, "postgres"), f"DROP ROLE IF EXISTS {PROBE_ROLE}",
                   f"CREATE ROLE {PROBE_ROLE} LOGIN")
    await _execute(_admin(pg_url), f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {PROBE_ROLE}",
                   f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {PROBE_ROLE}")
    yield make_url(pg_url).set(username=PROBE_ROLE).render_as_string(hide_password=False)
    await _execute(_admin(pg_url), f"DROP OWNED BY {PROBE_ROLE}")
    await _execute(_admin(pg_url, "postgres"), f"DROP ROLE IF EXISTS {PROBE_ROLE}")


async def test_authentication_failing(
    pg_url: str, probe_role: str, fake_slack: FakeSlack
) -> None:
    async with serving(probe_role, fake_slack, "THEALTH") as bot:
        assert await _status(bot) == 200
        # The role may log in no more (credentials rotated, role locked): every session it
        # had ends, and new ones are refused.
        await _execute(
            _admin(pg_url, "postgres"), f"ALTER ROLE {PROBE_ROLE} NOLOGIN", END_ITS_SESSIONS
        )

        assert await _status(bot) == 503
        await _told_to_try_again(bot)


async def test_a_statement_timing_out(pg_url: str, fake_slack: FakeSlack) -> None:
    """The database's own statement_timeout cancels the probe, well before the bot's 2 s."""
    name = make_url(pg_url).database
    await _execute(_admin(pg_url), f"ALTER DATABASE \"{name}\" SET statement_timeout = '200ms'")
    blocker = await asyncpg.connect(_admin(pg_url))
    try:
        async with serving(pg_url, fake_slack, "THEALTH") as bot:
            assert await _status(bot) == 200
            # A migration, say, holding the schema table: every read of it waits, then times out.
            await blocker.execute("BEGIN; LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE")
            started = time.monotonic()

            assert await _status(bot) == 503
            assert time.monotonic() - started < 1.5
    finally:
        await blocker.close()
