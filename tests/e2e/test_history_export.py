"""`/tradeoff history [n]` and `/tradeoff export`: what a channel decided, and all of it in CSV."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.domain.decisions import DecidedItem, Decision
from bot.domain.items import ItemRef, Kind
from bot.store.models import DecisionItemRow, DecisionRow
from bot.store.unit_of_work import Store
from tests.conftest import Bot, bot_settings
from tests.fakes.slack_api import FakeSlack
from tests.support.bot_server import running_bot
from tests.support.db import stored_items
from tests.support.digests import parents, replies, runs_of, ts_of, wait_until_posted
from tests.support.exports import by_column, run_export, uploaded_csvs
from tests.support.items import add_item
from tests.support.slack_requests import SlackSender, fixture

D1, D2, F1, F2, F3 = (
    ItemRef(Kind.DEBT, 1), ItemRef(Kind.DEBT, 2),
    ItemRef(Kind.FEATURE, 1), ItemRef(Kind.FEATURE, 2), ItemRef(Kind.FEATURE, 3),
)
ITEM_HEADER = [
    "id", "kind", "status", "title", "impact_or_value", "size", "urgency",
    "interest_hours_per_week", "area", "link", "votes", "voters", "author",
    "created_at", "closed_at", "closed_by", "merged_into", "severity", "affected_per_week",
    "tracker_issue",
]
DECISION_HEADER = [
    "decision", "decided_at", "lead", "pm", "capacity", "budget_pct", "item", "title",
    "size_points", "votes_then", "score_then", "rationale", "rationale_by",
]


async def record_decision(
    store: Store,
    team_id: str,
    when: datetime,
    lead: str,
    pm: str,
    items: Sequence[DecidedItem],
    *,
    channel_id: str = "C111",
    budget_pct: int = 20,
    capacity: int = 20,
) -> Decision:
    """A decision on a digest run of its own, as the sign-off flow stores it."""
    async with store.unit_of_work() as uow:
        slot = f"slot-{uuid.uuid4().hex[:8]}"
        run = await uow.digests.claim(team_id, channel_id, slot, when, timedelta(minutes=5))
        assert run is not None
        decision = await uow.decisions.record(
            team_id=team_id, channel_id=channel_id, run_id=run.id, lead_id=lead, pm_id=pm,
            capacity=capacity, budget_pct=budget_pct, items=items, now=when,
        )
        await uow.commit()
    assert decision is not None
    return decision


async def three_decisions(bot: Bot) -> None:
    """Recorded out of date order, so newest-first cannot come from insertion order."""
    await record_decision(
        bot.store, bot.team_id, datetime(2024, 3, 11, 9, 30, tzinfo=UTC), "UL1", "UP1",
        [DecidedItem(D1, "Flaky tests", 2, 3, 2.0), DecidedItem(F1, "SSO", 3, 4, 1.3)],
    )
    await record_decision(
        bot.store, bot.team_id, datetime(2024, 3, 4, 9, 30, tzinfo=UTC), "UL2", "UP2",
        [DecidedItem(D2, "Old Postgres", 5, 1, 0.2), DecidedItem(F2, "Dark mode", 5, 0, 0.0)],
        budget_pct=30,
    )
    await record_decision(
        bot.store, bot.team_id, datetime(2024, 3, 18, 9, 30, tzinfo=UTC), "UL3", "UP3",
        [DecidedItem(F3, "Billing export", 8, 2, 0.3)], budget_pct=10,
    )


NEWEST = (
    "*18 Mar 2024* · Decision 3 · F-3 Billing export · debt 0% of 8 pts (budget 10%) · "
    "<@UL3> and <@UP3>"
)
MIDDLE = (
    "*11 Mar 2024* · Decision 1 · D-1 Flaky tests, F-1 SSO · debt 40% of 5 pts (budget 20%) · "
    "<@UL1> and <@UP1>"
)
OLDEST = (
    "*04 Mar 2024* · Decision 2 · D-2 Old Postgres, F-2 Dark mode · debt 50% of 10 pts "
    "(budget 30%) · <@UL2> and <@UP2>"
)


def response_type(response: httpx.Response) -> str:
    return str(response.json().get("response_type", "ephemeral"))


def shown_lines(response: httpx.Response) -> list[str]:
    """The lines of the reply's one section, checked to match its notification text."""
    data = response.json()
    [block] = data["blocks"]
    text = str(block["text"]["text"])
    assert data["text"] == text
    return text.splitlines()


# --- history -----------------------------------------------------------------------------------


async def test_history_of_a_channel_without_decisions_explains_them(bot: Bot) -> None:
    response = await bot.slack.command("/tradeoff", "history")

    assert response_type(response) == "ephemeral"
    [line] = shown_lines(response)
    assert line.startswith("No decisions recorded in this channel yet.")
    assert "*Agree to this pick*" in line


async def test_history_lists_decisions_newest_first_with_share_budget_and_signers(
    bot: Bot,
) -> None:
    await three_decisions(bot)

    response = await bot.slack.command("/tradeoff", "history")

    assert response_type(response) == "ephemeral"
    assert shown_lines(response) == [NEWEST, MIDDLE, OLDEST]


async def test_history_n_shows_the_n_newest(bot: Bot) -> None:
    await three_decisions(bot)

    two = await bot.slack.command("/tradeoff", "history 2")
    one = await bot.slack.command("/tradeoff", "history 1")
    all_of_them = await bot.slack.command("/tradeoff", "history 20")

    assert shown_lines(two) == [NEWEST, MIDDLE]
    assert shown_lines(one) == [NEWEST]
    assert shown_lines(all_of_them) == [NEWEST, MIDDLE, OLDEST]


async def test_history_shows_five_unless_told(bot: Bot) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for day in range(7):
        await record_decision(
            bot.store, bot.team_id, start + timedelta(days=day), "UL", "UP",
            [DecidedItem(ItemRef(Kind.DEBT, day + 1), f"Debt {day}", 2, 0, 0.0)],
        )

    lines = shown_lines(await bot.slack.command("/tradeoff", "history"))

    assert [line.split(" · ")[0] for line in lines] == [
        "*07 Jan 2024*", "*06 Jan 2024*", "*05 Jan 2024*", "*04 Jan 2024*", "*03 Jan 2024*",
    ]


@pytest.mark.parametrize("arg", ["0", "21", "99", "x", "-1", "2.5", "two", "²", "\uff11"])
async def test_a_bad_history_count_is_an_ephemeral_error(bot: Bot, arg: str) -> None:
    await three_decisions(bot)

    response = await bot.slack.command("/tradeoff", f"history {arg}")

    assert response_type(response) == "ephemeral"
    [line] = shown_lines(response)
    assert line == ":warning: Say how many decisions, 1 to 20: `/tradeoff history 5`."


async def test_history_shows_only_this_channel_of_this_workspace(bot: Bot) -> None:
    await three_decisions(bot)
    await record_decision(
        bot.store, bot.team_id, datetime(2024, 3, 25, tzinfo=UTC), "ULX", "UPX",
        [DecidedItem(D1, "Other channel", 2, 0, 0.0)], channel_id="C222",
    )
    await record_decision(
        bot.store, bot.team_id + "X", datetime(2024, 3, 26, tzinfo=UTC), "ULY", "UPY",
        [DecidedItem(D1, "Other workspace", 2, 0, 0.0)],
    )

    here = shown_lines(await bot.slack.command("/tradeoff", "history"))
    bot.slack.channel_id = "C222"
    there = shown_lines(await bot.slack.command("/tradeoff", "history"))

    assert here == [NEWEST, MIDDLE, OLDEST]
    assert there == [
        "*25 Mar 2024* · Decision 1 · D-1 Other channel · debt 100% of 2 pts (budget 20%) · "
        "<@ULX> and <@UPX>"
    ]


async def test_history_titles_are_escaped_and_clipped(bot: Bot) -> None:
    long_title = "Rewrite the importer " + "x" * 60
    await record_decision(
        bot.store, bot.team_id, datetime(2024, 5, 6, tzinfo=UTC), "UL", "UP",
        [DecidedItem(D1, "<!channel> & <@U999>", 1, 0, 0.0),
         DecidedItem(D2, long_title, 2, 0, 0.0)],
    )

    [line] = shown_lines(await bot.slack.command("/tradeoff", "history"))

    assert "D-1 &lt;!channel&gt; &amp; &lt;@U999&gt;" in line
    assert "<!channel>" not in line and "<@U999>" not in line
    assert f"D-2 {long_title[:39]}… ·" in line


def agree_payload(bot: Bot, user_id: str, run_id: int, parent_ts: str) -> dict[str, Any]:
    """The block_actions payload Slack sends when `user_id` presses "Agree to this pick"."""
    payload = fixture("block_actions_button.json")
    payload["user"] = {"id": user_id, "team_id": bot.team_id}
    payload["team"] = {"id": bot.team_id, "domain": "workspace-domain"}
    payload["channel"] = {"id": "C111", "name": "general"}
    payload["container"] = {
        "type": "message", "message_ts": parent_ts, "channel_id": "C111", "is_ephemeral": False,
    }
    payload["message"] = {**payload["message"], "ts": parent_ts, "team": bot.team_id}
    payload["response_url"] = bot.slack.response_url
    payload["actions"] = [{
        "action_id": "agree_pick", "block_id": "sign_off", "value": str(run_id),
        "type": "button", "text": {"type": "plain_text", "text": "Agree to this pick"},
        "action_ts": f"{time.time():.6f}",
    }]
    return payload


async def test_a_decision_signed_off_in_a_digest_shows_in_history(bot: Bot) -> None:
    await bot.slack.command("/tradeoff", "role <@U111> lead")
    await bot.slack.command("/tradeoff", "role <@U222|pat> pm")
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests", votes=2, size="S")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "SSO", votes=1, size="M")
    await bot.slack.command("/tradeoff", "digest")
    await wait_until_posted(bot.store, bot.team_id)
    [run] = await runs_of(bot.store, bot.team_id)
    [parent] = parents(bot.fake)
    before = datetime.now(UTC)

    lead = await bot.slack.interaction(agree_payload(bot, "U111", run.id, ts_of(parent)))
    assert lead.status_code == 200
    [waiting] = await bot.fake.wait_for("response_url")
    assert "You agreed as tech lead" in waiting.params["text"]
    threads = len(replies(bot.fake))
    pm = await bot.slack.interaction(agree_payload(bot, "U222", run.id, ts_of(parent)))
    assert pm.status_code == 200
    await bot.fake.wait_for("chat.postMessage", len(parents(bot.fake)) + threads + 1)

    response = await bot.slack.command("/tradeoff", "history")

    dates = {f"*{day:%d %b %Y}*" for day in (before, datetime.now(UTC))}
    [line] = shown_lines(response)
    date, rest = line.split(" · ", 1)
    assert date in dates
    assert rest == (
        "Decision 1 · D-1 Flaky tests, F-1 SSO · debt 40% of 5 pts (budget 20%) · "
        "<@U111> and <@U222>"
    )
    assert [r.status for r in await stored_items(bot.store, bot.team_id)] == [
        "planned", "planned",
    ]


# --- export ------------------------------------------------------------------------------------


async def stored_decision_items(store: Store, team_id: str) -> int:
    async with store.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(DecisionItemRow)
            .join(DecisionRow, DecisionRow.id == DecisionItemRow.decision_id)
            .where(DecisionRow.team_id == team_id, DecisionRow.channel_id == "C111")
        )
        return len(list(rows))


async def test_export_uploads_the_items_and_decisions_of_the_channel(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests", votes=2, size="S",
                   urgency="high", interest="6", area="CI", link="https://ci.example/1")
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Old Postgres", size="L")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "SSO", votes=3)
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Okta sign-in")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Elsewhere", channel_id="C222",
                   votes=1)
    await add_item(bot.store, bot.team_id + "X", Kind.DEBT, "Other workspace", votes=1)
    await bot.slack.command("/tradeoff", "done D-2")
    await bot.slack.command("/tradeoff", "merge F-2 F-1")
    await three_decisions(bot)
    await record_decision(
        bot.store, bot.team_id, datetime(2024, 3, 25, tzinfo=UTC), "ULX", "UPX",
        [DecidedItem(ItemRef(Kind.FEATURE, 3), "Elsewhere", 3, 1, 0.3)], channel_id="C222",
    )
    bot.fake.reset()

    response, complete = await run_export(bot)

    assert response_type(response) == "ephemeral"
    assert shown_lines(response) == ["Preparing the export of this channel…"]
    url_calls = bot.fake.calls_to("files.getUploadURLExternal")
    assert len(url_calls) == 2
    assert all(c.succeeded for c in url_calls)
    stamp = datetime.now(UTC).strftime("%Y-%m")
    names = [str(c.params["filename"]) for c in url_calls]
    assert [n.rsplit("-", 3)[0] for n in names] == ["tradeoff-items", "tradeoff-decisions"]
    assert all(n.endswith(".csv") and stamp in n for n in names)
    posts = bot.fake.calls_to("file_upload")
    assert len(posts) == 2
    assert {p.params["file_id"] for p in posts} == {c.answer["file_id"] for c in url_calls
                                                   if c.answer}
    assert complete["channel_id"] == "C111"
    assert complete["initial_comment"] == (
        "Tradeoff export for this channel, asked for by <@U111>: 4 items with their votes, "
        "3 decisions."
    )
    assert bot.fake.calls_to("response_url") == []  # no error followed the ack

    csvs = uploaded_csvs(bot, complete)
    assert set(csvs) == {"Items and votes", "Decisions"}
    assert csvs["Items and votes"][0] == ITEM_HEADER
    items = by_column(csvs["Items and votes"])
    assert [(i["id"], i["kind"], i["status"], i["title"]) for i in items] == [
        ("D-1", "debt", "open", "Flaky tests"),
        ("D-2", "debt", "done", "Old Postgres"),
        ("F-1", "feature", "open", "SSO"),
        ("F-2", "feature", "merged", "Okta sign-in"),
    ]
    d1, d2, f1, f2 = items
    assert (d1["votes"], d1["voters"]) == ("2", "UV0 UV1")
    assert (d1["size"], d1["urgency"], d1["interest_hours_per_week"]) == ("S", "high", "6.0")
    assert (d1["area"], d1["link"], d1["author"]) == ("CI", "https://ci.example/1", "UAUTHOR")
    assert (d1["closed_at"], d1["closed_by"], d1["merged_into"]) == ("", "", "")
    assert datetime.fromisoformat(d1["created_at"]).tzinfo is not None
    assert (d2["votes"], d2["voters"], d2["closed_by"]) == ("0", "", "U111")
    assert d2["closed_at"] != ""
    assert (f1["votes"], f1["voters"]) == ("3", "UV0 UV1 UV2")
    assert (f2["votes"], f2["merged_into"], f2["closed_by"]) == ("0", "F-1", "U111")

    assert csvs["Decisions"][0] == DECISION_HEADER
    decided = by_column(csvs["Decisions"])
    assert len(decided) == 5 == await stored_decision_items(bot.store, bot.team_id)
    assert [(d["decided_at"][:10], d["item"], d["title"]) for d in decided] == [
        ("2024-03-04", "D-2", "Old Postgres"),
        ("2024-03-04", "F-2", "Dark mode"),
        ("2024-03-11", "D-1", "Flaky tests"),
        ("2024-03-11", "F-1", "SSO"),
        ("2024-03-18", "F-3", "Billing export"),
    ]
    first = decided[0]
    assert (first["lead"], first["pm"], first["capacity"], first["budget_pct"]) == (
        "UL2", "UP2", "20", "30",
    )
    assert (first["size_points"], first["votes_then"], first["score_then"]) == ("5", "1", "0.2")
    assert decided[0]["decision"] == decided[1]["decision"] != decided[2]["decision"]
    assert "Elsewhere" not in str(csvs) and "Other workspace" not in str(csvs)


async def test_export_of_an_empty_channel_has_headers_only(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Elsewhere", channel_id="C222")

    _, complete = await run_export(bot)

    csvs = uploaded_csvs(bot, complete)
    assert csvs == {"Items and votes": [ITEM_HEADER], "Decisions": [DECISION_HEADER]}
    assert "0 items with their votes, 0 decisions." in complete["initial_comment"]


FORMULAS = ['=HYPERLINK("http://evil")', "+cmd", "-1", "@SUM(A1)"]
LITERALS = ["'; DROP TABLE items; --", "%s%n", "Plain title"]


async def test_export_defuses_formulas_and_keeps_other_text_literal(bot: Bot) -> None:
    for title in FORMULAS + LITERALS:
        await add_item(bot.store, bot.team_id, Kind.DEBT, title, impact="=1+1")
    await record_decision(
        bot.store, bot.team_id, datetime(2024, 3, 4, tzinfo=UTC), "UL", "UP",
        [DecidedItem(ItemRef(Kind.DEBT, n + 1), t, 2, 0, 0.0)
         for n, t in enumerate(FORMULAS + LITERALS)],
    )

    _, complete = await run_export(bot)

    csvs = uploaded_csvs(bot, complete)
    expected = ["'" + t for t in FORMULAS] + LITERALS
    items = by_column(csvs["Items and votes"])
    assert [i["title"] for i in items] == expected
    assert {i["impact_or_value"] for i in items} == {"'=1+1"}
    assert [d["title"] for d in by_column(csvs["Decisions"])] == expected
    # The SQL-looking title was stored as text, not run: the items are all still there.
    assert [r.title for r in await stored_items(bot.store, bot.team_id)] == FORMULAS + LITERALS


async def test_export_failure_tells_the_user_how_to_fix_it(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests")
    bot.fake.fail("files.getUploadURLExternal", "not_in_channel")

    response = await bot.slack.command("/tradeoff", "export")

    assert shown_lines(response) == ["Preparing the export of this channel…"]
    [notice] = await bot.fake.wait_for("response_url")
    assert notice.params["response_type"] == "ephemeral"
    text = notice.params["text"]
    assert text.startswith(":warning: The export could not be uploaded (`not_in_channel`).")
    assert "`/invite @Tradeoff`" in text
    await asyncio.sleep(0.2)
    assert bot.fake.calls_to("files.completeUploadExternal") == []
    assert bot.fake.calls_to("chat.postMessage") == []
    assert bot.fake.uploads == {}


@pytest.fixture
async def bot_without_database(
    tmp_path: Path, fake_slack: FakeSlack
) -> AsyncIterator[SlackSender]:
    """The real bot whose database cannot be opened (its directory does not exist)."""
    url = f"sqlite:///{tmp_path}/missing/tradeoff.db"
    store = Store(url)
    async with (
        running_bot(bot_settings(url, fake_slack), store) as base,
        httpx.AsyncClient(timeout=10) as http,
    ):
        yield SlackSender(http, f"{base}/slack/events", fake_slack.response_url(), "T111")


async def test_export_with_the_database_down_tells_the_user_to_try_again(
    bot_without_database: SlackSender, fake_slack: FakeSlack
) -> None:
    response = await bot_without_database.command("/tradeoff", "export")

    assert shown_lines(response) == ["Preparing the export of this channel…"]
    [notice] = await fake_slack.wait_for("response_url", timeout=3)
    assert notice.params["response_type"] == "ephemeral"
    assert "can't reach its database" in notice.params["text"]
    assert fake_slack.calls_to("files.completeUploadExternal") == []
