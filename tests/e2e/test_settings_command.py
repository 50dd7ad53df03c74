"""`/tradeoff budget`, `capacity` and `settings`."""

from __future__ import annotations

import pytest

from bot.services.channel_settings import get_settings
from tests.conftest import Bot
from tests.support.slack_requests import reply_text


async def test_budget_and_capacity_are_saved_and_announced(bot: Bot) -> None:
    budget = await bot.slack.command("/tradeoff", "budget 30%")
    capacity = await bot.slack.command("/tradeoff", "capacity 40")

    assert budget.json()["response_type"] == "in_channel"
    assert "set the debt budget to *30%*" in reply_text(budget)
    assert "set the capacity per cycle to *40 points*" in reply_text(capacity)
    settings = await get_settings(bot.store, team_id=bot.team_id, channel_id="C111")
    assert (settings.budget_pct, settings.capacity) == (30, 40)


async def test_settings_shows_everything_with_defaults(bot: Bot) -> None:
    shown = reply_text(await bot.slack.command("/tradeoff", "settings"))
    assert "no weekly digest" in shown
    assert "Capacity per cycle: *20 points*" in shown
    assert "Debt budget: *20%*" in shown
    assert "Thread replies per kind: *10*" in shown


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("budget 120", "from 0 to 100"),
        ("budget lots", "from 0 to 100"),
        ("budget", "from 0 to 100"),
        ("capacity 0", "1 to 1000"),
        ("capacity -5", "1 to 1000"),
        ("settings replies 26", "from 1 to 25"),
        ("settings colour blue", "Unknown setting `colour blue`"),
    ],
)
async def test_bad_values_are_explained_and_change_nothing(
    bot: Bot, command: str, problem: str
) -> None:
    shown = reply_text(await bot.slack.command("/tradeoff", command))

    assert problem in shown and ":warning:" in shown
    settings = await get_settings(bot.store, team_id=bot.team_id, channel_id="C111")
    assert (settings.budget_pct, settings.capacity, settings.replies_per_kind) == (20, 20, 10)
