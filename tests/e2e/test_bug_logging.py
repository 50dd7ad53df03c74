"""Logging bugs: `/bug` in one line or through its form, the form from Home and the message
shortcut, editing a bug, and the manifest and help that declare them, against the fake Slack
(SQLite, and PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

from typing import Any

from bot.slack.manifest import build_manifest
from tests.conftest import Bot
from tests.support.db import stored_items
from tests.support.home import (
    home_action,
    initial,
    opened_view,
    shortcut_payload,
    thread_menu,
)
from tests.support.slack_requests import reply_text


def _inputs(view: dict[str, Any]) -> set[str]:
    return {b["block_id"] for b in view["blocks"] if b["type"] == "input"}


def _block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


async def test_bug_quick_add_logs_b_ids_numbered_apart_from_debt(bot: Bot) -> None:
    await bot.slack.command("/debt", "Flaky tests | CI reruns")
    first = await bot.slack.command("/bug", "Checkout 500s on Safari | 1 in 20 payments fail")
    second = await bot.slack.command("/bug", "Typo on invoices | every customer, weekly")

    assert "*B-1*" in reply_text(first) and "*B-2*" in reply_text(second)
    assert "Bug *B-1* logged" in reply_text(first)
    assert "User impact: 1 in 20 payments fail" in reply_text(first)
    rows = await stored_items(bot.store, bot.team_id)
    assert [(r.kind, r.number) for r in rows] == [("debt", 1), ("bug", 1), ("bug", 2)]
    assert (rows[1].title, rows[1].impact, rows[1].severity) == (
        "Checkout 500s on Safari", "1 in 20 payments fail", None,
    )

    bot.slack.team_id = other = bot.team_id + "B"
    theirs = await bot.slack.command("/bug", "Theirs | someone")
    assert "*B-1*" in reply_text(theirs)
    assert [(r.kind, r.number) for r in await stored_items(bot.store, other)] == [("bug", 1)]

async def test_bare_bug_opens_the_bug_form_and_saves_every_bug_field(bot: Bot) -> None:
    await bot.slack.command("/bug", "")

    [call] = await bot.fake.wait_for("views.open")
    view = opened_view(call)
    assert view["title"]["text"] == "Log a bug"
    assert _block(view, "impact")["label"]["text"] == "User impact"
    assert _block(view, "impact")["optional"] is False
    assert _inputs(view) == {"title", "impact", "severity", "affected", "size", "area", "link"}
    severities = [o["value"] for o in _block(view, "severity")["element"]["options"]]
    assert severities == ["low", "medium", "high", "critical"]
    assert await stored_items(bot.store, bot.team_id) == []

    answer = await bot.slack.interaction(bot.slack.view_submission(view, {
        "title": "Checkout 500s on Safari", "impact": "Safari users cannot pay",
        "severity": ("select", "critical"), "affected": "1,200", "size": ("select", "S"),
        "area": "checkout", "link": "https://sentry.example.com/issues/42",
    }))

    assert answer.status_code == 200 and b"errors" not in answer.content
    [row] = await stored_items(bot.store, bot.team_id)
    assert (row.kind, row.number, row.severity, row.affected_per_week, row.size) == (
        "bug", 1, "critical", 1200.0, "S",
    )
    assert (row.urgency, row.interest, row.area) == (None, None, "checkout")
    [confirmation] = await bot.fake.wait_for("response_url")
    assert "B-1" in confirmation.params["text"]

async def test_bug_without_impact_opens_the_form_and_a_bad_figure_stays_in_it(bot: Bot) -> None:
    await bot.slack.command("/bug", "Checkout 500s")

    view = opened_view((await bot.fake.wait_for("views.open"))[0])
    assert initial(view, "title") == "Checkout 500s"
    assert "user impact" in view["blocks"][0]["text"]["text"]

    answer = await bot.slack.interaction(bot.slack.view_submission(
        view, {"title": "Checkout 500s", "impact": "Safari users", "affected": "lots"}
    ))

    assert set(answer.json()["errors"]) == {"affected"}
    assert await stored_items(bot.store, bot.team_id) == []

async def test_log_as_bug_shortcut_opens_the_bug_form_from_the_message(bot: Bot) -> None:
    text = "Search returns nothing for accented names\nReported by 3 customers today"
    await bot.slack.interaction(shortcut_payload(bot, "log_message_as_bug", text))

    view = opened_view((await bot.fake.wait_for("views.open"))[0])
    assert view["title"]["text"] == "Log a bug"
    assert initial(view, "title") == "Search returns nothing for accented names"
    assert "severity" in _inputs(view)
    await bot.slack.interaction(bot.slack.view_submission(view, {
        "title": initial(view, "title"), "impact": initial(view, "impact"),
        "link": initial(view, "link"), "severity": ("select", "high")}))
    [row] = await stored_items(bot.store, bot.team_id)
    assert (row.kind, row.severity, row.link) == (
        "bug", "high", "https://example.slack.com/archives/C111/p1583636382000300",
    )

async def test_home_logs_a_bug_and_the_item_menu_closes_one(bot: Bot) -> None:
    bot.fake.memberships["U111"] = ["C111"]
    await bot.slack.interaction(home_action(bot, {
        "action_id": "home_log_bug", "block_id": "home_log", "type": "button",
        "text": {"type": "plain_text", "text": "Log a bug"}, "action_ts": "1.2"}))
    view = opened_view((await bot.fake.wait_for("views.open"))[0])
    assert view["title"]["text"] == "Log a bug"
    payload = bot.slack.view_submission(view, {
        "title": "Crash", "impact": "users hurt", "severity": ("select", "medium")})
    payload["view"]["state"]["values"]["channel"] = {
        "value": {"type": "conversations_select", "selected_conversation": "C111"}
    }
    await bot.slack.interaction(payload)
    [row] = await stored_items(bot.store, bot.team_id)
    assert (row.kind, row.number, row.channel_id, row.severity) == ("bug", 1, "C111", "medium")

    await bot.slack.interaction(thread_menu(bot, "done:B-1"))

    [announcement] = await bot.fake.wait_for("chat.postMessage")
    assert "*B-1* Crash marked done" in announcement.params["text"]
    [row] = await stored_items(bot.store, bot.team_id)
    assert row.status == "done"

async def test_editing_a_bug_sets_its_severity_and_affected_users(bot: Bot) -> None:
    await bot.slack.command("/bug", "Checkout 500s | Safari users cannot pay")

    await bot.slack.interaction(thread_menu(bot, "edit:B-1"))
    view = opened_view((await bot.fake.wait_for("views.open"))[0])
    assert view["title"]["text"] == "Edit B-1"
    assert "urgency" not in _inputs(view)
    await bot.slack.interaction(bot.slack.view_submission(view, {
        "title": "Checkout 500s", "impact": "Safari users cannot pay",
        "severity": ("select", "high"), "affected": "40"}))

    [row] = await stored_items(bot.store, bot.team_id)
    assert (row.severity, row.affected_per_week) == ("high", 40.0)
    [note] = await bot.fake.wait_for("chat.postEphemeral")
    assert "changed severity, affected per week" in note.params["text"]
    shown = reply_text(await bot.slack.command("/tradeoff", "show B-1"))
    assert "high severity · 40 affected/week" in shown
    assert "affected users per week: none → 40" in shown

def test_manifest_declares_bug_and_its_shortcut() -> None:
    manifest = build_manifest("https://bot.example")
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert "who is hurt, how often" in commands["/bug"]["usage_hint"]
    assert "Log as bug" in {s["name"] for s in manifest["features"]["shortcuts"]}

async def test_help_lists_bug(bot: Bot) -> None:
    shown = reply_text(await bot.slack.command("/tradeoff", "help"))
    assert "`/bug &lt;title&gt; | &lt;user impact&gt;` log a bug" in shown
