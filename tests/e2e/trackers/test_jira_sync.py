"""Staying in step with Jira by polling `/search/jql`: an issue closed, reopened or renamed
there changes its item, a poll with nothing new asks one filtered search and changes nothing,
and JQL's minute-resolution times are written in the account's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.services.sync_tracker import TrackerSync
from bot.store.models import ItemRow
from bot.trackers.factory import tracker_factory
from tests.fakes.jira_api import FakeJira
from tests.support.jira_trackers import PROJECT, connect_jira
from tests.support.slack_requests import reply_text
from tests.support.trackers import CHANNEL, TrackerBot, item_history, linked_item


async def imported(bot: TrackerBot, jira: FakeJira, *titles: str) -> None:
    for title in titles:
        jira.add_issue(PROJECT, title, "why it matters")
    await connect_jira(bot, jira, CHANNEL)
    await bot.slack.command("/tradeoff", "import")
    await bot.fake.wait_for("response_url")


def syncer(bot: TrackerBot) -> TrackerSync:
    return TrackerSync(bot.store, bot.box, tracker_factory(bot.settings), timedelta(minutes=5))


async def item(bot: TrackerBot, key: str) -> ItemRow:
    return await linked_item(bot, key)


async def test_a_poll_closes_reopens_and_renames_and_a_quiet_poll_asks_one_search(
    bot: TrackerBot, jira: FakeJira
) -> None:
    # Eight hours behind UTC: JQL times written in UTC would ask about the future.
    jira.time_zone = "America/Los_Angeles"
    await imported(bot, jira, "Flaky deploys", "Dark mode")
    sync = syncer(bot)
    now = datetime.now(UTC)
    await sync.poll_due(now)  # the first poll reads everything: nothing changed since import
    assert (await item(bot, "SHOP-1")).status == "open"

    jira.close("SHOP-1", by="Grace Hopper")
    jira.rename("SHOP-2", "Dark mode for the dashboard")
    await sync.poll_due(now + timedelta(minutes=6))
    closed, renamed = await item(bot, "SHOP-1"), await item(bot, "SHOP-2")
    assert (closed.status, closed.closed_by) == ("done", "tracker:jira")
    assert "status:done (closed in Jira by Grace Hopper)" in await item_history(bot, closed)
    assert renamed.title == "Dark mode for the dashboard"
    shown = reply_text(await bot.slack.command("/tradeoff", f"show F-{closed.number}"))
    assert "Jira · status: open → done (closed in Jira by Grace Hopper)" in shown

    [*_, asked] = jira.calls_to("POST", "/search/jql")
    async with bot.store.unit_of_work() as uow:
        [connection] = await uow.trackers.in_channel(bot.team_id, CHANNEL)
    assert connection.poll_cursor is not None
    jira.reopen("SHOP-1")
    await sync.poll_due(now + timedelta(minutes=12))
    assert (await item(bot, "SHOP-1")).status == "open"
    assert (await item_history(bot, closed))[-1] == "status:open (reopened in Jira)"
    [*_, asked] = jira.calls_to("POST", "/search/jql")
    local = connection.poll_cursor.astimezone(ZoneInfo("America/Los_Angeles"))
    assert asked.body["jql"] == (f'project = "{PROJECT}" AND updated >= '
                                 f'"{local:%Y/%m/%d %H:%M}" ORDER BY updated ASC')
    assert asked.body["expand"] == "changelog"

    # Nothing changed since: the poll is one search (it may see the last change again, as
    # Jira counts in whole minutes) and changes nothing.
    await sync.poll_due(now + timedelta(minutes=18))
    before = len(jira.calls)
    await sync.poll_due(now + timedelta(minutes=24))
    quiet = jira.calls[before:]
    assert [(c.method, c.path) for c in quiet] == [("POST", "/rest/api/3/search/jql")]
    assert "updated >=" in quiet[0].body["jql"]
    assert len(await item_history(bot, closed)) == 3  # created, closed, reopened: nothing new


async def test_an_issue_resolved_as_wont_do_drops_its_item(
    bot: TrackerBot, jira: FakeJira
) -> None:
    await imported(bot, jira, "Rewrite the billing service")
    sync = syncer(bot)
    now = datetime.now(UTC)
    await sync.poll_due(now)
    jira.close("SHOP-1", by="Ada Lovelace", resolution="Won't Do")
    await sync.poll_due(now + timedelta(minutes=6))
    dropped = await item(bot, "SHOP-1")
    assert (dropped.status, dropped.closed_by) == ("dropped", "tracker:jira")
    assert (await item_history(bot, dropped))[-1] == (
        "status:dropped (closed in Jira as not planned by Ada Lovelace)")


async def test_who_closed_it_is_read_past_a_long_history(bot: TrackerBot, jira: FakeJira) -> None:
    jira.embedded_histories = 2  # Jira embeds only the oldest entries of a long changelog
    await imported(bot, jira, "Flaky deploys")
    sync = syncer(bot)
    now = datetime.now(UTC)
    await sync.poll_due(now)
    jira.close("SHOP-1", by="Ada Lovelace")
    jira.reopen("SHOP-1")
    jira.close("SHOP-1", by="Grace Hopper")
    await sync.poll_due(now + timedelta(minutes=6))
    closed = await item(bot, "SHOP-1")
    assert (await item_history(bot, closed))[-1] == "status:done (closed in Jira by Grace Hopper)"
    [read] = jira.calls_to("GET", "/issue/SHOP-1/changelog")
    assert read.query == {"startAt": "0", "maxResults": "100"}


async def test_a_401_while_polling_pauses_the_connection_with_its_reason(
    bot: TrackerBot, jira: FakeJira
) -> None:
    await imported(bot, jira, "Flaky deploys")
    jira.fail("POST", "/search/jql", 401)
    await syncer(bot).poll_due(datetime.now(UTC))
    text = reply_text(await bot.slack.command("/tradeoff", "connections"))
    assert "*paused*: Jira refused the e-mail and API token (401)" in text
    before = len(jira.calls)
    await syncer(bot).poll_due(datetime.now(UTC) + timedelta(minutes=6))
    assert len(jira.calls) == before  # paused: Jira is not asked again
