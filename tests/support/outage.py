"""A bot served through a proxy that can fail its database, and what users are told meanwhile."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from sqlalchemy.engine import make_url

from bot.store.unit_of_work import Store
from tests.conftest import Bot, bot_settings
from tests.fakes.slack_api import FakeSlack
from tests.support.bot_server import running_bot
from tests.support.slack_requests import SlackSender
from tests.support.tcp_proxy import TcpProxy, proxy_to

TRY_AGAIN = "can't reach its database right now, so nothing was saved"


def through(proxy: TcpProxy, database_url: str) -> str:
    """The same database, reached through the proxy."""
    proxied = make_url(database_url).set(host="127.0.0.1", port=proxy.port)
    return proxied.render_as_string(hide_password=False)


@contextlib.asynccontextmanager
async def proxied_store(database_url: str) -> AsyncIterator[tuple[Store, TcpProxy]]:
    """A store on the PostgreSQL database of `database_url`, reached through a proxy."""
    target = make_url(database_url)
    with proxy_to(target.host or "127.0.0.1", target.port or 5432) as proxy:
        store = Store(through(proxy, database_url))
        try:
            yield store, proxy
        finally:
            await store.close()


@contextlib.asynccontextmanager
async def serving(url: str, fake: FakeSlack, team_id: str) -> AsyncIterator[Bot]:
    """The real bot on `url`, built as the `bot` fixture builds it."""
    store = Store(url)
    try:
        async with (
            running_bot(bot_settings(url, fake), store) as base,
            httpx.AsyncClient(timeout=30) as http,
        ):
            sender = SlackSender(http, f"{base}/slack/events", fake.response_url(), team_id)
            yield Bot(url=base, slack=sender, fake=fake, store=store, team_id=team_id)
    finally:
        await store.close()
