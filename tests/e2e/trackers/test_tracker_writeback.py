"""Write-back: when a decision is recorded, each planned, linked item's issue gets the label
and one comment, exactly once across retries, crashes and two processes; tracker faults pause
the connection or postpone the write-back, and never block Slack."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bot.services.sync_tracker import TrackerSync
from bot.slack.directory import SlackDirectoryClient
from bot.slack.installations import WorkspaceClients
from bot.slack.names import NameResolver
from bot.store.models import TrackerWritebackRow
from bot.store.unit_of_work import Store
from bot.trackers.factory import tracker_factory
from bot.trackers.github import GitHubTracker
from tests.conftest import BOT_TOKEN
from tests.fakes.slack_api import FakeSlack
from tests.support.slack_requests import reply_text
from tests.support.trackers import (
    CHANNEL,
    GITHUB_TOKEN,
    LEAD,
    PM,
    REPO,
    TrackerBot,
    connect_github,
    plan_linked_debt,
)


@pytest.fixture(autouse=True)
def named_signers(fake_slack: FakeSlack) -> None:
    """The lead and PM as the comment names them."""
    fake_slack.users[LEAD] = {"profile": {"display_name": "Lena"}}
    fake_slack.users[PM] = {"profile": {"display_name": "Pat"}}


async def decided(bot: TrackerBot) -> None:
    """D-1 (linked to acme/shop#1) and F-1 (not linked) are planned by lead and PM."""

    async def connect() -> int:
        bot.github.add_issue(REPO, "Flaky tests", "CI fails")
        return await connect_github(bot, CHANNEL)

    url = f"{bot.github.base_url}/{REPO}/issues/1"
    await plan_linked_debt(bot, connect, f"{REPO}#1", url)


def syncer(bot: TrackerBot, store: Store | None = None) -> TrackerSync:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=bot.fake.base_url)
    directory = SlackDirectoryClient(WorkspaceClients(client), NameResolver())
    return TrackerSync(store or bot.store, bot.box, tracker_factory(bot.settings),
                       timedelta(minutes=5), directory)


async def outbox(bot: TrackerBot) -> list[TrackerWritebackRow]:
    async with bot.store.unit_of_work() as uow:
        return list(await uow.session.scalars(select(TrackerWritebackRow).where(
            TrackerWritebackRow.team_id == bot.team_id)))


async def test_a_decision_labels_and_comments_each_linked_planned_issue_once(
    bot: TrackerBot,
) -> None:
    await decided(bot)
    [pending] = await outbox(bot)
    assert not pending.done
    sync = syncer(bot)
    assert await sync.flush_writebacks(datetime.now(UTC)) == 1
    assert await sync.flush_writebacks(datetime.now(UTC)) == 0
    issue = bot.github.issue(REPO, 1)
    assert [label["name"] for label in issue["labels"]] == ["tradeoff:planned"]
    [comment] = bot.github.comments(REPO, 1)
    body = comment["body"]
    assert f"Planned in Tradeoff on {datetime.now(UTC):%Y-%m-%d} as D-1, 2 points." in body
    assert "Agreed by the tech lead Lena and the PM Pat." in body
    assert "Score 2.5; debt and bugs take 40% of this cycle's 5 planned points" in body
    assert "[The decision's Slack thread](https://example.slack.com/archives/C111/p" in body
    assert body.endswith(f"<!-- tradeoff:decision-{pending.decision_id}-D-1 -->")
    [done] = await outbox(bot)
    assert done.done
    assert "0 write-backs pending" in reply_text(await bot.slack.command("/tradeoff",
                                                                         "connections"))


async def test_two_processes_racing_on_the_outbox_write_back_once(
    bot: TrackerBot, database_url: str
) -> None:
    await decided(bot)
    other = Store(database_url)
    try:
        now = datetime.now(UTC)
        done = await asyncio.gather(syncer(bot).flush_writebacks(now),
                                    syncer(bot, other).flush_writebacks(now))
    finally:
        await other.close()
    assert sorted(done) == [0, 1]
    assert len(bot.github.comments(REPO, 1)) == 1
    assert len(bot.github.calls_to("POST", "/issues/1/labels")) == 1


async def test_a_crash_after_the_comment_does_not_comment_twice(bot: TrackerBot) -> None:
    await decided(bot)
    [pending] = await outbox(bot)
    # The first process posted the comment and died before marking the row done.
    first = GitHubTracker(bot.github.api_url, REPO, GITHUB_TOKEN)
    await first.comment_once(f"{REPO}#1", f"decision-{pending.decision_id}-D-1", ["Planned."],
                             "thread", "https://example.slack.com/x")
    later = datetime.now(UTC) + timedelta(minutes=6)  # its lease is over
    assert await syncer(bot).flush_writebacks(later) == 1
    assert len(bot.github.comments(REPO, 1)) == 1


async def test_5xx_postpones_the_write_back_and_it_finishes_later(bot: TrackerBot) -> None:
    await decided(bot)
    # The adapter retries 3 times with backoff; all four attempts fail.
    bot.github.fail("POST", "/issues/1/labels", 502, times=4)
    sync = syncer(bot)
    async with bot.store.unit_of_work() as uow:
        [connection] = await uow.trackers.in_channel(bot.team_id, CHANNEL)
        sealed = await uow.trackers.get_by_id(connection.id)
    assert sealed is not None
    tracker = sync.tracker_for(sealed)
    assert isinstance(tracker, GitHubTracker)
    tracker.backoff_s = 0.01
    now = datetime.now(UTC)
    assert await sync.flush_writebacks(now) == 0
    assert len(bot.github.calls_to("POST", "/issues/1/labels")) == 4
    [row] = await outbox(bot)
    assert not row.done and row.next_attempt_at is not None and "502" in str(row.last_error)
    text = reply_text(await bot.slack.command("/tradeoff", "connections"))
    assert "1 write-backs pending" in text and ": active" in text
    assert await sync.flush_writebacks(now + timedelta(seconds=5)) == 0  # not due yet
    assert await sync.flush_writebacks(now + timedelta(hours=2)) == 1
    assert len(bot.github.comments(REPO, 1)) == 1


async def test_401_pauses_the_connection_with_the_reason(bot: TrackerBot) -> None:
    await decided(bot)
    bot.github.fail("POST", "/issues/1/labels", 401)
    sync = syncer(bot)
    assert await sync.flush_writebacks(datetime.now(UTC)) == 0
    text = reply_text(await bot.slack.command("/tradeoff", "connections"))
    assert "*paused*" in text and "401" in text and "1 write-backs pending" in text
    # Paused: nothing is tried until someone connects again.
    assert await sync.flush_writebacks(datetime.now(UTC) + timedelta(hours=2)) == 0
    assert bot.github.comments(REPO, 1) == []
    await connect_github(bot, CHANNEL)
    assert await syncer(bot).flush_writebacks(datetime.now(UTC) + timedelta(hours=2)) == 1
    assert len(bot.github.comments(REPO, 1)) == 1


async def test_a_rate_limit_is_waited_out(bot: TrackerBot) -> None:
    await decided(bot)
    bot.github.rate_limit("POST", "/issues/1/comments", retry_after=1)
    assert await syncer(bot).flush_writebacks(datetime.now(UTC)) == 1
    assert len(bot.github.comments(REPO, 1)) == 1


async def test_the_bots_own_write_back_does_not_echo_back_as_a_change(bot: TrackerBot) -> None:
    from bot.store.models import ItemChangeRow, ItemRow

    await decided(bot)
    sync = syncer(bot)
    await sync.poll_due(datetime.now(UTC))
    async with bot.store.unit_of_work() as uow:
        before = len(list(await uow.session.scalars(
            select(ItemChangeRow).where(ItemChangeRow.team_id == bot.team_id))))
    assert await sync.flush_writebacks(datetime.now(UTC)) == 1
    await sync.poll_due(datetime.now(UTC) + timedelta(minutes=6))
    async with bot.store.unit_of_work() as uow:
        after = len(list(await uow.session.scalars(
            select(ItemChangeRow).where(ItemChangeRow.team_id == bot.team_id))))
        status = await uow.session.scalar(select(ItemRow.status).where(
            ItemRow.team_id == bot.team_id, ItemRow.tracker_ref == f"{REPO}#1"))
    assert (after, status) == (before, "planned")
