"""Write-back to Jira: a recorded decision gives each planned, linked issue the label
`tradeoff-planned` and one ADF comment, exactly once across retries and a 5xx that came after
Jira saved the comment; 401 pauses the connection, 429 is waited out, and 5xx postpones the
write-back."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bot.services.sync_tracker import TrackerSync
from bot.slack.directory import SlackDirectoryClient
from bot.slack.installations import WorkspaceClients
from bot.slack.names import NameResolver
from bot.store.models import TrackerWritebackRow
from bot.trackers.factory import tracker_factory
from bot.trackers.jira import JiraTracker
from tests.conftest import BOT_TOKEN
from tests.fakes.jira_api import FakeJira
from tests.fakes.slack_api import FakeSlack
from tests.support.jira_trackers import PROJECT, connect_jira
from tests.support.slack_requests import reply_text
from tests.support.trackers import CHANNEL, LEAD, PM, TrackerBot, plan_linked_debt


@pytest.fixture(autouse=True)
def named_signers(fake_slack: FakeSlack) -> None:
    fake_slack.users[LEAD] = {"profile": {"display_name": "Lena"}}
    fake_slack.users[PM] = {"profile": {"display_name": "Pat"}}


async def decided(bot: TrackerBot, jira: FakeJira) -> None:
    """D-1 (linked to SHOP-1) and F-1 (not linked) are planned by the lead and the PM."""

    async def connect() -> int:
        jira.add_issue(PROJECT, "Flaky tests", "CI fails")
        return await connect_jira(bot, jira, CHANNEL)

    await plan_linked_debt(bot, connect, "SHOP-1", f"{jira.site}/browse/SHOP-1")


async def syncer(bot: TrackerBot) -> TrackerSync:
    """The background sync, its Jira adapter backing off in milliseconds, not seconds."""
    client = AsyncWebClient(token=BOT_TOKEN, base_url=bot.fake.base_url)
    directory = SlackDirectoryClient(WorkspaceClients(client), NameResolver())
    sync = TrackerSync(bot.store, bot.box, tracker_factory(bot.settings), timedelta(minutes=5),
                       directory)
    async with bot.store.unit_of_work() as uow:
        [connection] = await uow.trackers.in_channel(bot.team_id, CHANNEL)
        sealed = await uow.trackers.get_by_id(connection.id)
    assert sealed is not None
    tracker = sync.tracker_for(sealed)
    assert isinstance(tracker, JiraTracker)
    tracker.backoff_s = 0.01
    return sync


async def outbox(bot: TrackerBot) -> list[TrackerWritebackRow]:
    async with bot.store.unit_of_work() as uow:
        return list(await uow.session.scalars(select(TrackerWritebackRow).where(
            TrackerWritebackRow.team_id == bot.team_id)))


def paragraphs(comment: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return [p["content"] for p in comment["body"]["content"]]


async def test_a_decision_labels_the_issue_and_comments_once_in_adf(
    bot: TrackerBot, jira: FakeJira
) -> None:
    await decided(bot, jira)
    [pending] = await outbox(bot)
    sync = await syncer(bot)
    assert await sync.flush_writebacks(datetime.now(UTC)) == 1
    assert await sync.flush_writebacks(datetime.now(UTC)) == 0
    assert jira.issue("SHOP-1").fields["labels"] == ["tradeoff-planned"]
    [comment] = jira.comments("SHOP-1")
    texts = [" ".join(n["text"] for n in p) for p in paragraphs(comment)]
    assert texts[:3] == [
        f"Planned in Tradeoff on {datetime.now(UTC):%Y-%m-%d} as D-1, 2 points.",
        "Agreed by the tech lead Lena and the PM Pat.",
        "Score 2.5; debt and bugs take 40% of this cycle's 5 planned points (budget 30%).",
    ]
    [link] = paragraphs(comment)[3]
    assert link["text"] == "The decision's Slack thread"
    [mark] = link["marks"]
    assert mark["type"] == "link" and mark["attrs"]["href"].startswith(
        "https://example.slack.com/archives/C111/p")
    assert texts[4] == f"tradeoff:decision-{pending.decision_id}-D-1"
    [done] = await outbox(bot)
    assert done.done
    assert "0 write-backs pending" in reply_text(await bot.slack.command("/tradeoff",
                                                                         "connections"))


async def test_a_429_is_waited_out_and_a_5xx_after_jira_saved_the_comment_is_not_reposted(
    bot: TrackerBot, jira: FakeJira
) -> None:
    await decided(bot, jira)
    jira.rate_limit("PUT", "/issue/SHOP-1", retry_after=1)
    jira.fail("POST", "/issue/SHOP-1/comment", 502, after=True)  # saved, the answer lost
    started = time.monotonic()
    assert await (await syncer(bot)).flush_writebacks(datetime.now(UTC)) == 1
    assert time.monotonic() - started >= 1
    assert [c.status for c in jira.calls_to("PUT", "/issue/SHOP-1")] == [429, 204]
    assert [c.status for c in jira.calls_to("POST", "/comment")] == [502]
    assert len(jira.comments("SHOP-1")) == 1
    assert jira.issue("SHOP-1").fields["labels"] == ["tradeoff-planned"]


async def test_5xx_postpones_the_write_back_and_it_finishes_later(
    bot: TrackerBot, jira: FakeJira
) -> None:
    await decided(bot, jira)
    jira.fail("POST", "/issue/SHOP-1/comment", 503, times=4)  # every try of this round
    sync = await syncer(bot)
    now = datetime.now(UTC)
    assert await sync.flush_writebacks(now) == 0
    assert len(jira.calls_to("POST", "/comment")) == 4 and jira.comments("SHOP-1") == []
    [row] = await outbox(bot)
    assert not row.done and row.next_attempt_at is not None and "503" in str(row.last_error)
    text = reply_text(await bot.slack.command("/tradeoff", "connections"))
    assert "1 write-backs pending" in text and ": active" in text
    assert await sync.flush_writebacks(now + timedelta(seconds=5)) == 0  # not due yet
    assert await sync.flush_writebacks(now + timedelta(hours=2)) == 1
    assert len(jira.comments("SHOP-1")) == 1
    assert jira.issue("SHOP-1").fields["labels"] == ["tradeoff-planned"]


async def test_401_pauses_the_connection_with_its_reason(bot: TrackerBot, jira: FakeJira) -> None:
    await decided(bot, jira)
    jira.fail("PUT", "/issue/SHOP-1", 401)
    sync = await syncer(bot)
    assert await sync.flush_writebacks(datetime.now(UTC)) == 0
    text = reply_text(await bot.slack.command("/tradeoff", "connections"))
    assert "*paused*: Jira refused the e-mail and API token (401)" in text
    assert "1 write-backs pending" in text
    assert await sync.flush_writebacks(datetime.now(UTC) + timedelta(hours=2)) == 0
    assert jira.comments("SHOP-1") == []
