"""A digest's parent is posted once, even when the poster never learnt that Slack took it: a
post that timed out after Slack stored it, or a poster killed before recording the parent's
ts. The poster that resumes the run finds the parent in the channel's history by its metadata
instead of starting a second thread."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update

from bot.domain.items import Kind
from bot.runtime import Runtime, build_runtime
from bot.services.ports import ReplyKey
from bot.services.post_digest import Outcome, post_digest_now
from bot.slack import app as slack_app
from bot.slack.digest_publisher import SlackDigestPublisher
from bot.store.models import DigestRunRow
from bot.store.unit_of_work import Store
from tests.conftest import bot_settings
from tests.fakes.slack_api import FakeSlack, SlackCall
from tests.support.digests import parents, replies, runs_of, ts_of
from tests.support.items import add_item

CHANNEL = "C111"
REPLIES = ["D-1", "D-2", "D-3", "F-1"]
CLIENT_TIMEOUT_S = 0.5


class _Killed(BaseException):
    """The process dying: nothing in post_digest catches it, and no commit follows."""


class DiesAfterTheParent:
    """Posts the parent through `real`, and dies as Slack's answer arrives."""

    def __init__(self, real: SlackDigestPublisher) -> None:
        self._real = real

    async def post_parent(self, channel_id: str, digest: Any) -> str:
        await self._real.post_parent(channel_id, digest)
        raise _Killed

    async def post_reply(
        self, channel_id: str, thread_ts: str, ranked: Any, digest: Any, key: ReplyKey
    ) -> str:
        raise AssertionError("no reply before the parent is recorded")

    async def posted_replies(self, channel_id: str, thread_ts: str, run_id: int) -> dict[int, str]:
        raise AssertionError("a fresh run has no thread to read")

    async def posted_parent(self, channel_id: str, run_id: int, since: Any) -> str | None:
        raise AssertionError("a fresh run has no parent to look for")

    async def post_trends(self, *args: object) -> None:
        raise AssertionError("the digest was never finished")


@pytest.fixture
def runtime(database_url: str, store: Store, fake_slack: FakeSlack) -> Runtime:
    return build_runtime(bot_settings(database_url, fake_slack, scheduler="off"), store)


async def _seed(store: Store, team_id: str) -> None:
    for n in range(3):
        await add_item(store, team_id, Kind.DEBT, f"Debt {n}")
    await add_item(store, team_id, Kind.FEATURE, "Feature 0")


async def _crash_after_the_parent(runtime: Runtime, store: Store, team_id: str) -> DigestRunRow:
    """Seed the channel, post its digest until Slack took the parent, die, and let the dead
    poster's lease end."""
    await _seed(store, team_id)
    with pytest.raises(_Killed):
        await post_digest_now(store, DiesAfterTheParent(runtime.publisher()), team_id=team_id,
                              channel_id=CHANNEL)
    [run] = await runs_of(store, team_id)
    assert (run.status, run.parent_ts) == ("posting", None)
    await _end_lease(store, run.id)
    return run


async def _end_lease(store: Store, run_id: int) -> None:
    async with store.unit_of_work() as uow:
        await uow.session.execute(
            update(DigestRunRow).where(DigestRunRow.id == run_id)
            .values(lease_until=datetime.now(UTC) - timedelta(seconds=1))
        )
        await uow.commit()


def _ref(call: SlackCall) -> str:
    return str(call.params["text"].split()[0])


def _all_in_one_thread(fake: FakeSlack, parent_ts: str) -> None:
    assert Counter(_ref(r) for r in replies(fake)) == Counter(dict.fromkeys(REPLIES, 1))
    assert {r.params["thread_ts"] for r in replies(fake)} == {parent_ts}


async def _resumed_under(
    parent: SlackCall, runtime: Runtime, store: Store, team_id: str, fake: FakeSlack
) -> DigestRunRow:
    """Post the channel's digest again: it resumes under `parent`, posts no second one, and
    puts every reply in its thread. Returns the run as it ends."""
    result = await post_digest_now(store, runtime.publisher(), team_id=team_id,
                                   channel_id=CHANNEL)

    assert (result.outcome, result.parent_ts) == (Outcome.RESUMED, ts_of(parent))
    assert parents(fake) == [parent]
    _all_in_one_thread(fake, ts_of(parent))
    [finished] = await runs_of(store, team_id)
    return finished


async def test_a_parent_posted_but_unrecorded_at_a_crash_is_found_not_posted_again(
    runtime: Runtime, store: Store, team_id: str, fake_slack: FakeSlack
) -> None:
    run = await _crash_after_the_parent(runtime, store, team_id)
    [parent] = parents(fake_slack)
    assert parent.params["metadata"] == {"event_type": "tradeoff_digest",
                                         "event_payload": {"run": run.id}}

    finished = await _resumed_under(parent, runtime, store, team_id, fake_slack)
    assert (finished.status, finished.parent_ts) == ("complete", ts_of(parent))
    # One read of what the channel got since the run was claimed, skew allowed, with metadata.
    [read] = fake_slack.calls_to("conversations.history")
    assert read.params["channel"] == CHANNEL
    assert read.params["include_all_metadata"] in ("1", "true")
    since = Decimal(str(read.params["oldest"]))
    assert since == Decimal(f"{(run.created_at - timedelta(minutes=10)).timestamp():.6f}")
    assert fake_slack.calls_to("conversations.replies") == []  # no reply can have gone out


async def test_a_parent_post_that_timed_out_after_slack_took_it_is_not_posted_twice(
    database_url: str, store: Store, team_id: str, fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(slack_app, "WEB_API_TIMEOUT_S", CLIENT_TIMEOUT_S)
    runtime = build_runtime(bot_settings(database_url, fake_slack, scheduler="off"), store)
    await _seed(store, team_id)
    fake_slack.delay("chat.postMessage", CLIENT_TIMEOUT_S * 3)

    failed = await post_digest_now(store, runtime.publisher(), team_id=team_id,
                                   channel_id=CHANNEL)

    assert failed.outcome is Outcome.FAILED and "TimeoutError" in (failed.error or "")
    [run] = await runs_of(store, team_id)
    assert (run.status, run.parent_ts) == ("failed", None)
    for _ in range(100):  # Slack stores the message after the client gave up on it
        if parents(fake_slack):
            break
        await asyncio.sleep(0.05)
    [parent] = parents(fake_slack)

    finished = await _resumed_under(parent, runtime, store, team_id, fake_slack)
    assert (finished.id, finished.status, finished.parent_ts) == (run.id, "complete",
                                                                   ts_of(parent))


async def test_history_is_read_page_by_page_and_only_this_runs_parent_counts(
    runtime: Runtime, store: Store, team_id: str, fake_slack: FakeSlack
) -> None:
    run = await _crash_after_the_parent(runtime, store, team_id)
    [parent] = parents(fake_slack)
    ours = Decimal(ts_of(parent))
    # Since then, someone wrote in the channel, and another digest run's parent was posted.
    fake_slack.threads.add(CHANNEL, {"type": "message", "user": "U1", "text": "morning",
                                     "ts": f"{ours + 1:.6f}"})
    fake_slack.threads.add(CHANNEL, {
        "type": "message", "text": "Digest", "ts": f"{ours + 2:.6f}",
        "metadata": {"event_type": "tradeoff_digest", "event_payload": {"run": run.id + 1000}},
    })
    fake_slack.threads.page_cap = 1

    result = await post_digest_now(store, runtime.publisher(), team_id=team_id,
                                   channel_id=CHANNEL)

    assert result.parent_ts == ts_of(parent)
    # Newest first: the other run's parent, the person's message, then ours; no page after.
    reads = fake_slack.calls_to("conversations.history")
    assert [r.params.get("cursor", "") for r in reads] == ["", "1", "2"]
    assert parents(fake_slack) == [parent]
    _all_in_one_thread(fake_slack, ts_of(parent))


async def test_a_parent_slack_refused_is_looked_for_once_and_posted_once(
    runtime: Runtime, store: Store, team_id: str, fake_slack: FakeSlack
) -> None:
    await _seed(store, team_id)
    fake_slack.fail("chat.postMessage", "internal_error")

    failed = await post_digest_now(store, runtime.publisher(), team_id=team_id,
                                   channel_id=CHANNEL)

    assert (failed.outcome, failed.error) == (Outcome.FAILED, "internal_error")
    assert fake_slack.calls_to("conversations.history") == []  # a fresh run looks for nothing

    result = await post_digest_now(store, runtime.publisher(), team_id=team_id,
                                   channel_id=CHANNEL)

    assert result.outcome is Outcome.RESUMED
    assert len(fake_slack.calls_to("conversations.history")) == 1
    [parent] = parents(fake_slack)
    assert result.parent_ts == ts_of(parent)
    _all_in_one_thread(fake_slack, ts_of(parent))


async def test_without_the_history_scopes_the_parent_is_posted_again_with_a_warning(
    runtime: Runtime, store: Store, team_id: str, fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await _crash_after_the_parent(runtime, store, team_id)
    fake_slack.threads.scopes_missing = True

    with caplog.at_level(logging.WARNING, logger="bot.services.digest_thread"):
        result = await post_digest_now(store, runtime.publisher(), team_id=team_id,
                                       channel_id=CHANNEL)

    # The fallback: a second parent is noise, a digest that can never finish is worse.
    first, second = parents(fake_slack)
    assert first.params["metadata"] == second.params["metadata"]  # the same run's
    assert (result.outcome, result.parent_ts) == (Outcome.RESUMED, ts_of(second))
    _all_in_one_thread(fake_slack, ts_of(second))
    [finished] = await runs_of(store, team_id)
    assert finished.parent_ts == ts_of(second)
    assert "missing_scope" in caplog.text


async def test_history_that_cannot_be_read_now_fails_the_digest_and_posts_nothing_blind(
    runtime: Runtime, store: Store, team_id: str, fake_slack: FakeSlack
) -> None:
    run = await _crash_after_the_parent(runtime, store, team_id)
    posted_before = len(fake_slack.calls_to("chat.postMessage"))
    fake_slack.http_error("conversations.history", 500, times=3)  # past the client's retries

    failed = await post_digest_now(store, runtime.publisher(), team_id=team_id,
                                   channel_id=CHANNEL)

    assert failed.outcome is Outcome.FAILED and "500" in (failed.error or "")
    assert len(fake_slack.calls_to("chat.postMessage")) == posted_before
    [still] = await runs_of(store, team_id)
    assert (still.id, still.status, still.parent_ts) == (run.id, "failed", None)

    result = await post_digest_now(store, runtime.publisher(), team_id=team_id,
                                   channel_id=CHANNEL)

    [parent] = parents(fake_slack)
    assert (result.outcome, result.parent_ts) == (Outcome.RESUMED, ts_of(parent))
    _all_in_one_thread(fake_slack, ts_of(parent))
