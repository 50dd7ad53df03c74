"""The PostgreSQL pool hands out no dead connection, without a ping for every checkout: one the
server closed is seen closed for free, one idle long enough to be silently dropped is pinged
with a bound and replaced."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.store import engine as engine_module
from bot.store.unit_of_work import Store
from tests.support.outage import proxied_store
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="the pool's liveness check is PostgreSQL's"
)


async def _backend_pid(store: Store) -> int:
    async with store.unit_of_work(autocommit=True) as uow:
        return int((await uow.session.execute(text("SELECT pg_backend_pid()"))).scalar_one())


@pytest.fixture
async def proxied(database_url: str) -> AsyncIterator[tuple[Store, TcpProxy]]:
    async with proxied_store(database_url) as store_and_proxy:
        yield store_and_proxy


async def test_a_connection_the_server_closed_is_replaced_at_checkout(
    proxied: tuple[Store, TcpProxy], database_url: str
) -> None:
    store, _proxy = proxied
    first = await _backend_pid(store)
    admin = await asyncpg.connect(make_url(database_url).set(drivername="postgresql")
                                  .render_as_string(hide_password=False))
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", first)
    finally:
        await admin.close()

    # asyncpg learns of the close when this loop next reads the socket; give it the chance.
    await asyncio.sleep(0.3)
    # Without the check this raised: the closed connection was handed out and failed.
    assert await _backend_pid(store) != first


async def test_a_connection_silently_lost_while_idle_is_pinged_and_replaced(
    proxied: tuple[Store, TcpProxy], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, proxy = proxied
    monkeypatch.setattr(engine_module, "PG_IDLE_PING_AFTER_S", 0.2)
    first = await _backend_pid(store)
    await asyncio.sleep(0.3)
    proxy.silence_open()  # our side still thinks the socket is fine

    started = time.monotonic()
    second = await _backend_pid(store)
    waited = time.monotonic() - started

    assert second != first
    assert waited < engine_module.PG_CONNECT_TIMEOUT_S + 1.5, waited


async def test_a_busy_connection_is_handed_out_without_a_ping(
    proxied: tuple[Store, TcpProxy],
) -> None:
    store, proxy = proxied
    pid = await _backend_pid(store)
    sent = proxy.sent
    assert await _backend_pid(store) == pid
    assert proxy.sent - sent == 1, "a ping (or BEGIN) went before the query"
