"""A database that does not answer: users are told to try again, /healthz says 503, and the
process keeps serving until the database is back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.store.migrate import upgrade_to_head
from bot.store.unit_of_work import Store
from tests.conftest import bot_settings
from tests.fakes.slack_api import FakeSlack
from tests.support.bot_server import running_bot
from tests.support.slack_requests import SlackSender, reply_text

TRY_AGAIN = "can't reach its database right now, so nothing was saved"


@pytest.fixture(params=["sqlite", "postgresql"])
def unreachable_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/not-created-yet/tradeoff.db"
    return "postgresql://postgres@127.0.0.1:1/tradeoff"  # nothing listens on port 1


@pytest.fixture
async def down_bot(
    unreachable_url: str, fake_slack: FakeSlack
) -> AsyncIterator[tuple[SlackSender, str]]:
    store = Store(unreachable_url)
    async with (
        running_bot(bot_settings(unreachable_url, fake_slack), store) as url,
        httpx.AsyncClient(timeout=10) as http,
    ):
        sender = SlackSender(http, f"{url}/slack/events", fake_slack.response_url(), "T111")
        yield sender, url


async def test_commands_get_a_try_again_reply(down_bot: tuple[SlackSender, str]) -> None:
    slack, _ = down_bot
    for command, text in [("/debt", "Flaky | impact"), ("/tradeoff", "list"),
                          ("/feature", "SSO | deals"), ("/tradeoff", "done D-1")]:
        response = await slack.command(command, text)
        assert response.status_code == 200
        assert response.json().get("response_type", "ephemeral") == "ephemeral"
        assert TRY_AGAIN in reply_text(response), (command, text)


async def test_healthz_reports_503_and_the_process_keeps_serving(
    down_bot: tuple[SlackSender, str],
) -> None:
    slack, url = down_bot
    first = await slack.http.get(f"{url}/healthz")
    await slack.command("/debt", "Flaky | impact")
    second = await slack.http.get(f"{url}/healthz")

    assert (first.status_code, second.status_code) == (503, 503)
    assert second.json()["database"] == "unreachable"
    # The form does not need the database, so it still opens.
    usage = await slack.command("/tradeoff", "help")
    assert "/tradeoff list" in reply_text(usage)


async def test_a_form_submitted_while_down_stays_open_with_the_error(
    down_bot: tuple[SlackSender, str], fake_slack: FakeSlack
) -> None:
    slack, _ = down_bot
    await slack.command("/debt", "")
    [opened] = await fake_slack.wait_for("views.open")
    payload = slack.view_submission(opened.params["view"], {"title": "T", "impact": "I"})

    response = await slack.interaction(payload)

    body = response.json()
    assert body["response_action"] == "errors"
    assert TRY_AGAIN in body["errors"]["title"]


async def test_service_recovers_when_the_database_comes_back(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    url = f"sqlite:///{tmp_path}/later/tradeoff.db"
    store = Store(url)
    async with (
        running_bot(bot_settings(url, fake_slack), store) as base,
        httpx.AsyncClient(timeout=10) as http,
    ):
        slack = SlackSender(http, f"{base}/slack/events", fake_slack.response_url(), "T111")
        assert (await http.get(f"{base}/healthz")).status_code == 503
        assert TRY_AGAIN in reply_text(await slack.command("/debt", "Early | impact"))

        (tmp_path / "later").mkdir()
        await asyncio.to_thread(upgrade_to_head, url)

        assert (await http.get(f"{base}/healthz")).status_code == 200
        assert "D-1" in reply_text(await slack.command("/debt", "Later | impact"))
