"""Two `tradeoff serve` processes on one database behave as one bot: a digest that both of their
schedulers find due is posted once, and votes spread over both, Slack's retries reaching the
other process, count exactly."""

from __future__ import annotations

import asyncio
import itertools
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.domain.items import Kind
from bot.runtime import build_runtime
from bot.services.post_digest import post_digest_now
from bot.store.models import ItemRow, ProcessedEventRow, VoteRow
from bot.store.unit_of_work import Store
from tests.conftest import bot_settings
from tests.fakes.slack_api import FakeSlack
from tests.support.digests import parents, replies, runs_of, ts_of
from tests.support.eventually import eventually
from tests.support.items import add_item
from tests.support.schedules import CHANNEL, TEAM, schedule_due, slot_at
from tests.support.serve import start_serve, wait_healthy
from tests.support.slack_requests import SlackSender, reply_text

pytestmark = pytest.mark.slow


async def test_two_processes_post_a_due_digest_once(
    fresh_database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    store = Store(fresh_database_url)
    for n in range(3):
        await add_item(store, TEAM, Kind.DEBT, f"Debt {n}")
    due = datetime.now(UTC) - timedelta(minutes=30)
    await schedule_due(fresh_database_url, store, slot_at(due), due)

    procs = [start_serve(fresh_database_url, fake_slack, tmp_path / f"bot{n}.log",
                         DIGEST_REPLY_INTERVAL="0") for n in (1, 2)]
    try:
        await asyncio.gather(*(wait_healthy(served) for served in procs))
        await fake_slack.wait_for("chat.postMessage", count=4, timeout=20)

        async def winner_finished() -> None:
            # The winner logs its outcome once its thread (and, on a month's first digest, the
            # chart) is done: on a loaded machine that can take seconds.
            text = "".join((tmp_path / f"bot{n}.log").read_text() for n in (1, 2))
            assert "outcome=posted" in text

        await eventually(winner_finished, within=20)
        await asyncio.sleep(1.5)  # both schedulers have had their chance to post
    finally:
        for served in procs:
            served.kill()

    logs = [(tmp_path / f"bot{n}.log").read_text() for n in (1, 2)]
    outcomes = [line for log in logs for line in log.splitlines() if "digest team=" in line]
    assert len(parents(fake_slack)) == 1, outcomes
    # Usually both schedulers fire and the loser finds the slot claimed; never two posts.
    posted = [o for o in outcomes if "outcome=posted" in o]
    others = [o for o in outcomes if "outcome=posted" not in o]
    assert len(posted) == 1, outcomes
    assert all("outcome=in_progress" in o or "outcome=already_posted" in o for o in others)
    assert len(replies(fake_slack)) == 3
    [run] = await runs_of(store, TEAM)
    assert run.status == "complete" and run.channel_id == CHANNEL
    await store.close()


VOTERS = [f"UCROWD{n:02d}" for n in range(50)]


async def test_two_hundred_votes_spread_over_two_processes_with_retries_count_exactly(
    fresh_database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    store = Store(fresh_database_url)
    for n in range(2):
        await add_item(store, TEAM, Kind.DEBT, f"Debt {n}", size="S")
        await add_item(store, TEAM, Kind.FEATURE, f"Feature {n}", size="M")
    fake_slack.team_id = TEAM
    runtime = build_runtime(bot_settings(fresh_database_url, fake_slack, "off"), store)
    await post_digest_now(store, runtime.publisher(), team_id=TEAM, channel_id=CHANNEL)
    thread = {r.params["text"].split()[0]: ts_of(r) for r in replies(fake_slack)}
    assert sorted(thread) == ["D-1", "D-2", "F-1", "F-2"]

    procs = [start_serve(fresh_database_url, fake_slack, tmp_path / f"bot{n}.log",
                         DIGEST_REPLY_INTERVAL="0") for n in (1, 2)]
    try:
        await asyncio.gather(*(wait_healthy(served) for served in procs))
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(timeout=60, limits=limits) as http:
            senders = [served.sender(http, fake_slack, TEAM) for served in procs]
            # Each process has checked its token once: the burst below is about the votes.
            for sender in senders:
                assert "Debt 0" in reply_text(await sender.command("/tradeoff", "list"))
            plan = []
            for n, (user, ref) in enumerate(itertools.product(VOTERS, sorted(thread))):
                # Slack's retry of the same event reaches the other process, at the same time.
                plan += [(senders[n % 2], user, ref, None), (senders[(n + 1) % 2], user, ref, 1)]

            async def deliver(sender: SlackSender, user: str, ref: str, retry: int | None) -> None:
                event_id = f"Ev{user}{ref}"
                # As Slack does, a delivery answered with an error, or not answered at all (a
                # connection the server dropped), is sent again, up to 3 times.
                failed = ""
                for again in (retry, 2, 3, 4):
                    try:
                        answer = await sender.reaction(
                            thread[ref], user_id=user, event_id=event_id, retry_num=again
                        )
                    except httpx.TransportError as exc:
                        failed = repr(exc)
                        continue
                    if answer.status_code < 300:
                        return
                    failed = f"{answer.status_code} {answer.text}"
                logs = "\n".join(served.log()[-2000:] for served in procs)
                raise AssertionError(f"{event_id} never answered 2xx: {failed}\n{logs}")

            await asyncio.gather(*(deliver(*delivery) for delivery in plan))
            event_ids = {f"Ev{user}{ref}" for user in VOTERS for ref in thread}

            async def all_recorded() -> None:
                async with store.unit_of_work() as uow:
                    done = set(await uow.session.scalars(
                        select(ProcessedEventRow.event_id)
                        .where(ProcessedEventRow.team_id == TEAM)
                    ))
                assert done == event_ids

            # Every delivery got its 2xx, so Slack would send none of them again: each vote
            # must be stored already, not on its way.
            await all_recorded()
            listing = reply_text(await senders[0].command("/tradeoff", "list"))
    finally:
        for served in procs:
            served.kill()

    async with store.unit_of_work() as uow:
        rows = (await uow.session.execute(
            select(ItemRow.kind, ItemRow.number, VoteRow.user_id)
            .join(VoteRow, VoteRow.item_id == ItemRow.id)
            .where(ItemRow.team_id == TEAM)
        )).all()
    by_item = Counter(f"{kind[0].upper()}-{number}" for kind, number, _ in rows)
    assert by_item == dict.fromkeys(thread, len(VOTERS))
    assert len(rows) == len(set(rows)) == 4 * len(VOTERS)
    assert all(user in VOTERS for _, _, user in rows)
    for ref in thread:
        assert re.search(rf"^{ref}  .* · 50 votes", listing, re.MULTILINE), listing
    await store.close()
