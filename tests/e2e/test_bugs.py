"""Bugs on the non-feature side of every surface, beside debt: list, Home, digest and votes,
the item commands on B- ids, merging, health, sign-off, export, trends and the budget, against
the fake Slack (SQLite, and PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.charts import HEIGHT_PX, WIDTH_PX
from bot.domain.decisions import DecidedItem
from bot.domain.items import ItemRef, Kind
from tests.conftest import Bot
from tests.support.db import stored_items
from tests.support.exports import by_column, run_export, uploaded_csvs
from tests.support.home import open_home
from tests.support.items import add_item
from tests.support.png import png_size
from tests.support.slack_requests import reply_text
from tests.support.voting import post_digest, voters, votes_settled

LEAD, PM = "ULEAD", "UPM"


async def _roles(bot: Bot) -> None:
    await bot.slack.command("/tradeoff", f"role <@{LEAD}> lead")
    bot.slack.user_id = LEAD
    await bot.slack.command("/tradeoff", f"role <@{PM}> pm")
    bot.slack.user_id = "U111"


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

    _response, complete = await run_export(bot)

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
