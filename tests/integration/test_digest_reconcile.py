"""Thread replies are recorded in batches, and a poster that dies after Slack took some replies
of a batch but before recording them leaves nothing to post twice: the poster that finishes
the digest finds those replies in the thread by their metadata and records them."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from bot.domain.items import Kind
from bot.runtime import Runtime, build_runtime
from bot.services import digest_thread
from bot.services.ports import ReplyKey
from bot.services.post_digest import Outcome, post_digest_now
from bot.slack.digest_publisher import SlackDigestPublisher
from bot.store.models import DigestRunRow
from bot.store.unit_of_work import Store
from tests.conftest import bot_settings
from tests.fakes.slack_api import FakeSlack, SlackCall
from tests.support.digests import messages_of, parents, replies, runs_of, ts_of
from tests.support.items import add_item

CHANNEL = "C111"
REPLIES = ["D-1", "D-2", "D-3", "D-4", "D-5", "D-6", "F-1", "F-2"]


class _Killed(BaseException):
    """The process dying: nothing in post_digest catches it, and no commit follows."""


class DiesAfterPosting:
    """Posts through `real`, and dies right after Slack took the `k`-th reply: the moment
    between a post and the commit of its ts."""

    def __init__(self, real: SlackDigestPublisher, k: int) -> None:
        self._real, self._k, self.posted = real, k, 0

    async def post_parent(self, channel_id: str, digest: Any) -> str:
        return await self._real.post_parent(channel_id, digest)

    async def post_reply(
        self, channel_id: str, thread_ts: str, ranked: Any, digest: Any, key: ReplyKey
    ) -> str:
        ts = await self._real.post_reply(channel_id, thread_ts, ranked, digest, key)
        self.posted += 1
        if self.posted == self._k:
            raise _Killed
        return ts

    async def posted_replies(self, channel_id: str, thread_ts: str, run_id: int) -> dict[int, str]:
        return await self._real.posted_replies(channel_id, thread_ts, run_id)

    async def posted_parent(self, channel_id: str, run_id: int, since: Any) -> str | None:
        return await self._real.posted_parent(channel_id, run_id, since)

    async def post_trends(self, *args: object) -> None:
        raise AssertionError("the digest was never finished")


@pytest.fixture
def runtime(database_url: str, store: Store, fake_slack: FakeSlack) -> Runtime:
    return build_runtime(bot_settings(database_url, fake_slack, scheduler="off"), store)


@pytest.fixture
def count_closes_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only RECORD_EVERY closes a batch, however slowly the machine runs the test."""
    monkeypatch.setattr(digest_thread, "RECORD_AFTER_S", 3600.0)


async def _seed(store: Store, team_id: str, debt: int = 6, features: int = 2) -> None:
    for n in range(debt):
        await add_item(store, team_id, Kind.DEBT, f"Debt {n}")
    for n in range(features):
        await add_item(store, team_id, Kind.FEATURE, f"Feature {n}")


def _ref(call: SlackCall) -> str:
    return str(call.params["text"].split()[0])


async def _crash_after(runtime: Runtime, store: Store, team_id: str, k: int) -> DigestRunRow:
    """Post the digest until Slack took `k` replies, die, and let the dead poster's lease end."""
    with pytest.raises(_Killed):
        await post_digest_now(store, DiesAfterPosting(runtime.publisher(), k), team_id=team_id,
                              channel_id=CHANNEL)
    [run] = await runs_of(store, team_id)
    assert run.status == "posting" and run.parent_ts is not None
    # Posted, never recorded: the case a per-reply commit used to rule out.
    assert [m.message_ts for m in await messages_of(store, run.id) if m.message_ts] == []
    async with store.unit_of_work() as uow:
        await uow.session.execute(
            update(DigestRunRow).where(DigestRunRow.id == run.id)
            .values(lease_until=datetime.now(UTC) - timedelta(seconds=1))
        )
        await uow.commit()
    return run


async def _recorded(store: Store, run_id: int) -> dict[str, str | None]:
    return {f"{m.item_kind[0].upper()}-{m.item_number}": m.message_ts
            for m in await messages_of(store, run_id) if m.in_thread}


@pytest.mark.usefixtures("count_closes_batches")
@pytest.mark.parametrize("k", [1, 5])
async def test_replies_posted_but_unrecorded_at_a_crash_are_found_not_posted_again(
    runtime: Runtime, store: Store, team_id: str, fake_slack: FakeSlack, k: int
) -> None:
    await _seed(store, team_id)
    run = await _crash_after(runtime, store, team_id, k)
    assert [_ref(r) for r in replies(fake_slack)] == REPLIES[:k]

    result = await post_digest_now(store, runtime.publisher(), team_id=team_id,
                                   channel_id=CHANNEL)

    assert (result.outcome, result.replies_posted) == (Outcome.RESUMED, len(REPLIES) - k)
    assert len(parents(fake_slack)) == 1
    assert Counter(_ref(r) for r in replies(fake_slack)) == Counter(dict.fromkeys(REPLIES, 1))
    assert await _recorded(store, run.id) == {_ref(r): ts_of(r) for r in replies(fake_slack)}
    [read] = fake_slack.calls_to("conversations.replies")
    assert (read.params["channel"], read.params["ts"]) == (CHANNEL, run.parent_ts)
    assert read.params["include_all_metadata"] in ("1", "true")
    [finished] = await runs_of(store, team_id)
    assert finished.status == "complete"
    # What the thread told apart: every reply names its run and planned message.
    planned = {m.id for m in await messages_of(store, run.id) if m.in_thread}
    keys = [r.params["metadata"] for r in replies(fake_slack)]
    assert {k["event_type"] for k in keys} == {"tradeoff_digest_reply"}
    assert {k["event_payload"]["run"] for k in keys} == {run.id}
    assert {k["event_payload"]["message"] for k in keys} == planned


@pytest.mark.usefixtures("count_closes_batches")
async def test_the_thread_is_read_page_by_page_and_only_this_runs_replies_count(
    runtime: Runtime, store: Store, team_id: str, fake_slack: FakeSlack
) -> None:
    await _seed(store, team_id)
    run = await _crash_after(runtime, store, team_id, 5)
    assert run.parent_ts is not None
    # Someone answered in the thread, and a message carries the metadata of another digest run.
    fake_slack.threads.add(CHANNEL, {"type": "message", "user": "U1", "text": "D-6 first!",
                                     "ts": "1799999999.000001", "thread_ts": run.parent_ts})
    [planned_d6] = [m.id for m in await messages_of(store, run.id) if m.item_number == 6
                    and m.item_kind == "debt"]
    fake_slack.threads.add(CHANNEL, {
        "type": "message", "text": "D-6", "ts": "1799999999.000002", "thread_ts": run.parent_ts,
        "metadata": {"event_type": "tradeoff_digest_reply",
                     "event_payload": {"run": run.id + 1000, "message": planned_d6}},
    })
    fake_slack.threads.page_cap = 2  # parent + 5 replies + 2 others: four pages

    result = await post_digest_now(store, runtime.publisher(), team_id=team_id,
                                   channel_id=CHANNEL)

    assert result.replies_posted == len(REPLIES) - 5
    reads = fake_slack.calls_to("conversations.replies")
    assert [r.params.get("cursor", "") for r in reads] == ["", "2", "4", "6"]
    assert Counter(_ref(r) for r in replies(fake_slack)) == Counter(dict.fromkeys(REPLIES, 1))
    assert await _recorded(store, run.id) == {_ref(r): ts_of(r) for r in replies(fake_slack)}


@pytest.mark.usefixtures("count_closes_batches")
async def test_without_the_history_scopes_the_unrecorded_replies_are_posted_again(
    runtime: Runtime, store: Store, team_id: str, fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await _seed(store, team_id)
    run = await _crash_after(runtime, store, team_id, 2)
    fake_slack.threads.scopes_missing = True

    with caplog.at_level(logging.WARNING, logger="bot.services.digest_thread"):
        result = await post_digest_now(store, runtime.publisher(), team_id=team_id,
                                       channel_id=CHANNEL)

    # The fallback: finished, every item has a reply, the two in doubt twice; votes count on
    # the copy the database knows, the later one.
    assert (result.outcome, result.replies_posted) == (Outcome.RESUMED, len(REPLIES))
    counts = Counter(_ref(r) for r in replies(fake_slack))
    assert counts == Counter({**dict.fromkeys(REPLIES, 1), "D-1": 2, "D-2": 2})
    assert await _recorded(store, run.id) == {_ref(r): ts_of(r) for r in replies(fake_slack)}
    assert "missing_scope" in caplog.text


@pytest.mark.usefixtures("count_closes_batches")
async def test_a_thread_that_cannot_be_read_now_fails_the_digest_and_posts_nothing_blind(
    runtime: Runtime, store: Store, team_id: str, fake_slack: FakeSlack
) -> None:
    await _seed(store, team_id)
    run = await _crash_after(runtime, store, team_id, 3)
    posted_before = len(fake_slack.calls_to("chat.postMessage"))
    fake_slack.http_error("conversations.replies", 500, times=3)  # past the client's retries

    failed = await post_digest_now(store, runtime.publisher(), team_id=team_id,
                                   channel_id=CHANNEL)

    assert failed.outcome is Outcome.FAILED
    assert len(fake_slack.calls_to("chat.postMessage")) == posted_before
    again = await post_digest_now(store, runtime.publisher(), team_id=team_id,
                                  channel_id=CHANNEL)
    assert (again.outcome, again.replies_posted) == (Outcome.RESUMED, len(REPLIES) - 3)
    assert Counter(_ref(r) for r in replies(fake_slack)) == Counter(dict.fromkeys(REPLIES, 1))
    assert await _recorded(store, run.id) == {_ref(r): ts_of(r) for r in replies(fake_slack)}


@pytest.mark.usefixtures("count_closes_batches")
async def test_replies_taken_before_a_failed_post_are_recorded_at_once(
    runtime: Runtime, store: Store, team_id: str, fake_slack: FakeSlack
) -> None:
    await _seed(store, team_id)
    fake_slack.delay("chat.postMessage", 0, times=4)  # the parent and three replies
    fake_slack.fail("chat.postMessage", "internal_error")

    result = await post_digest_now(store, runtime.publisher(), team_id=team_id,
                                   channel_id=CHANNEL)

    assert (result.outcome, result.error) == (Outcome.FAILED, "internal_error")
    [run] = await runs_of(store, team_id)
    recorded = {ref: ts for ref, ts in (await _recorded(store, run.id)).items() if ts}
    assert recorded == {_ref(r): ts_of(r) for r in replies(fake_slack)}
    assert list(recorded) == REPLIES[:3]


@pytest.mark.parametrize(("after_s", "recorded_before_each"), [
    (3600.0, [0] * 10 + [10] * 3),  # quick posting: a commit per ten replies, and at the end
    (0.0, list(range(13))),  # at Slack's pace (a second a post): each reply as it goes
])
async def test_replies_are_recorded_in_batches_of_ten_or_by_time(
    runtime: Runtime, store: Store, team_id: str, fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch, after_s: float, recorded_before_each: list[int],
) -> None:
    monkeypatch.setattr(digest_thread, "RECORD_AFTER_S", after_s)
    await _seed(store, team_id, debt=12, features=3)  # 10 debt replies (the column's cap) + 3
    real = runtime.publisher()
    seen: list[int] = []

    class Watching(DiesAfterPosting):
        async def post_reply(
            self, channel_id: str, thread_ts: str, ranked: Any, digest: Any, key: ReplyKey
        ) -> str:
            seen.append(sum(1 for m in await messages_of(store, key.run_id) if m.message_ts))
            return await real.post_reply(channel_id, thread_ts, ranked, digest, key)

        async def post_trends(self, *args: object) -> None:
            await real.post_trends(*args)  # type: ignore[arg-type]

    result = await post_digest_now(store, Watching(real, 0), team_id=team_id, channel_id=CHANNEL)

    assert (result.outcome, result.replies_posted) == (Outcome.POSTED, 13)
    assert seen == recorded_before_each
    [run] = await runs_of(store, team_id)
    assert await _recorded(store, run.id) == {_ref(r): ts_of(r) for r in replies(fake_slack)}
    assert fake_slack.calls_to("conversations.replies") == []  # a fresh run reads nothing
