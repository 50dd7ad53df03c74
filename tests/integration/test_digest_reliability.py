"""Digests under failure: posted once per slot, finished after a crash, paused when the channel
is gone, patient with rate limits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.domain.items import Kind
from bot.runtime import Runtime, build_runtime
from bot.services.channel_settings import get_settings
from bot.services.post_digest import Outcome, post_digest, post_digest_now
from bot.slack.pacing import ChannelPacer
from bot.store.unit_of_work import Store
from tests.conftest import bot_settings
from tests.fakes.slack_api import FakeSlack, SlackCall
from tests.support.digests import messages_of, parents, replies, runs_of
from tests.support.items import add_item
from tests.support.slow_digest import SlowReplies, digest_time_follows


@pytest.fixture
async def runtime(
    database_url: str, store: Store, fake_slack: FakeSlack
) -> AsyncIterator[Runtime]:
    runtime = build_runtime(bot_settings(database_url, fake_slack, scheduler="off"), store)
    yield runtime


async def _seed(store: Store, team_id: str, debt: int = 3, features: int = 2) -> None:
    for n in range(debt):
        await add_item(store, team_id, Kind.DEBT, f"Debt {n}")
    for n in range(features):
        await add_item(store, team_id, Kind.FEATURE, f"Feature {n}")


async def test_two_posters_racing_for_one_slot_post_it_once(
    runtime: Runtime, store: Store, team_id: str, fake_slack: FakeSlack
) -> None:
    await _seed(store, team_id)
    publishers = [runtime.publisher(), runtime.publisher()]

    results = await asyncio.gather(*(
        post_digest(store, p, team_id=team_id, channel_id="C111", slot_key="2026-11-30T09:00")
        for p in publishers
    ))

    outcomes = sorted(r.outcome.value for r in results)
    # The loser finds the slot either still being posted or already done; never posts it.
    assert outcomes in (["in_progress", "posted"], ["already_posted", "posted"])
    assert len(parents(fake_slack)) == 1
    assert len(replies(fake_slack)) == 5
    again = await post_digest(
        store, runtime.publisher(), team_id=team_id, channel_id="C111",
        slot_key="2026-11-30T09:00",
    )
    assert again.outcome is Outcome.ALREADY_POSTED
    assert len(parents(fake_slack)) == 1


async def test_a_half_posted_digest_is_finished_never_duplicated(
    runtime: Runtime, store: Store, team_id: str, fake_slack: FakeSlack
) -> None:
    await _seed(store, team_id)
    posts = 0

    def flaky(call: SlackCall) -> dict[str, Any]:
        nonlocal posts
        posts += 1
        if posts >= 3:  # parent and first reply go through, then Slack errors out
            return {"ok": False, "error": "internal_error"}
        return {"ok": True, "channel": call.params["channel"], "ts": f"1700000000.{posts:06d}"}

    fake_slack.on("chat.postMessage", flaky)
    first = await post_digest_now(store, runtime.publisher(), team_id=team_id, channel_id="C111")
    assert (first.outcome, first.error) == (Outcome.FAILED, "internal_error")
    [run] = await runs_of(store, team_id)
    assert (run.status, run.error) == ("failed", "internal_error")
    assert run.parent_ts == "1700000000.000001"

    fake_slack.reset()
    second = await post_digest_now(store, runtime.publisher(), team_id=team_id, channel_id="C111")

    assert (second.outcome, second.replies_posted) == (Outcome.RESUMED, 4)
    assert parents(fake_slack) == []  # the parent was not posted again
    assert {c.params["thread_ts"] for c in replies(fake_slack)} == {"1700000000.000001"}
    assert [c.params["text"].split()[0] for c in replies(fake_slack)] == [
        "D-2", "D-3", "F-1", "F-2"
    ]
    [run] = await runs_of(store, team_id)
    assert run.status == "complete"
    assert all(m.message_ts for m in await messages_of(store, run.id))


async def test_a_digest_held_by_a_live_poster_is_not_taken_over(
    runtime: Runtime, store: Store, team_id: str, fake_slack: FakeSlack
) -> None:
    await _seed(store, team_id, debt=1, features=0)
    now = datetime.now(UTC)
    async with store.unit_of_work() as uow:
        await uow.digests.claim(team_id, "C111", "slot-1", now, timedelta(minutes=5))
        await uow.commit()

    result = await post_digest(
        store, runtime.publisher(), team_id=team_id, channel_id="C111", slot_key="slot-1",
        now=now + timedelta(minutes=1),
    )
    assert result.outcome is Outcome.IN_PROGRESS
    assert fake_slack.calls_to("chat.postMessage") == []

    later = await post_digest(
        store, runtime.publisher(), team_id=team_id, channel_id="C111", slot_key="slot-1",
        now=now + timedelta(minutes=6),
    )
    assert later.outcome is Outcome.RESUMED
    assert len(parents(fake_slack)) == 1


async def test_rate_limited_posts_wait_and_succeed(
    runtime: Runtime, store: Store, team_id: str, fake_slack: FakeSlack
) -> None:
    await _seed(store, team_id, debt=1, features=0)
    fake_slack.rate_limit("chat.postMessage", retry_after=1, times=1)

    result = await post_digest_now(store, runtime.publisher(), team_id=team_id, channel_id="C111")

    assert result.outcome is Outcome.POSTED
    calls = fake_slack.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 200, 200]
    assert len(parents(fake_slack)) == 1


async def test_server_errors_are_retried_then_recorded(
    runtime: Runtime, store: Store, team_id: str, fake_slack: FakeSlack
) -> None:
    await _seed(store, team_id, debt=1, features=0)
    fake_slack.http_error("chat.postMessage", status=503, times=10)

    result = await post_digest_now(store, runtime.publisher(), team_id=team_id, channel_id="C111")

    assert result.outcome is Outcome.FAILED
    assert len(fake_slack.calls_to("chat.postMessage")) == 3  # one try and two retries
    [run] = await runs_of(store, team_id)
    assert run.status == "failed" and run.error


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived"])
async def test_a_channel_slack_refuses_is_paused_and_others_go_on(
    runtime: Runtime, store: Store, team_id: str, fake_slack: FakeSlack, error: str
) -> None:
    await add_item(store, team_id, Kind.DEBT, "Gone", channel_id="CGONE")
    await add_item(store, team_id, Kind.DEBT, "Fine", channel_id="CFINE")

    def refuse_one(call: SlackCall) -> dict[str, Any]:
        if call.params["channel"] == "CGONE":
            return {"ok": False, "error": error}
        return {"ok": True, "channel": call.params["channel"], "ts": "1700000001.000001"}

    fake_slack.on("chat.postMessage", refuse_one)
    gone, fine = await asyncio.gather(
        post_digest_now(store, runtime.publisher(), team_id=team_id, channel_id="CGONE"),
        post_digest_now(store, runtime.publisher(), team_id=team_id, channel_id="CFINE"),
    )

    assert (gone.outcome, gone.error) == (Outcome.PAUSED, error)
    assert fine.outcome is Outcome.POSTED
    settings = await get_settings(store, team_id=team_id, channel_id="CGONE")
    assert settings.paused_reason == error
    assert (await get_settings(store, team_id=team_id, channel_id="CFINE")).paused_reason is None


async def test_replies_in_one_channel_are_spaced_by_the_pacer(
    store: Store, team_id: str, fake_slack: FakeSlack, database_url: str
) -> None:
    await _seed(store, team_id, debt=2, features=1)
    settings = bot_settings(database_url, fake_slack, scheduler="off")
    runtime = build_runtime(settings, store)
    slept: list[float] = []
    clock = [1000.0]

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    # A fake clock and sleep: the pacing is checked without any real waiting.
    runtime.publishers.pacer = ChannelPacer(1.0, clock=lambda: clock[0], sleep=fake_sleep)

    await post_digest_now(store, runtime.publisher(), team_id=team_id, channel_id="C111")

    assert slept == [1.0, 1.0, 1.0]  # parent, then three replies each a second apart


async def test_a_slow_digest_keeps_its_lease_so_no_one_takes_it_over(
    runtime: Runtime, store: Store, team_id: str, fake_slack: FakeSlack
) -> None:
    await _seed(store, team_id, debt=4, features=0)
    start = datetime.now(UTC)
    clock = {"now": start}
    real_publisher = runtime.publisher()
    taken_over: list[bool] = []

    async def another_process_looks(ranked: Any) -> None:
        if ranked.item.ref.number == 4:  # six minutes in: past the first 5-minute lease
            [run] = await runs_of(store, team_id)
            async with store.unit_of_work() as uow:
                taken_over.append(
                    await uow.digests.take_over(run.id, clock["now"], timedelta(minutes=5))
                )

    # Each reply 'takes' two minutes; before the fourth, another process looks at the run as it
    # would find it.
    with pytest.MonkeyPatch.context() as patch:
        digest_time_follows(patch, clock)
        result = await post_digest_now(
            store, SlowReplies(real_publisher, clock, another_process_looks), team_id=team_id,
            channel_id="C111", now=start,
        )

    assert result.outcome is Outcome.POSTED
    assert taken_over == [False]
    assert len(replies(fake_slack)) == 4
