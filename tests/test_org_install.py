"""Org-wide installs on Enterprise Grid: the manifest allows them, the OAuth flow stores the
org's install under its enterprise, and scheduled digests of every workspace of the org post
with that token."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

from sqlalchemy import text

from bot.domain.items import Kind
from bot.runtime import build_runtime
from bot.store.unit_of_work import Store
from tests.e2e import test_oauth_install
from tests.e2e.test_oauth_install import OAuthBot, install, oauth_settings
from tests.support.items import add_item
from tests.support.processes import TRADEOFF, clean_env

ORG_TOKEN = "xoxb-org-wide-install"
oauth_bot = test_oauth_install.oauth_bot  # the multi-workspace bot fixture, shared


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
        saved = (await conn.execute(text(
            "SELECT enterprise_id, team_id, is_enterprise_install, bot_token FROM slack_bots"
        ))).all()
    assert [tuple(row) for row in saved] == [("E123", None, True, ORG_TOKEN)]

    for team in (oauth_bot.team_id, other):
        await add_item(store, team, Kind.DEBT, f"Flaky in {team}")
    runtime = build_runtime(
        replace(oauth_settings(store.database_url, fake), scheduler="off"), store
    )
    first = await runtime.post_now(oauth_bot.team_id, "C111")
    second = await runtime.post_now(other, "C111")
    outsider = await runtime.post_now("TOUTSIDE", "C111")

    assert (first.outcome.value, second.outcome.value) == ("posted", "posted")
    posts = fake.calls_to("chat.postMessage")
    assert {p.token for p in posts} == {ORG_TOKEN}
    posted_titles = " ".join(str(p.params.get("blocks")) for p in posts)
    assert f"Flaky in {oauth_bot.team_id}" in posted_titles and f"Flaky in {other}" in posted_titles
    assert (outsider.outcome.value, outsider.error) == ("failed", "not_installed")
    # The org's workspaces were asked once, then remembered.
    assert len(fake.calls_to("auth.teams.list")) == 1
