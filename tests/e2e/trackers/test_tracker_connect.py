"""Connecting a channel to GitHub from Slack, listing and removing connections, importing,
linking and pushing: signed requests to the real bot, the fake Slack and the fake GitHub."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import select

from bot.store.models import ItemLinkRow, ItemRow, TrackerConnectionRow
from bot.store.unit_of_work import Store
from tests.fakes.github_api import FakeGitHub
from tests.fakes.slack_api import FakeSlack
from tests.support.slack_requests import reply_text
from tests.support.trackers import (
    CHANNEL,
    GITHUB_TOKEN,
    LEAD,
    REPO,
    TrackerBot,
    connect_github,
    give_roles,
    tracker_bot,
    tracker_settings,
)


async def connections(store: Store, team_id: str) -> list[TrackerConnectionRow]:
    async with store.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(TrackerConnectionRow).where(TrackerConnectionRow.team_id == team_id))
        return list(rows)


async def test_only_leads_and_pms_may_connect_and_are_named(bot: TrackerBot) -> None:
    bot.slack.user_id = "USOMEONE"
    answer = await bot.slack.command("/tradeoff", f"connect github {REPO}")
    text = reply_text(answer)
    assert "lead" in text and f"<@{LEAD}>" in text
    assert bot.fake.calls_to("views.open") == []


async def test_connect_opens_a_modal_checks_the_token_and_stores_it_sealed(
    bot: TrackerBot,
) -> None:
    answer = await bot.slack.command("/tradeoff", f"connect github {REPO}")
    assert answer.status_code == 200
    [opened] = await bot.fake.wait_for("views.open")
    view = opened.params["view"]
    assert "acme/shop" in str(view["blocks"])
    labels = next(b for b in view["blocks"] if b.get("block_id") == "labels")
    assert labels["element"]["initial_value"] == "tech-debt, debt"

    # A wrong token: the same modal comes back saying what failed, nothing is stored.
    payload = bot.slack.view_submission(view, {"token": "github_pat_wrong", "labels": "debt"})
    ack = await bot.slack.interaction(payload)
    assert ack.json()["response_action"] == "update"
    [refused] = await bot.fake.wait_for("views.update")
    assert "401" in str(refused.params["view"]["blocks"])
    assert "github_pat_wrong" not in str(refused.params["view"])
    assert await connections(bot.store, bot.team_id) == []

    payload = bot.slack.view_submission(view, {
        "token": GITHUB_TOKEN, "labels": "debt, chore", "webhook_secret": "hook-secret"})
    await bot.slack.interaction(payload)
    updates = await bot.fake.wait_for("views.update", 2)
    assert "Connected" in str(updates[-1].params["view"]["title"])
    assert "/github/webhook" in str(updates[-1].params["view"]["blocks"])
    [row] = await connections(bot.store, bot.team_id)
    assert (row.target, row.debt_labels, row.state) == (REPO, "debt,chore", "active")
    assert GITHUB_TOKEN not in row.credentials and "hook-secret" not in str(row.webhook_secret)
    [announced] = await bot.fake.wait_for("chat.postMessage")
    assert "acme/shop" in announced.params["text"]


async def test_without_a_secret_key_connecting_is_refused_naming_it(
    database_url: str, store: Store, fake_slack: FakeSlack, github: FakeGitHub, team_id: str
) -> None:
    settings = replace(tracker_settings(database_url, fake_slack, github), secret_keys=())
    async with tracker_bot(settings, store, fake_slack, github, team_id) as running:
        await give_roles(store, team_id, CHANNEL)
        running.slack.user_id = LEAD
        text = reply_text(await running.slack.command("/tradeoff", f"connect github {REPO}"))
    assert "TRADEOFF_SECRET_KEY" in text and "tradeoff secret-key" in text
    assert fake_slack.calls_to("views.open") == []


async def test_connections_shows_state_never_the_token_and_disconnect_removes_it(
    bot: TrackerBot,
) -> None:
    empty = reply_text(await bot.slack.command("/tradeoff", "connections"))
    assert "not connected" in empty
    assert "`/tradeoff connect github <owner>/<repo>`" in empty
    assert "`/tradeoff connect jira <site> <PROJECT>`" in empty
    await connect_github(bot, CHANNEL)
    text = reply_text(await bot.slack.command("/tradeoff", "connections"))
    assert "GitHub *acme/shop*: active" in text and "last sync never" in text
    assert "0 write-backs pending" in text and GITHUB_TOKEN not in text
    bot.slack.user_id = "USOMEONE"
    refused = reply_text(await bot.slack.command("/tradeoff", "disconnect github"))
    assert f"<@{LEAD}>" in refused and len(await connections(bot.store, bot.team_id)) == 1
    bot.slack.user_id = LEAD
    done = await bot.slack.command("/tradeoff", "disconnect github")
    assert "credentials are deleted" in reply_text(done)
    assert await connections(bot.store, bot.team_id) == []


async def test_import_brings_open_issues_in_once_and_links_them(bot: TrackerBot) -> None:
    for n in range(120):
        bot.github.add_issue(REPO, f"Feature {n}", f"Value {n}\n\nDetail")
    bot.github.add_issue(REPO, "Flaky deploys", "", labels=("tech-debt",))
    bot.github.add_issue(REPO, "A PR", pull_request=True)
    bot.github.add_issue(REPO, "Done", state="closed")
    await connect_github(bot, CHANNEL)
    first = await bot.slack.command("/tradeoff", "import")
    assert "Importing" in reply_text(first)
    [answer] = await bot.fake.wait_for("response_url")
    assert "Imported *121*" in answer.params["text"]
    async with bot.store.unit_of_work() as uow:
        items = list(await uow.session.scalars(
            select(ItemRow).where(ItemRow.team_id == bot.team_id).order_by(ItemRow.id)))
        links = list(await uow.session.scalars(
            select(ItemLinkRow).where(ItemLinkRow.team_id == bot.team_id)))
    assert len(items) == 121 == len(links)
    debt = next(i for i in items if i.title == "Flaky deploys")
    assert (debt.kind, debt.impact, debt.tracker_ref) == ("debt", "impact not quantified",
                                                          f"{REPO}#121")
    assert debt.link == f"{bot.github.base_url}/acme/shop/issues/121"
    feature = next(i for i in items if i.title == "Feature 7")
    assert (feature.kind, feature.impact) == ("feature", "Value 7")
    bot.github.add_issue(REPO, "Brand new", "Why")
    await bot.slack.command("/tradeoff", "import")
    answers = await bot.fake.wait_for("response_url", 2)
    assert "Imported *1*" in answers[1].params["text"]
    assert "121 already linked" in answers[1].params["text"]


async def test_import_when_github_refuses_pauses_the_connection_with_the_reason(
    bot: TrackerBot,
) -> None:
    await connect_github(bot, CHANNEL)
    bot.github.fail("GET", "/issues", 401)
    await bot.slack.command("/tradeoff", "import")
    [answer] = await bot.fake.wait_for("response_url")
    assert "Nothing imported" in answer.params["text"] and "401" in answer.params["text"]
    text = reply_text(await bot.slack.command("/tradeoff", "connections"))
    assert "*paused*" in text and "401" in text


async def test_link_and_push_and_push_of_a_linked_item_creates_nothing(bot: TrackerBot) -> None:
    await connect_github(bot, CHANNEL)
    bot.github.add_issue(REPO, "Existing", "x")
    await bot.slack.command("/debt", "Slow CI | an hour a day")
    await bot.slack.command("/feature", "Dark mode | users ask")
    async with bot.store.unit_of_work() as uow:
        refs = {i.title: str(i.ref) for i in await uow.items.list_open(bot.team_id, CHANNEL)}

    await bot.slack.command("/tradeoff", f"link {refs['Dark mode']} "
                                         f"<{bot.github.base_url}/acme/shop/issues/1>")
    [linked] = await bot.fake.wait_for("response_url")
    assert f"linked *{refs['Dark mode']}*" in linked.params["text"]
    assert "|acme/shop#1>" in linked.params["text"]

    await bot.slack.command("/tradeoff", f"push {refs['Slow CI']}")
    answers = await bot.fake.wait_for("response_url", 2)
    assert "|acme/shop#2>" in answers[1].params["text"]
    created = bot.github.issue(REPO, 2)
    assert created["title"] == "Slow CI" and [lb["name"] for lb in created["labels"]] == [
        "tech-debt"]

    await bot.slack.command("/tradeoff", f"push {refs['Slow CI']}")
    answers = await bot.fake.wait_for("response_url", 3)
    assert "already linked" in answers[2].params["text"]
    assert len(bot.github.calls_to("POST", "/repos/acme/shop/issues")) == 1

    await bot.slack.command("/tradeoff", f"link {refs['Slow CI']} other/repo#4")
    answers = await bot.fake.wait_for("response_url", 4)
    assert "already linked" in answers[3].params["text"]


async def test_linking_to_a_foreign_or_missing_issue_is_explained(bot: TrackerBot) -> None:
    await connect_github(bot, CHANNEL)
    await bot.slack.command("/debt", "Slow CI | an hour a day")
    async with bot.store.unit_of_work() as uow:
        [item] = await uow.items.list_open(bot.team_id, CHANNEL)
    await bot.slack.command("/tradeoff", f"link {item.ref} other/repo#4")
    [answer] = await bot.fake.wait_for("response_url")
    assert "is not an issue of acme/shop" in answer.params["text"]
    await bot.slack.command("/tradeoff", f"link {item.ref} #99")
    answers = await bot.fake.wait_for("response_url", 2)
    assert "404" in answers[1].params["text"]
    assert ": active" in reply_text(await bot.slack.command("/tradeoff", "connections"))
    async with bot.store.unit_of_work() as uow:
        assert await uow.item_links.link_of_item(bot.team_id, item.ref) is None


async def test_a_linked_item_shows_its_issue_wherever_it_appears(bot: TrackerBot) -> None:
    await connect_github(bot, CHANNEL)
    bot.github.add_issue(REPO, "Flaky deploys", "An hour a day", labels=("debt",))
    await bot.slack.command("/tradeoff", "import")
    await bot.fake.wait_for("response_url")
    link = f"<{bot.github.base_url}/acme/shop/issues/1|acme/shop#1>"

    assert link in reply_text(await bot.slack.command("/tradeoff", "list"))
    assert link in reply_text(await bot.slack.command("/tradeoff", "show D-1"))

    await bot.slack.command("/tradeoff", "digest")
    posts = await bot.fake.wait_for("chat.postMessage", 2)
    parent, reply = str(posts[0].params["blocks"]), str(posts[1].params["blocks"])
    assert link in parent and link in reply

    bot.fake.memberships[LEAD] = [CHANNEL]
    await bot.slack.event({"type": "app_home_opened", "user": LEAD, "tab": "home",
                           "channel": "D111"})
    [home] = await bot.fake.wait_for("views.publish")
    assert link in str(home.params["view"])

    await bot.slack.command("/tradeoff", "export")
    [complete] = await bot.fake.wait_for("files.completeUploadExternal")
    items_csv = next(bot.fake.uploads[f["id"]] for f in complete.params["files"]
                     if f["title"].startswith("Items"))
    header, row = items_csv.decode().splitlines()[:2]
    assert header.endswith(",tracker_issue") and row.endswith(",acme/shop#1")


async def test_the_workspaces_tracker_data_goes_with_its_purge(bot: TrackerBot) -> None:
    from bot.store.models import TrackerDeliveryRow, TrackerWritebackRow

    await connect_github(bot, CHANNEL, webhook_secret="s")
    bot.github.add_issue(REPO, "Flaky deploys", "x")
    await bot.slack.command("/tradeoff", "import")
    await bot.fake.wait_for("response_url")
    async with bot.store.unit_of_work() as uow:
        assert await uow.trackers.first_delivery("purge-test-delivery", bot.team_id,
                                                 datetime.now(UTC))
        await uow.workspaces.purge(bot.team_id)
        await uow.commit()
    async with bot.store.unit_of_work() as uow:
        for table in (TrackerConnectionRow, ItemLinkRow, TrackerWritebackRow,
                      TrackerDeliveryRow, ItemRow):
            rows = await uow.session.scalars(select(table).where(table.team_id == bot.team_id))
            assert list(rows) == [], table.__tablename__


async def test_a_slow_github_never_holds_slacks_answer(bot: TrackerBot) -> None:
    import time

    await connect_github(bot, CHANNEL)
    bot.github.add_issue(REPO, "Slow one", "x")
    bot.github.slow("GET", "/issues", 2.5)
    started = time.monotonic()
    answer = await bot.slack.command("/tradeoff", "import")
    assert time.monotonic() - started < 1.5 and "Importing" in reply_text(answer)
    [later] = await bot.fake.wait_for("response_url", timeout=15)
    assert "Imported *1*" in later.params["text"]

    await bot.slack.command("/tradeoff", f"connect github {REPO}")
    [opened] = await bot.fake.wait_for("views.open")
    bot.github.slow("GET", "/repos/acme/shop", 2.5)
    started = time.monotonic()
    payload = bot.slack.view_submission(opened.params["view"], {"token": GITHUB_TOKEN,
                                                               "labels": "debt"})
    ack = await bot.slack.interaction(payload)
    assert time.monotonic() - started < 1.5
    assert "Checking the token" in str(ack.json()["view"]["blocks"])
    [done] = await bot.fake.wait_for("views.update", timeout=15)
    assert "Connected" in str(done.params["view"]["title"])


async def test_connecting_another_repository_drops_the_old_links(bot: TrackerBot) -> None:
    bot.github.add_repo("acme/other")
    await connect_github(bot, CHANNEL)
    bot.github.add_issue(REPO, "Flaky deploys", "x")
    await bot.slack.command("/tradeoff", "import")
    await bot.fake.wait_for("response_url")
    from bot.domain.tracker_connections import TrackerCredentials, TrackerKind
    from bot.services.connect_tracker import ConnectRequest, connect_tracker
    from bot.trackers.factory import tracker_factory

    await connect_tracker(bot.store, bot.box, tracker_factory(bot.settings), ConnectRequest(
        team_id=bot.team_id, channel_id=CHANNEL, kind=TrackerKind.GITHUB, target="acme/other",
        project=None, credentials=TrackerCredentials(GITHUB_TOKEN), webhook_secret=None,
        debt_labels=("debt",), by_user=LEAD), check_role=False)
    async with bot.store.unit_of_work() as uow:
        links = list(await uow.session.scalars(
            select(ItemLinkRow).where(ItemLinkRow.team_id == bot.team_id)))
    [row] = await connections(bot.store, bot.team_id)
    assert links == [] and row.target == "acme/other" and row.poll_cursor is None
    text = reply_text(await bot.slack.command("/tradeoff", "list"))
    assert "Flaky deploys" in text and "acme/shop#1" not in text
