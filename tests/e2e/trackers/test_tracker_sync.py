"""Staying in sync: polling (conditional, once across processes) and GitHub webhooks (signed,
deduped) close, reopen and rename linked items; the bot's own writes change nothing."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bot.domain.items import ItemRef, Kind
from bot.services.sync_tracker import TrackerSync
from bot.store.models import ItemRow
from bot.store.unit_of_work import Store
from bot.trackers.factory import tracker_factory
from tests.fakes.github_api import FakeGitHub
from tests.fakes.slack_api import FakeSlack
from tests.support.eventually import eventually
from tests.support.slack_requests import reply_text
from tests.support.trackers import (
    CHANNEL,
    LEAD,
    REPO,
    TrackerBot,
    connect_github,
    give_roles,
    item_history,
    linked_item,
    tracker_bot,
    tracker_settings,
)

HOOK_SECRET = "hook-secret-for-tests"


async def imported(bot: TrackerBot, *titles: str, secret: str | None = HOOK_SECRET) -> None:
    for title in titles:
        bot.github.add_issue(REPO, title, "why it matters")
    await connect_github(bot, CHANNEL, webhook_secret=secret)
    await bot.slack.command("/tradeoff", "import")
    await bot.fake.wait_for("response_url")


def syncer(bot: TrackerBot, store: Store | None = None) -> TrackerSync:
    return TrackerSync(store or bot.store, bot.box, tracker_factory(bot.settings),
                       timedelta(minutes=5))


async def item(bot: TrackerBot, number: int) -> ItemRow:
    return await linked_item(bot, f"{REPO}#{number}")


async def test_a_poll_closes_reopens_and_renames_and_an_unchanged_repo_costs_a_304(
    bot: TrackerBot,
) -> None:
    await imported(bot, "Flaky deploys", "Dark mode")
    sync = syncer(bot)
    now = datetime.now(UTC)
    await sync.poll_due(now)  # the first poll reads everything: nothing changed since import
    assert (await item(bot, 1)).status == "open"

    bot.github.close(REPO, 1, by="octocat")
    bot.github.rename(REPO, 2, "Dark mode for the dashboard")
    await sync.poll_due(now + timedelta(minutes=6))
    closed, renamed = await item(bot, 1), await item(bot, 2)
    assert (closed.status, closed.closed_by) == ("done", "tracker:github")
    assert "status:done (closed in GitHub by octocat)" in await item_history(bot, closed)
    assert renamed.title == "Dark mode for the dashboard"
    shown = reply_text(await bot.slack.command("/tradeoff", f"show {closed.kind[0].upper()}-"
                                                            f"{closed.number}"))
    assert "GitHub · status: open → done (closed in GitHub by octocat)" in shown

    bot.github.reopen(REPO, 1)
    await sync.poll_due(now + timedelta(minutes=12))
    assert (await item(bot, 1)).status == "open"
    assert (await item_history(bot, closed))[-1] == "status:open (reopened in GitHub)"

    # The next poll asks from the last change on (it sees that one issue again); from then on
    # the same question gets GitHub's 304, which costs no rate limit.
    await sync.poll_due(now + timedelta(minutes=18))
    before = len(bot.github.calls_to("GET", "/issues"))
    await sync.poll_due(now + timedelta(minutes=24))
    last = bot.github.calls_to("GET", "/issues")[before:]
    assert [c.status for c in last] == [304] and "since" in last[0].query
    assert len(await item_history(bot, closed)) == 3  # created, closed, reopened: nothing new


async def test_an_issue_closed_as_not_planned_drops_its_item_and_reopening_brings_it_back(
    bot: TrackerBot,
) -> None:
    await imported(bot, "Rewrite the billing service")
    sync = syncer(bot)
    now = datetime.now(UTC)
    await sync.poll_due(now)
    bot.github.close(REPO, 1, by="octocat", reason="not_planned")
    await sync.poll_due(now + timedelta(minutes=6))
    dropped = await item(bot, 1)
    assert (dropped.status, dropped.closed_by) == ("dropped", "tracker:github")
    assert (await item_history(bot, dropped))[-1] == (
        "status:dropped (closed in GitHub as not planned by octocat)")

    bot.github.reopen(REPO, 1)
    await sync.poll_due(now + timedelta(minutes=12))
    assert (await item(bot, 1)).status == "open"


async def test_an_item_closed_in_slack_stays_closed_while_its_issue_is_open(
    bot: TrackerBot,
) -> None:
    await imported(bot, "Flaky deploys")
    row = await item(bot, 1)
    ref = f"{row.kind[0].upper()}-{row.number}"
    await bot.slack.command("/tradeoff", f"done {ref}")
    sync = syncer(bot)
    await sync.poll_due(datetime.now(UTC))
    assert (await item(bot, 1)).status == "done"


async def test_two_processes_poll_a_connection_once(
    bot: TrackerBot, database_url: str
) -> None:
    await imported(bot, "Flaky deploys")
    other = Store(database_url)
    try:
        before = len(bot.github.calls_to("GET", "/issues"))
        now = datetime.now(UTC)
        polled = await asyncio.gather(syncer(bot).poll_due(now), syncer(bot, other).poll_due(now))
        assert sorted(polled) == [0, 1]
        assert len(bot.github.calls_to("GET", "/issues")) == before + 1
    finally:
        await other.close()


def signed(body: bytes, secret: str = HOOK_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def deliver(
    bot: TrackerBot, event: str, payload: dict[str, Any], *, signature: str | None = "sign",
    delivery: str | None = None,
) -> httpx.Response:
    body = json.dumps(payload).encode()
    headers = {"X-GitHub-Event": event, "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
               "Content-Type": "application/json"}
    if signature == "sign":
        headers["X-Hub-Signature-256"] = signed(body)
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return await bot.http.post(f"{bot.url}/github/webhook", content=body, headers=headers)


def issue_payload(bot: TrackerBot, action: str, number: int, sender: str) -> dict[str, Any]:
    return {"action": action, "issue": dict(bot.github.issue(REPO, number)),
            "repository": {"full_name": REPO}, "sender": {"login": sender}}


async def test_a_signed_webhook_closes_at_once_and_a_redelivery_changes_nothing(
    bot: TrackerBot,
) -> None:
    await imported(bot, "Flaky deploys")
    bot.github.close(REPO, 1, by="mona")
    payload = issue_payload(bot, "closed", 1, "mona")
    answer = await deliver(bot, "issues", payload, delivery="d-1")
    assert answer.status_code == 202

    async def closed() -> None:
        assert (await item(bot, 1)).status == "done"

    await eventually(closed)
    row = await item(bot, 1)
    assert "status:done (closed in GitHub by mona)" in await item_history(bot, row)
    again = await deliver(bot, "issues", payload, delivery="d-1")
    assert again.json() == {"outcome": "duplicate"}
    assert len(await item_history(bot, row)) == 2


async def test_missing_or_forged_signatures_get_401_and_change_nothing(bot: TrackerBot) -> None:
    await imported(bot, "Flaky deploys")
    bot.github.close(REPO, 1)
    payload = issue_payload(bot, "closed", 1, "mallory")
    assert (await deliver(bot, "issues", payload, signature=None)).status_code == 401
    forged = signed(json.dumps(payload).encode(), "not-the-secret")
    assert (await deliver(bot, "issues", payload, signature=forged)).status_code == 401
    assert (await deliver(bot, "issues", payload, signature="sha1=abc")).status_code == 401
    other_repo = {**payload, "repository": {"full_name": "evil/repo"}}
    assert (await deliver(bot, "issues", other_repo)).status_code == 401
    await asyncio.sleep(0.2)
    assert (await item(bot, 1)).status == "open"


async def test_label_and_comment_events_are_ignored(bot: TrackerBot) -> None:
    await imported(bot, "Flaky deploys")
    labeled = issue_payload(bot, "labeled", 1, "octo-bot")
    assert (await deliver(bot, "issues", labeled)).json() == {"outcome": "ignored"}
    comment = {"action": "created", "issue": labeled["issue"], "repository": {"full_name": REPO},
               "comment": {"body": "x"}, "sender": {"login": "octo-bot"}}
    assert (await deliver(bot, "issue_comment", comment)).json() == {"outcome": "ignored"}
    ping = {"zen": "Keep it logically awesome.", "repository": {"full_name": REPO}}
    assert (await deliver(bot, "ping", ping)).json() == {"outcome": "ignored"}


async def test_a_connection_without_a_webhook_secret_refuses_webhooks(bot: TrackerBot) -> None:
    await imported(bot, "Flaky deploys", secret=None)
    bot.github.close(REPO, 1)
    # Other workspaces' connections to the same repository may take it; this one may not.
    await deliver(bot, "issues", issue_payload(bot, "closed", 1, "x"))
    await asyncio.sleep(0.2)
    assert (await item(bot, 1)).status == "open"


async def test_the_running_bot_polls_by_itself(
    database_url: str, store: Store, fake_slack: FakeSlack, github: FakeGitHub, team_id: str
) -> None:
    settings = replace(tracker_settings(database_url, fake_slack, github), scheduler="on",
                       tracker_poll_interval=0.2)
    async with tracker_bot(settings, store, fake_slack, github, team_id) as running:
        await give_roles(store, team_id, CHANNEL)
        running.slack.user_id = LEAD
        await imported(running, "Flaky deploys")
        github.close(REPO, 1)

        async def closed() -> None:
            assert (await item(running, 1)).status == "done"

        await eventually(closed, within=10)
    assert ItemRef(Kind.DEBT, 1)  # the ids import gave are the usual ones
