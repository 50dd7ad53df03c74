"""Multi-workspace mode: "Add to Slack" through Bolt's OAuth flow against the fake
`oauth.v2.access`, tokens in the bot's database, rotation, uninstall and the 30-day purge."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, inspect, text

from bot.config import Settings
from bot.domain.items import Kind, make_draft
from bot.runtime import build_runtime
from bot.services.log_item import log_item
from bot.services.workspace_lifecycle import (
    RETENTION,
    purge_uninstalled_workspaces,
    workspace_uninstalled,
)
from bot.store.unit_of_work import Store
from tests.conftest import bot_settings
from tests.fakes.slack_api import FakeSlack, Responder, SlackCall
from tests.support.bot_server import running_bot
from tests.support.db import stored_items
from tests.support.eventually import eventually
from tests.support.items import add_item
from tests.support.processes import TRADEOFF, clean_env
from tests.support.slack_requests import SlackSender, reply_text

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "oauth-client-secret-abcdef123456"
INSTALLED_TOKEN = "xoxb-installed-by-oauth"


@dataclass
class OAuthBot:
    url: str
    http: httpx.AsyncClient
    slack: SlackSender
    fake: FakeSlack
    store: Store
    team_id: str


def oauth_settings(database_url: str, fake: FakeSlack) -> Settings:
    base = bot_settings(database_url, fake)
    return replace(base, bot_token=None, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)


@pytest.fixture
async def oauth_bot(
    database_url: str, store: Store, fake_slack: FakeSlack, team_id: str
) -> AsyncIterator[OAuthBot]:
    fake_slack.team_id = team_id
    fake_slack.bot_token = INSTALLED_TOKEN
    async with (
        running_bot(oauth_settings(database_url, fake_slack), store) as url,
        httpx.AsyncClient(timeout=10) as http,
    ):
        sender = SlackSender(http, f"{url}/slack/events", fake_slack.response_url(), team_id)
        yield OAuthBot(url, http, sender, fake_slack, store, team_id)


async def install(bot: OAuthBot, code: str = "c0de-123") -> httpx.Response:
    """Click "Add to Slack", approve, and follow Slack's redirect back to the bot."""
    page = await bot.http.get(f"{bot.url}/slack/install")
    assert page.status_code == 200
    link = re.search(r'href="(https://slack\.com/oauth/v2/authorize[^"]+)"', page.text)
    assert link, page.text
    query = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)
    assert query["client_id"] == [CLIENT_ID]
    assert set(query["scope"][0].split(",")) >= {"commands", "chat:write", "reactions:read"}
    # The state cookie is `Secure` (production is HTTPS), so the test hands it back by hand
    # as the browser would.
    cookie = page.headers["set-cookie"].split(";")[0]
    return await bot.http.get(
        f"{bot.url}/slack/oauth_redirect",
        params={"code": code, "state": query["state"][0]},
        headers={"cookie": cookie},
    )


async def uninstalled(store: Store, team_id: str) -> None:
    """Wait for the event listener (it runs after the ack): tokens gone, purge scheduled."""

    async def check() -> None:
        assert await installed_tokens(store, team_id) == []
        async with store.unit_of_work() as uow:
            assert await uow.workspaces.uninstalled_since(team_id) is not None

    await eventually(check)


async def installed_tokens(store: Store, team_id: str) -> list[str]:
    async with store.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT bot_token FROM slack_bots WHERE team_id = :t ORDER BY id"),
            {"t": team_id},
        )
        return [row[0] for row in rows]


async def test_add_to_slack_stores_the_workspace_token_and_uses_it(oauth_bot: OAuthBot) -> None:
    answer = await install(oauth_bot)

    assert answer.status_code == 200
    [exchange] = oauth_bot.fake.calls_to("oauth.v2.access")
    assert exchange.params["code"] == "c0de-123"
    assert await installed_tokens(oauth_bot.store, oauth_bot.team_id) == [INSTALLED_TOKEN]

    logged = await oauth_bot.slack.command("/debt", "Flaky deploys | two rollbacks a week")
    assert "D-1" in reply_text(logged)
    await oauth_bot.slack.command("/debt", "")  # opens the form with the workspace's token
    [form] = await oauth_bot.fake.wait_for("views.open")
    assert form.token == INSTALLED_TOKEN


async def test_the_redirect_without_the_install_pages_state_is_refused(
    oauth_bot: OAuthBot,
) -> None:
    answer = await oauth_bot.http.get(
        f"{oauth_bot.url}/slack/oauth_redirect", params={"code": "c0de", "state": "forged"}
    )

    assert answer.status_code >= 400
    assert oauth_bot.fake.calls_to("oauth.v2.access") == []
    assert await installed_tokens(oauth_bot.store, oauth_bot.team_id) == []


async def test_a_workspace_that_never_installed_is_told_so_and_nothing_is_stored(
    oauth_bot: OAuthBot,
) -> None:
    answer = await oauth_bot.slack.command("/debt", "Flaky deploys | two rollbacks a week")

    assert answer.status_code == 200
    [told] = await oauth_bot.fake.wait_for("response_url")
    assert "installed" in str(told.params).lower()
    assert await stored_items(oauth_bot.store, oauth_bot.team_id) == []


async def test_uninstall_deletes_tokens_keeps_items_then_purges_them_after_30_days(
    oauth_bot: OAuthBot, store: Store
) -> None:
    await install(oauth_bot)
    await oauth_bot.slack.command("/debt", "Flaky deploys | two rollbacks a week")

    answer = await oauth_bot.slack.event({"type": "app_uninstalled"})

    assert answer.status_code == 200
    await uninstalled(store, oauth_bot.team_id)
    assert [i.title for i in await stored_items(store, oauth_bot.team_id)] == ["Flaky deploys"]
    again = await oauth_bot.slack.command("/debt", "Second | item")
    assert again.status_code == 200 and "D-2" not in again.text
    assert len(await stored_items(store, oauth_bot.team_id)) == 1

    soon = datetime.now(UTC) + RETENTION - timedelta(days=1)
    assert await purge_uninstalled_workspaces(store, now=soon) == []
    assert len(await stored_items(store, oauth_bot.team_id)) == 1
    later = datetime.now(UTC) + RETENTION + timedelta(days=1)
    assert oauth_bot.team_id in await purge_uninstalled_workspaces(store, now=later)
    assert await stored_items(store, oauth_bot.team_id) == []


async def test_a_reinstall_within_30_days_keeps_the_items(
    oauth_bot: OAuthBot, store: Store
) -> None:
    await install(oauth_bot)
    await oauth_bot.slack.command("/debt", "Flaky deploys | two rollbacks a week")
    await oauth_bot.slack.event({"type": "app_uninstalled"})
    await uninstalled(store, oauth_bot.team_id)

    await install(oauth_bot, code="second-install")

    later = datetime.now(UTC) + RETENTION + timedelta(days=1)
    assert oauth_bot.team_id not in await purge_uninstalled_workspaces(store, now=later)
    assert [i.title for i in await stored_items(store, oauth_bot.team_id)] == ["Flaky deploys"]
    assert await installed_tokens(store, oauth_bot.team_id) == [INSTALLED_TOKEN]


async def test_a_revoked_bot_token_counts_as_an_uninstall(
    oauth_bot: OAuthBot, store: Store
) -> None:
    await install(oauth_bot)

    await oauth_bot.slack.event(
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}}
    )

    await uninstalled(store, oauth_bot.team_id)


async def test_purge_touches_only_workspaces_past_retention(store: Store) -> None:
    now = datetime.now(UTC)
    gone, recent, staying = ("TGONE" + now.strftime("%f"), "TRECENT" + now.strftime("%f"),
                             "TSTAY" + now.strftime("%f"))
    for team in (gone, recent, staying):
        await log_item(store, team_id=team, channel_id="C1", author_id="U1",
                       draft=make_draft(Kind.DEBT, "Old cron", "pages at night"))
    await workspace_uninstalled(store, team_id=gone, now=now - RETENTION - timedelta(hours=1))
    await workspace_uninstalled(store, team_id=recent, now=now - timedelta(days=3))

    assert await purge_uninstalled_workspaces(store, now=now) == [gone]

    assert await stored_items(store, gone) == []
    assert len(await stored_items(store, recent)) == 1
    assert len(await stored_items(store, staying)) == 1


def rotating_oauth(team_id: str, first_expires_in: int) -> tuple[list[str], Responder]:
    """An oauth.v2.access that issues expiring tokens: the code exchange, then refreshes."""
    issued: list[str] = []

    def answer(call: SlackCall) -> dict[str, Any]:
        token = f"xoxe.xoxb-rotated-{len(issued)}"
        issued.append(token)
        return {
            "ok": True, "access_token": token, "token_type": "bot",
            "refresh_token": f"xoxe-1-refresh-{len(issued)}",
            "expires_in": first_expires_in if len(issued) == 1 else 43200,
            "scope": "commands,chat:write", "bot_user_id": "UBOT", "app_id": "A111",
            "team": {"id": team_id, "name": "Rotating"}, "enterprise": None,
            "is_enterprise_install": False, "authed_user": {"id": "U111"},
        }

    return issued, answer


async def test_expiring_tokens_are_rotated_before_use_by_requests_and_jobs(
    oauth_bot: OAuthBot, store: Store
) -> None:
    # Expiring in a minute: inside the rotation margin, so the next use rotates it.
    issued, answer = rotating_oauth(oauth_bot.team_id, first_expires_in=60)
    oauth_bot.fake.on("oauth.v2.access", answer)
    await install(oauth_bot)
    assert issued == ["xoxe.xoxb-rotated-0"]

    await oauth_bot.slack.command("/debt", "")
    [form] = await oauth_bot.fake.wait_for("views.open")

    refresh = oauth_bot.fake.calls_to("oauth.v2.access")[1]
    assert refresh.params["grant_type"] == "refresh_token"
    assert form.token == "xoxe.xoxb-rotated-1"

    async def rotated_token_saved() -> None:
        assert (await installed_tokens(store, oauth_bot.team_id))[-1] == "xoxe.xoxb-rotated-1"

    await eventually(rotated_token_saved)

    runtime = build_runtime(oauth_settings(store.database_url, oauth_bot.fake), store)
    client = await runtime.clients.for_team(oauth_bot.team_id)
    assert client is not None and client.token == "xoxe.xoxb-rotated-1"  # still fresh
    assert await runtime.clients.for_team("TNOTINSTALLED") is None


async def test_single_workspace_mode_has_no_install_pages(
    database_url: str, store: Store, fake_slack: FakeSlack
) -> None:
    async with (
        running_bot(bot_settings(database_url, fake_slack), store) as url,
        httpx.AsyncClient(timeout=10) as http,
    ):
        assert (await http.get(f"{url}/slack/install")).status_code == 404
        assert (await http.get(f"{url}/slack/oauth_redirect")).status_code == 404


@pytest.mark.parametrize("table", ["slack_installations", "slack_bots", "slack_oauth_states"])
async def test_migrated_tables_have_every_column_slack_sdks_stores_write(
    store: Store, table: str
) -> None:
    metadata = MetaData()
    expected = {
        "slack_installations": SQLAlchemyInstallationStore.build_installations_table,
        "slack_bots": SQLAlchemyInstallationStore.build_bots_table,
        "slack_oauth_states": SQLAlchemyOAuthStateStore.build_oauth_states_table,
    }[table](metadata, table)
    async with store.engine.connect() as conn:
        columns = await conn.run_sync(
            lambda sync: {c["name"] for c in inspect(sync).get_columns(table)}
        )
    assert columns == {c.name for c in expected.columns}


async def test_digests_outside_a_request_post_with_the_workspaces_own_token(
    oauth_bot: OAuthBot, store: Store
) -> None:
    """`tradeoff digest` and the scheduler have no request to take a token from."""
    await install(oauth_bot)
    await oauth_bot.slack.command("/debt", "Flaky deploys | two rollbacks a week")
    runtime = build_runtime(
        replace(oauth_settings(store.database_url, oauth_bot.fake), scheduler="off"), store
    )

    result = await runtime.digests.post_now(oauth_bot.team_id, "C111")
    stranger = await runtime.digests.post_now("TNEVERINSTALLED", "C111")

    assert result.outcome.value == "posted"
    posts = oauth_bot.fake.calls_to("chat.postMessage")
    assert posts and {p.token for p in posts} == {INSTALLED_TOKEN}
    assert (stranger.outcome.value, stranger.error) == ("failed", "not_installed")


# Org-wide installs on Enterprise Grid: the manifest allows them, the OAuth flow stores the
# org's install under its enterprise, and every workspace of the org posts with that token.
ORG_TOKEN = "xoxb-org-wide-install"


def test_manifest_org_enables_org_deploy(tmp_path: Path) -> None:
    def manifest(*flags: str) -> dict[str, object]:
        done = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
            [str(TRADEOFF), "manifest", "--url", "https://bot.example", *flags], cwd=tmp_path,
            env=clean_env(), capture_output=True, text=True, timeout=60, check=True,
        )
        settings = json.loads(done.stdout)["settings"]
        assert isinstance(settings, dict)
        return settings

    assert manifest()["org_deploy_enabled"] is False
    assert manifest("--org")["org_deploy_enabled"] is True


async def test_an_org_wide_install_posts_every_workspaces_digest_with_the_org_token(
    oauth_bot: OAuthBot, store: Store
) -> None:
    fake = oauth_bot.fake
    other = oauth_bot.team_id + "B"
    fake.enterprise_id, fake.org_teams, fake.bot_token = "E123", [oauth_bot.team_id, other], \
        ORG_TOKEN

    answer = await install(oauth_bot)

    assert answer.status_code == 200
    async with store.engine.connect() as conn:
        # The database is the session's: other tests' installs are there, under other teams.
        saved = (await conn.execute(text(
            "SELECT enterprise_id, team_id, is_enterprise_install, bot_token FROM slack_bots"
            " WHERE enterprise_id = 'E123' OR team_id IN (:one, :other)"
        ), {"one": oauth_bot.team_id, "other": other})).all()
    assert [tuple(row) for row in saved] == [("E123", None, True, ORG_TOKEN)]

    for team in (oauth_bot.team_id, other):
        await add_item(store, team, Kind.DEBT, f"Flaky in {team}")
    runtime = build_runtime(
        replace(oauth_settings(store.database_url, fake), scheduler="off"), store
    )
    first = await runtime.digests.post_now(oauth_bot.team_id, "C111")
    second = await runtime.digests.post_now(other, "C111")
    outsider = await runtime.digests.post_now("TOUTSIDE", "C111")

    assert (first.outcome.value, second.outcome.value) == ("posted", "posted")
    posts = fake.calls_to("chat.postMessage")
    assert {p.token for p in posts} == {ORG_TOKEN}
    posted_titles = " ".join(str(p.params.get("blocks")) for p in posts)
    assert f"Flaky in {oauth_bot.team_id}" in posted_titles and f"Flaky in {other}" in posted_titles
    assert (outsider.outcome.value, outsider.error) == ("failed", "not_installed")
    # The org's workspaces were asked once, then remembered.
    assert len(fake.calls_to("auth.teams.list")) == 1
