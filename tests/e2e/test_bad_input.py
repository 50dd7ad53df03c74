"""Bad input gets a clear ephemeral error and loses nothing; user text never pings anyone."""

from __future__ import annotations

import pytest

from bot.domain.items import Kind
from tests.conftest import Bot
from tests.support.db import stored_items
from tests.support.items import add_item
from tests.support.mentions import live_tokens
from tests.support.slack_requests import reply_text

MENTIONS = "<!channel> <!here> <!everyone> <!subteam^S0614TZR7|@platform> <@U0ABC|jo>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("   | costs money", "The title is empty"),
        ("x" * 201 + " | costs money", "The title is 201 characters long"),
        ("Title | " + "y" * 2001, "is 2001 characters long; the limit is 2000"),
    ],
)
async def test_invalid_quick_add_explains_and_stores_nothing(
    bot: Bot, text: str, expected: str
) -> None:
    response = await bot.slack.command("/debt", text)

    assert response.status_code == 200
    assert response.json().get("response_type", "ephemeral") == "ephemeral"
    shown = reply_text(response)
    assert expected in shown and "Nothing was saved" in shown
    # What the user typed comes back, so nothing is lost.
    assert text.strip()[:50] in shown
    assert await stored_items(bot.store, bot.team_id) == []


async def test_limits_are_inclusive(bot: Bot) -> None:
    response = await bot.slack.command("/feature", "t" * 200 + " | " + "v" * 2000)

    assert "F-1" in reply_text(response)
    [row] = await stored_items(bot.store, bot.team_id)
    assert (len(row.title), len(row.impact)) == (200, 2000)


async def test_mentions_are_stored_as_typed_and_never_ping(bot: Bot) -> None:
    response = await bot.slack.command(
        "/debt", f"Ping {MENTIONS} & co | impact {MENTIONS}"
    )

    [row] = await stored_items(bot.store, bot.team_id)
    assert row.title == f"Ping {MENTIONS} & co"
    assert row.impact == f"impact {MENTIONS}"
    assert live_tokens(response.json()) == []
    assert "&lt;!channel&gt;" in reply_text(response)
    assert "&amp; co" in reply_text(response)

    listing = await bot.slack.command("/tradeoff", "list")
    assert live_tokens(listing.json()) == []
    assert "&lt;!here&gt;" in reply_text(listing)

    closing = await bot.slack.command("/tradeoff", "done D-1")
    assert live_tokens(closing.json()) == []


async def test_mentions_in_a_rejected_command_are_not_echoed_live(bot: Bot) -> None:
    response = await bot.slack.command("/debt", f"{'x' * 201} {MENTIONS} | impact")

    assert live_tokens(response.json()) == []
    assert "&lt;!everyone&gt;" in reply_text(response)


async def test_mentions_typed_in_the_form_never_ping(bot: Bot) -> None:
    await bot.slack.command("/debt", "")
    [opened] = await bot.fake.wait_for("views.open")
    payload = bot.slack.view_submission(
        opened.params["view"], {"title": f"Form {MENTIONS}", "impact": MENTIONS}
    )
    await bot.slack.interaction(payload)

    [confirmation] = await bot.fake.wait_for("response_url")
    assert live_tokens(confirmation.params) == []
    [row] = await stored_items(bot.store, bot.team_id)
    assert row.title == f"Form {MENTIONS}"


async def test_mentions_in_ids_and_subcommands_are_escaped(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT)
    for text in ("<!channel>", "done <!here>", "drop <@U999>"):
        response = await bot.slack.command("/tradeoff", text)
        assert live_tokens(response.json()) == [], text
