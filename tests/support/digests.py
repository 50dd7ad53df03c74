"""Reading digests back: what the fake Slack received, and what the database recorded."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.store.models import DigestMessageRow, DigestRunRow
from bot.store.unit_of_work import Store
from tests.fakes.slack_api import FakeSlack, SlackCall


def parents(fake: FakeSlack) -> list[SlackCall]:
    """Digest parent messages Slack accepted (no thread_ts)."""
    return [c for c in _posted(fake) if not c.params.get("thread_ts")]


def replies(fake: FakeSlack) -> list[SlackCall]:
    """Thread replies Slack accepted."""
    return [c for c in _posted(fake) if c.params.get("thread_ts")]


def ts_of(call: SlackCall) -> str:
    assert call.answer is not None
    return str(call.answer["ts"])


def _posted(fake: FakeSlack) -> list[SlackCall]:
    return [c for c in fake.calls_to("chat.postMessage") if c.succeeded]


async def runs_of(store: Store, team_id: str) -> list[DigestRunRow]:
    async with store.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(DigestRunRow).where(DigestRunRow.team_id == team_id).order_by(DigestRunRow.id)
        )
        return list(rows)


async def messages_of(store: Store, run_id: int) -> list[DigestMessageRow]:
    async with store.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(DigestMessageRow)
            .where(DigestMessageRow.run_id == run_id)
            .order_by(DigestMessageRow.position)
        )
        return list(rows)


async def wait_until_posted(store: Store, team_id: str, *, after: int = 0) -> DigestRunRow:
    """The workspace's newest digest run once it is no longer being posted; `after`: the id
    of the run before it, when `/tradeoff digest` (answered before its run starts) is to post
    a new one."""
    async with asyncio.timeout(10):
        while True:
            runs = await runs_of(store, team_id)
            if runs and runs[-1].id > after and runs[-1].status != "posting":
                return runs[-1]
            await asyncio.sleep(0.02)


async def newest_run_id(store: Store, team_id: str) -> int:
    runs = await runs_of(store, team_id)
    return runs[-1].id if runs else 0
