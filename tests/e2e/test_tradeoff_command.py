"""`/tradeoff list | done | drop | help` over signed HTTP, and the sub-command table."""

from __future__ import annotations

import inspect

from bot.domain.items import Kind
from bot.slack.listeners.commands.subcommands import SUBCOMMANDS
from tests.conftest import Bot
from tests.support.db import stored_items
from tests.support.items import add_item
from tests.support.slack_requests import reply_text


async def test_list_shows_each_open_item_of_the_channel_on_its_own_line(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests", votes=1)
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Old Postgres", votes=3)
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Dark mode")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Elsewhere", channel_id="COTHER")
    await add_item(bot.store, bot.team_id + "X", Kind.FEATURE, "Other workspace")

    response = await bot.slack.command("/tradeoff", "list")

    lines = reply_text(response).splitlines()
    item_lines = [line for line in lines if line[:2] in ("D-", "F-")]
    assert item_lines == [
        "D-1  Flaky tests · 1 vote",
        "D-2  Old Postgres · 3 votes",
        "F-1  Dark mode · 0 votes",
    ]
    assert "Elsewhere" not in reply_text(response)
    assert "Other workspace" not in reply_text(response)


async def test_list_leaves_out_closed_items(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Keep")
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Close me")
    await bot.slack.command("/tradeoff", "done D-2")

    text = reply_text(await bot.slack.command("/tradeoff", "list"))
    assert "Keep" in text and "Close me" not in text


async def test_list_of_an_empty_channel_says_how_to_start(bot: Bot) -> None:
    text = reply_text(await bot.slack.command("/tradeoff", "list"))
    assert "No open items" in text and "/debt" in text


async def test_done_closes_the_item_and_tells_the_channel(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests")

    response = await bot.slack.command("/tradeoff", "done d-1")

    assert response.json()["response_type"] == "in_channel"
    assert "D-1" in reply_text(response) and "marked done by <@U111>" in reply_text(response)
    [row] = await stored_items(bot.store, bot.team_id)
    assert (row.status, row.closed_by) == ("done", "U111")
    assert row.closed_at is not None


async def test_drop_marks_the_item_dropped(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Dark mode")

    response = await bot.slack.command("/tradeoff", "drop F-1")

    assert "dropped" in reply_text(response)
    [row] = await stored_items(bot.store, bot.team_id)
    assert row.status == "dropped"


async def test_closing_a_closed_item_is_a_clear_error(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests")
    await bot.slack.command("/tradeoff", "done D-1")

    response = await bot.slack.command("/tradeoff", "drop D-1")

    assert response.json().get("response_type", "ephemeral") == "ephemeral"
    assert "D-1 is already done" in reply_text(response)
    [row] = await stored_items(bot.store, bot.team_id)
    assert row.status == "done"


async def test_unknown_and_malformed_ids_are_clear_errors(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests")

    unknown = reply_text(await bot.slack.command("/tradeoff", "done D-99"))
    malformed = reply_text(await bot.slack.command("/tradeoff", "done banana"))
    missing = reply_text(await bot.slack.command("/tradeoff", "drop"))

    assert "There is no item D-99" in unknown
    assert "`banana` is not an item id" in malformed
    assert "Say which item" in missing
    [row] = await stored_items(bot.store, bot.team_id)
    assert row.status == "open"


async def test_another_workspace_cannot_close_our_item(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Ours")
    bot.slack.team_id = bot.team_id + "X"

    text = reply_text(await bot.slack.command("/tradeoff", "done D-1"))

    assert "There is no item D-1" in text
    [row] = await stored_items(bot.store, bot.team_id)
    assert row.status == "open"


async def test_help_and_bare_command_show_usage(bot: Bot) -> None:
    for text in ("", "help", "HELP"):
        shown = reply_text(await bot.slack.command("/tradeoff", text))
        assert "/tradeoff list" in shown and "/tradeoff done" in shown
        assert ":warning:" not in shown


async def test_unknown_subcommand_gets_an_error_line_and_usage(bot: Bot) -> None:
    shown = reply_text(await bot.slack.command("/tradeoff", "frobnicate now"))
    assert "Unknown command `frobnicate`" in shown
    assert "/tradeoff list" in shown


def test_every_subcommand_has_one_help_line_and_a_handler() -> None:
    names = [spec.name for spec in SUBCOMMANDS]
    assert len(names) == len(set(names)), "a sub-command is listed twice"
    for spec in SUBCOMMANDS:
        assert spec.name == spec.name.lower() and spec.name.isalpha(), spec.name
        assert spec.help.strip(), f"/tradeoff {spec.name} has no help"
        assert "\n" not in spec.help, f"/tradeoff {spec.name} needs one help line"
        assert inspect.iscoroutinefunction(spec.handler), f"/tradeoff {spec.name} has no handler"


async def test_help_has_a_line_for_every_subcommand(bot: Bot) -> None:
    lines = reply_text(await bot.slack.command("/tradeoff", "help")).splitlines()

    for spec in SUBCOMMANDS:
        assert any(line.startswith(f"`/tradeoff {spec.name}") for line in lines), spec.name


async def test_every_listed_subcommand_reaches_a_handler(bot: Bot) -> None:
    for spec in SUBCOMMANDS:
        response = await bot.slack.command("/tradeoff", spec.name)

        assert response.status_code == 200
        assert "Unknown command" not in response.text, spec.name
