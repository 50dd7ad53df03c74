"""Importing a Jira project's open issues (a slow Jira never holding Slack's answer), linking
items to issues by key or browse URL, and pushing items to Jira: signed Slack requests to the
real bot against the fake Jira."""

from __future__ import annotations

import time

from sqlalchemy import select

from bot.domain.items import ItemRef, Kind
from bot.store.models import ItemRow
from bot.trackers.jira import JiraTracker
from tests.fakes.jira_api import FakeJira
from tests.support.jira_trackers import JIRA_API_TOKEN, JIRA_EMAIL, PROJECT, connect_jira
from tests.support.slack_requests import reply_text
from tests.support.trackers import CHANNEL, TrackerBot

HEADING_FIRST = {"type": "doc", "version": 1, "content": [
    {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": "Context"}]},
    {"type": "paragraph", "content": [
        {"type": "text", "text": "Retries cost "}, {"type": "text", "text": "3 h",
                                                    "marks": [{"type": "strong"}]},
        {"type": "text", "text": " a week"}]},
    {"type": "paragraph", "content": [{"type": "text", "text": "More detail."}]}]}


async def items(bot: TrackerBot) -> dict[str, ItemRow]:
    async with bot.store.unit_of_work() as uow:
        rows = await uow.session.scalars(select(ItemRow).where(ItemRow.team_id == bot.team_id))
        return {str(row.tracker_ref): row for row in rows}


async def test_import_reads_every_page_sorts_debt_from_features_and_runs_again(
    bot: TrackerBot, jira: FakeJira
) -> None:
    jira.add_project("OTHER", "Other")
    jira.add_issue(PROJECT, "Flaky deploys", "", labels=("tech-debt",))
    jira.add_issue(PROJECT, "Checkout retries", HEADING_FIRST, issue_type="Tech Debt")
    for n in range(5):
        jira.add_issue(PROJECT, f"Feature {n}", f"Value {n}\nmore", labels=("ux",))
    jira.close(jira.add_issue(PROJECT, "Shipped", "x"))
    jira.add_issue("OTHER", "Not ours", "x")
    await connect_jira(bot, jira, CHANNEL)

    assert "Importing" in reply_text(await bot.slack.command("/tradeoff", "import"))
    [answer] = await bot.fake.wait_for("response_url")
    assert answer.params["text"] == (
        f"Imported *7* from Jira *{PROJECT} on {jira.site}* (D-1, D-2, F-1, F-2, F-3, F-4, "
        "F-5); 0 already linked, 0 skipped.")
    # Seven open issues at three a page: three pages, each after the first by its token.
    searches = jira.calls_to("POST", "/rest/api/3/search/jql")
    assert len(searches) == 3
    assert [("nextPageToken" in c.body) for c in searches] == [False, True, True]
    assert searches[0].body["jql"] == (f'project = "{PROJECT}" AND statusCategory != Done '
                                       "ORDER BY key ASC")
    assert {"summary", "description", "labels", "issuetype", "status"} <= set(
        searches[0].body["fields"])
    assert jira.calls_to("POST", "/rest/api/3/search") == searches  # never the removed one

    found = await items(bot)
    assert sorted(found) == [f"{PROJECT}-{n}" for n in range(1, 8)]
    flaky, retries, feature = found["SHOP-1"], found["SHOP-2"], found["SHOP-3"]
    assert (flaky.kind, flaky.impact) == ("debt", "impact not quantified")
    assert (retries.kind, retries.impact) == ("debt", "Retries cost 3 h a week")
    assert (feature.kind, feature.title, feature.impact) == ("feature", "Feature 0", "Value 0")
    assert feature.link == f"{jira.site}/browse/SHOP-3"

    jira.add_issue(PROJECT, "Brand new", "Why")
    jira.slow("POST", "/search/jql", 2)  # a slow Jira never holds Slack's answer
    started = time.monotonic()
    assert "Importing" in reply_text(await bot.slack.command("/tradeoff", "import"))
    assert time.monotonic() - started < 1.5
    answers = await bot.fake.wait_for("response_url", 2)
    assert "Imported *1*" in answers[1].params["text"]
    assert "(F-6); 7 already linked" in answers[1].params["text"]


async def test_link_by_key_or_browse_url_and_push_once(bot: TrackerBot, jira: FakeJira) -> None:
    await connect_jira(bot, jira, CHANNEL)
    for n in range(6):
        jira.add_issue(PROJECT, f"Existing {n}", "x")
    await bot.slack.command("/debt", "Slow CI | an hour a day")
    await bot.slack.command("/feature", "Dark mode | users ask")
    await bot.slack.command("/feature", "SSO | big customers ask")

    await bot.slack.command("/tradeoff", "link F-1 shop-6")
    [linked] = await bot.fake.wait_for("response_url")
    assert f"linked *F-1* to <{jira.site}/browse/SHOP-6|SHOP-6>" in linked.params["text"]
    await bot.slack.command("/tradeoff", f"link F-2 <{jira.site}/browse/SHOP-2?focus=1>")
    answers = await bot.fake.wait_for("response_url", 2)
    assert f"linked *F-2* to <{jira.site}/browse/SHOP-2|SHOP-2>" in answers[1].params["text"]

    await bot.slack.command("/tradeoff", "push D-1")
    answers = await bot.fake.wait_for("response_url", 3)
    assert f"pushed *D-1* to <{jira.site}/browse/SHOP-7|SHOP-7>" in answers[2].params["text"]
    created = jira.issue("SHOP-7").fields
    assert (created["summary"], created["labels"], created["issuetype"]["name"]) == (
        "Slow CI", ["tech-debt"], "Task")
    assert created["description"]["content"][0] == {
        "type": "paragraph", "content": [{"type": "text", "text": "an hour a day"}]}

    await bot.slack.command("/tradeoff", "push D-1")
    answers = await bot.fake.wait_for("response_url", 4)
    assert answers[3].params["text"].endswith(
        f"*D-1* is already linked to <{jira.site}/browse/SHOP-7|SHOP-7>; nothing was created.")
    assert len(jira.calls_to("POST", "/rest/api/3/issue")) == 1

    # A debt marker that is one of the project's issue types is the new issue's type.
    tracker = JiraTracker(jira.site, PROJECT, JIRA_EMAIL, JIRA_API_TOKEN)
    try:
        typed = await tracker.create_issue("Old ORM", "Slows every query", ["Tech Debt"])
    finally:
        await tracker.aclose()
    assert (typed.issue_type, typed.labels) == ("Tech Debt", ())

    # A linked item shows its issue as a link wherever it is listed.
    listed = reply_text(await bot.slack.command("/tradeoff", "list"))
    assert f"<{jira.site}/browse/SHOP-7|SHOP-7>" in listed
    assert f"<{jira.site}/browse/SHOP-7|SHOP-7>" in reply_text(
        await bot.slack.command("/tradeoff", "show D-1"))


async def test_a_foreign_or_missing_issue_is_explained_and_nothing_pauses(
    bot: TrackerBot, jira: FakeJira
) -> None:
    await connect_jira(bot, jira, CHANNEL)
    await bot.slack.command("/debt", "Slow CI | an hour a day")
    await bot.slack.command("/tradeoff", "link D-1 OTHER-4")
    [answer] = await bot.fake.wait_for("response_url")
    assert f"OTHER-4 is not an issue of {PROJECT} on {jira.site}" in answer.params["text"]
    await bot.slack.command("/tradeoff", "link D-1 https://elsewhere.example/browse/SHOP-1")
    answers = await bot.fake.wait_for("response_url", 2)
    assert "is not an issue of" in answers[1].params["text"]
    await bot.slack.command("/tradeoff", "link D-1 SHOP-99")
    answers = await bot.fake.wait_for("response_url", 3)
    assert "Jira has no SHOP-99 that this account can see (404)" in answers[2].params["text"]
    assert ": active" in reply_text(await bot.slack.command("/tradeoff", "connections"))
    async with bot.store.unit_of_work() as uow:
        assert await uow.item_links.link_of_item(bot.team_id, ItemRef(Kind.DEBT, 1)) is None
