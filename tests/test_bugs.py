"""Bugs, the third kind: `/bug`, its form and shortcut, and bugs on the non-feature side of
every surface, against the fake Slack (run on SQLite, and on PostgreSQL with
TEST_DATABASE_URL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.charts import HEIGHT_PX, WIDTH_PX
from bot.domain.decisions import DecidedItem
from bot.domain.items import ItemRef, Kind
from bot.slack.manifest import build_manifest
from tests.conftest import Bot
from tests.support.db import stored_items
from tests.support.items import add_item
from tests.support.slack_requests import reply_text
from tests.support.voting import post_digest, voters, votes_settled
from tests.test_app_home_and_shortcuts import (
    home_action,
    initial,
    open_home,
    opened_view,
    shortcut_payload,
    thread_menu,
)
from tests.test_history_export import _export, by_column, uploaded_csvs
from tests.test_trends import png_size

LEAD, PM = "ULEAD", "UPM"


def _inputs(view: dict[str, Any]) -> set[str]:
    return {b["block_id"] for b in view["blocks"] if b["type"] == "input"}


def _block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


async def _roles(bot: Bot) -> None:
    await bot.slack.command("/tradeoff", f"role <@{LEAD}> lead")
    bot.slack.user_id = LEAD
    await bot.slack.command("/tradeoff", f"role <@{PM}> pm")
    bot.slack.user_id = "U111"


# --- Logging a bug -----------------------------------------------------------------------------


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


def test_manifest_declares_bug_and_its_shortcut() -> None:
    manifest = build_manifest("https://bot.example")
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert "who is hurt, how often" in commands["/bug"]["usage_hint"]
    assert "Log as bug" in {s["name"] for s in manifest["features"]["shortcuts"]}


async def test_help_lists_bug(bot: Bot) -> None:
    shown = reply_text(await bot.slack.command("/tradeoff", "help"))
    assert "`/bug &lt;title&gt; | &lt;user impact&gt;` log a bug" in shown


# --- Bugs on the non-feature side --------------------------------------------------------------


async def test_list_and_home_put_bugs_with_debt(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests", size="S")
    await add_item(bot.store, bot.team_id, Kind.BUG, "Checkout 500s", size="S",
                   severity="critical", affected="120", votes=1)
    await add_item(bot.store, bot.team_id, Kind.BUG, "Typo", size="XS")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "SSO", size="M")

    listed = reply_text(await bot.slack.command("/tradeoff", "list"))

    lines = listed.splitlines()
    assert lines.index("*Tech debt (1 open)*") < lines.index("*Bugs (2 open)*") < lines.index(
        "*Feature requests (1 open)*"
    )
    assert "B-1  Checkout 500s · 1 vote · size S · critical severity · 120 affected/week" in lines
    assert "B-2  Typo · 0 votes · size XS · not triaged" in lines

    bot.fake.memberships["U111"] = ["C111"]
    view = await open_home(bot)
    rows = [[f["text"] for f in b["fields"]] for b in view["blocks"] if "fields" in b]
    assert rows[0][0].startswith("*Tech debt &amp; bugs*")
    left = [row[0] for row in rows[1:]]
    # One column, one ranking: B-1 (1 + 8 + 120) ÷ 2, B-2 (0 + 1) ÷ 1, D-1 (0 + 1) ÷ 2.
    assert [cell.split("*")[1] for cell in left] == ["1. B-1", "2. B-2", "3. D-1"]


async def test_digest_ranks_bugs_with_debt_and_takes_votes_on_their_replies(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests", size="M", urgency="high")
    await add_item(bot.store, bot.team_id, Kind.BUG, "Checkout 500s", size="M",
                   severity="critical", affected="6")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "SSO", size="M")

    digest = await post_digest(bot)

    parent = bot.fake.calls_to("chat.postMessage")[0].params
    rows = [[f["text"] for f in b["fields"]] for b in parent["blocks"] if "fields" in b]
    assert rows[0] == ["*Tech debt &amp; bugs* · business or user impact",
                       "*Feature requests* · user value"]
    assert rows[1][0].startswith("*1. B-1* Checkout 500s\n")  # (0 + 8 + 6) ÷ 3 = 4.7
    assert "critical severity · 6 affected/week · *score 4.7*" in rows[1][0]
    assert rows[2][0].startswith("*2. D-1* Flaky tests\n")  # (0 + 5) ÷ 3 = 1.7
    texts = str(parent["blocks"])
    assert "1 tech debt · 1 bug · 1 feature requests open" in texts
    assert "A bug counts its severity (low 1, medium 3, high 5, critical 8)" in texts
    assert "B-1 leads: (0 votes + 8 severity + 6 affected/week) ÷ 3 = 4.7" in texts

    reply = next(c for c in bot.fake.calls_to("chat.postMessage")
                 if c.params.get("text", "").startswith("B-1 "))
    assert reply.params["blocks"][0]["text"]["text"].startswith("*B-1* · #1 bug · score 4.7")
    await bot.slack.reaction(digest.reply_ts["B-1"], user_id="UVOTER")
    await votes_settled(bot)
    assert await voters(bot, "B-1") == {"UVOTER"}


async def test_item_commands_work_on_bug_ids(bot: Bot) -> None:
    await _roles(bot)
    for n in range(1, 4):
        await bot.slack.command("/bug", f"Bug {n} | users hurt")

    bot.slack.user_id = LEAD
    sized = reply_text(await bot.slack.command("/tradeoff", "estimate B-1 M high"))
    assert "B-1" in sized
    shown = reply_text(await bot.slack.command("/tradeoff", "show b-1"))
    assert "*B-1* Bug 1" in shown and "not triaged" in shown and "size M" in shown
    interest = reply_text(await bot.slack.command("/tradeoff", "interest B-1 6"))
    assert "B-1 is a bug" in interest and "Edit" in interest
    done = reply_text(await bot.slack.command("/tradeoff", "done B-2"))
    dropped = reply_text(await bot.slack.command("/tradeoff", "drop #B3"))

    assert "B-2" in done and "B-3" in dropped
    rows = await stored_items(bot.store, bot.team_id)
    assert [(r.number, r.status, r.size, r.interest) for r in rows] == [
        (1, "open", "M", None), (2, "done", None, None), (3, "dropped", None, None),
    ]


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


async def test_bugs_merge_with_debt_both_ways_but_never_with_features(bot: Bot) -> None:
    await bot.slack.command("/bug", "Login fails | users locked out")
    await bot.slack.command("/bug", "Login broken | users locked out")
    await bot.slack.command("/debt", "Old auth library | causes login bugs")
    await bot.slack.command("/feature", "Login with Google | fewer passwords")

    refused = reply_text(await bot.slack.command("/tradeoff", "merge B-1 F-1"))
    reverse = reply_text(await bot.slack.command("/tradeoff", "merge F-1 B-1"))
    assert "B-1 is a bug and F-1 a feature request" in refused
    assert "non-feature work" in refused and "F-1 is a feature request and B-1 a bug" in reverse

    await bot.slack.command("/tradeoff", "merge B-2 D-1")
    await bot.slack.command("/tradeoff", "merge D-1 B-1")

    rows = {(r.kind, r.number): r for r in await stored_items(bot.store, bot.team_id)}
    assert (rows["bug", 2].status, rows["bug", 2].merged_into) == ("merged", "D-1")
    assert (rows["debt", 1].status, rows["debt", 1].merged_into) == ("merged", "B-1")
    assert (rows["bug", 1].status, rows["feature", 1].status) == ("open", "open")


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


async def test_health_lists_bugs_without_a_severity_as_not_triaged(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.BUG, "Untriaged crash", size="S")
    await add_item(bot.store, bot.team_id, Kind.BUG, "Triaged crash", size="S", severity="low")

    shown = reply_text(await bot.slack.command("/tradeoff", "health"))

    [line] = [s for s in shown.splitlines() if "not triaged" in s]
    assert "*B-1* Untriaged crash" in line and "B-2" not in line


async def test_a_bug_in_the_pick_is_signed_off_and_counted_as_non_feature(bot: Bot) -> None:
    await _roles(bot)
    await add_item(bot.store, bot.team_id, Kind.BUG, "Checkout 500s", size="S",
                   severity="critical")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "SSO", size="M")
    digest = await post_digest(bot)
    plan = str(bot.fake.calls_to("chat.postMessage")[0].params["blocks"])
    assert "Debt and bugs 2 pts · features 3 pts." in plan

    for user in (LEAD, PM):
        await bot.slack.interaction(bot.slack.block_action(
            "agree_pick", str(digest.run_id), digest.parent_ts, user_id=user))
    await bot.fake.wait_for("response_url", count=2)

    history = reply_text(await bot.slack.command("/tradeoff", "history"))
    assert "B-1 Checkout 500s, F-1 SSO · debt and bugs 40% of 5 pts" in history
    [bug] = [r for r in await stored_items(bot.store, bot.team_id) if r.kind == "bug"]
    assert bug.status == "planned"


async def test_export_carries_bugs_with_their_severity(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.BUG, "Checkout 500s", severity="high",
                   affected="120")

    _response, complete = await _export(bot)

    [bug] = by_column(uploaded_csvs(bot, complete)["Items and votes"])
    assert (bug["id"], bug["kind"], bug["severity"], bug["affected_per_week"]) == (
        "B-1", "bug", "high", "120.0",
    )


async def test_trends_tell_the_bugs_part_of_the_non_feature_share(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.BUG, "Checkout 500s")
    decided_at = datetime.now(UTC) - timedelta(days=2)
    async with bot.store.unit_of_work() as uow:
        run = await uow.digests.claim(bot.team_id, "C111", "past-bugs", decided_at,
                                      timedelta(0))
        assert run is not None
        await uow.decisions.record(
            team_id=bot.team_id, channel_id="C111", run_id=run.id, lead_id=LEAD, pm_id=PM,
            capacity=20, budget_pct=20, now=decided_at, items=[
                DecidedItem(ItemRef(Kind.BUG, 1), "Checkout 500s", 3, 1, 3.0),
                DecidedItem(ItemRef(Kind.DEBT, 1), "Old ORM", 2, 0, 1.0),
                DecidedItem(ItemRef(Kind.FEATURE, 1), "SSO", 5, 2, 1.0),
            ],
        )
        await uow.commit()

    await bot.slack.command("/tradeoff", "trends 8")

    [complete] = await bot.fake.wait_for("files.completeUploadExternal")
    assert complete.params["initial_comment"].startswith(
        "Debt and bugs got 50 % of planned size over 8 weeks against a 20 % budget (5 of 10 "
        "points, 3 of them bugs, in 1 decision)"
    )
    [png] = bot.fake.uploads.values()
    assert png_size(png) == (WIDTH_PX, HEIGHT_PX)


async def test_the_budget_keeps_its_name_and_covers_debt_and_bugs(bot: Bot) -> None:
    changed = reply_text(await bot.slack.command("/tradeoff", "budget 30"))
    shown = reply_text(await bot.slack.command("/tradeoff", "settings"))

    assert "set the debt budget to *30%* of capacity, for debt and bugs together" in changed
    assert "Debt budget: *30%* of capacity, for debt and bugs together" in shown
