"""`/debt <title> | <impact>` and `/feature <title> | <value>` over signed HTTP."""

from __future__ import annotations

import asyncio

from tests.conftest import Bot
from tests.support.db import stored_items
from tests.support.slack_requests import reply_text


async def test_debt_quick_add_stores_item_and_replies_with_its_id(bot: Bot) -> None:
    response = await bot.slack.command("/debt", "Flaky checkout tests | CI reruns cost 6 h a week")

    assert response.status_code == 200
    body = response.json()
    assert body.get("response_type", "ephemeral") == "ephemeral"
    assert "D-1" in reply_text(response)
    [row] = await stored_items(bot.store, bot.team_id)
    assert (row.kind, row.number, row.status) == ("debt", 1, "open")
    assert row.title == "Flaky checkout tests"
    assert row.impact == "CI reruns cost 6 h a week"
    assert (row.channel_id, row.author_id) == ("C111", "U111")
    assert row.created_at.tzinfo is not None


async def test_feature_quick_add_gets_its_own_id_sequence(bot: Bot) -> None:
    await bot.slack.command("/debt", "One | impact")
    await bot.slack.command("/debt", "Two | impact")
    response = await bot.slack.command("/feature", "SSO with Okta | unblocks 3 deals")

    assert "F-1" in reply_text(response)
    assert "User value" in reply_text(response)
    rows = await stored_items(bot.store, bot.team_id)
    assert [(r.kind, r.number) for r in rows] == [("debt", 1), ("debt", 2), ("feature", 1)]


async def test_ids_are_per_workspace(bot: Bot) -> None:
    await bot.slack.command("/debt", "Ours | impact")
    bot.slack.team_id = other = bot.team_id + "B"
    response = await bot.slack.command("/debt", "Theirs | impact")

    assert "D-1" in reply_text(response)
    [theirs] = await stored_items(bot.store, other)
    assert (theirs.title, theirs.number) == ("Theirs", 1)


async def test_concurrent_quick_adds_never_share_a_number(bot: Bot) -> None:
    responses = await asyncio.gather(
        *(bot.slack.command("/debt", f"Item {n} | impact {n}") for n in range(12))
    )

    assert all(r.status_code == 200 for r in responses)
    rows = await stored_items(bot.store, bot.team_id)
    assert sorted(r.number for r in rows) == list(range(1, 13))
    ids_in_replies = {reply_text(r).split("*")[1] for r in responses}
    assert ids_in_replies == {f"D-{n}" for n in range(1, 13)}


async def test_unicode_and_emoji_are_kept_intact(bot: Bot) -> None:
    title = "Ünïcødé 🚀 ログ :fire: naïve café"
    impact = "Coûts 💸 — ça coûte 3 h/semaine 👩‍💻"
    response = await bot.slack.command("/debt", f"{title} | {impact}")

    [row] = await stored_items(bot.store, bot.team_id)
    assert (row.title, row.impact) == (title, impact)
    assert title in reply_text(response)


async def test_pipe_inside_a_slack_link_does_not_split_title(bot: Bot) -> None:
    await bot.slack.command("/debt", "Read <https://wiki.example.com/a|the runbook> | impact")

    [row] = await stored_items(bot.store, bot.team_id)
    assert row.title == "Read <https://wiki.example.com/a|the runbook>"
    assert row.impact == "impact"


async def test_escaped_text_is_stored_as_the_user_typed_it(bot: Bot) -> None:
    # Slack escapes a literal "a < b & c" as below before it reaches us.
    await bot.slack.command("/debt", "a &lt; b &amp; c | x &gt; y")

    [row] = await stored_items(bot.store, bot.team_id)
    assert (row.title, row.impact) == ("a < b & c", "x > y")
