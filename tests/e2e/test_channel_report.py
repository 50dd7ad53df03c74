"""`/tradeoff report`: one line per channel the caller can see, furthest under budget first,
private channels they are not in left out and counted, with a small-multiples chart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.channel_report import ChannelLine, channel_line, furthest_under_budget_first
from bot.domain.decisions import DecidedItem, Decision
from bot.domain.items import ItemRef, Kind, Status
from bot.report_chart import draw_report
from bot.slack.blocks.channel_report import report_reply
from tests.conftest import Bot
from tests.support.block_limits import message_violations
from tests.support.builders import an_item
from tests.support.decisions import record_decision
from tests.support.items import add_item
from tests.support.png import png_size

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def _decision(days_ago: int, debt: int, feature: int, channel: str = "C1") -> Decision:
    items = (DecidedItem(ItemRef(Kind.DEBT, 1), "d", debt, 0, 1.0),
             DecidedItem(ItemRef(Kind.FEATURE, 1), "f", feature, 0, 1.0))
    return Decision(days_ago, "T", channel, "UL", "UP", 20, 20,
                    NOW - timedelta(days=days_ago), items)


def test_a_line_counts_the_last_four_decisions_and_the_open_debt() -> None:
    items = [
        an_item(Kind.DEBT, 1, created_at=NOW - timedelta(days=120), interest=3),
        an_item(Kind.DEBT, 2, created_at=NOW - timedelta(days=10), interest=1.5),
        an_item(Kind.DEBT, 3, created_at=NOW - timedelta(days=200), closed_at=NOW,
                status=Status.DONE),
        an_item(Kind.FEATURE, 1, created_at=NOW - timedelta(days=300)),
    ]
    # Five decisions: the oldest (all debt) is outside the window of four.
    decisions = [_decision(35, 10, 0), _decision(28, 1, 9), _decision(21, 1, 9),
                 _decision(14, 0, 10), _decision(7, 2, 8)]

    line = channel_line("C1", items=items, decisions=decisions, budget_pct=20,
                        digest_undecided=True, now=NOW)

    assert line.recent_shares == (10, 10, 0, 20)
    assert (line.debt_share_pct, line.gap_pct) == (10, 10)  # 4 of 40 points
    assert line.last_decision == (NOW - timedelta(days=7)).date()
    assert (line.open_debt, line.interest_hours_per_week, line.oldest_debt_days) == (2, 4.5, 120)
    assert line.digest_undecided


def test_lines_are_sorted_furthest_under_budget_first_and_undecided_channels_last() -> None:
    def line(channel: str, debt: int, budget: int = 20) -> ChannelLine:
        decisions = [_decision(7, debt, 10 - debt, channel)] if debt >= 0 else []
        return channel_line(channel, items=[], decisions=decisions, budget_pct=budget,
                            digest_undecided=False, now=NOW)

    lines = [line("CA", 2), line("CB", -1), line("CC", 5, budget=10), line("CD", 0)]
    ordered = furthest_under_budget_first(lines)
    # CD: 20 under; CA: 0 under; CC: 40 over; CB has no decisions.
    assert [x.channel_id for x in ordered] == ["CD", "CA", "CC", "CB"]


def test_many_channels_stay_within_block_kit_limits_and_the_rest_are_counted() -> None:
    lines = [
        channel_line(f"C{n:04d}", items=[an_item(Kind.DEBT, 1, created_at=NOW)],
                     decisions=[_decision(7, 1, 9)], budget_pct=20, digest_undecided=True,
                     now=NOW)
        for n in range(3000)
    ]

    reply = report_reply(lines, left_out=2)

    assert message_violations(reply) == []
    shown = sum(b["text"]["text"].count("<#C") for b in reply["blocks"][1:-1])
    last = reply["blocks"][-1]["text"]["text"]
    assert f"{3000 - shown} more channels did not fit" in last
    assert "2 private channels you are not in were left out." in last


def test_the_chart_has_one_panel_per_channel_with_its_decisions() -> None:
    lines = [channel_line(c, items=[], decisions=[_decision(7, 5, 5, c), _decision(1, 1, 9, c)],
                          budget_pct=20, digest_undecided=False, now=NOW) for c in ("C1", "C2")]
    figure = draw_report(lines, {"C1": "pay$ments"}, title="t")

    drawn = [a for a in figure.axes if a.axison]
    assert [a.get_title() for a in drawn] == ["#pay$ments · 30 %", "#C2 · 30 %"]
    assert [round(bar.get_height()) for bar in drawn[0].containers[0]] == [50, 10]




async def test_report_shows_the_channels_the_caller_can_see_and_counts_the_others(
    bot: Bot,
) -> None:
    await record_decision(bot.store, bot.team_id, "C111", 2, 8)  # 20 %: on budget
    await record_decision(bot.store, bot.team_id, "C222", 0, 10)  # 0 %: furthest under
    await record_decision(bot.store, bot.team_id, "C333", 9, 1)  # private, caller not in it
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky", channel_id="C111",
                   interest="4")
    bot.fake.channels["C222"] = {"is_private": True, "name": "payments"}
    bot.fake.channels["C333"] = {"is_private": True}
    bot.fake.memberships["U111"] = ["C222"]

    await bot.slack.command("/tradeoff", "report")

    [answer] = [c for c in await bot.fake.wait_for("response_url")
                if "across" in c.params["text"]]
    assert answer.params["response_type"] == "ephemeral"
    assert message_violations(answer.params) == []
    [lines] = [b["text"]["text"] for b in answer.params["blocks"][1:2]]
    first, second = lines.split("\n")
    assert first.startswith("<#C222> · last decision ")
    assert "debt 0 % of the last 1 vs 20 % budget (20 under)" in first
    assert second.startswith("<#C111>") and "(0 under)" in second
    assert "1 open debt, 4 h/week interest · oldest debt 0 days" in second
    assert "C333" not in str(answer.params)
    assert "1 private channel you are not in was left out." in str(answer.params)
    # The chart goes to the caller's direct messages, not the channel.
    [complete] = await bot.fake.wait_for("files.completeUploadExternal")
    assert complete.params["channel_id"] == bot.fake.dm_channels["U111"]  # the caller's DM
    [png] = bot.fake.uploads.values()
    assert png_size(png)[0] == 1000


async def test_report_share_posts_in_the_channel_and_bad_arguments_are_refused(bot: Bot) -> None:
    await record_decision(bot.store, bot.team_id, "C111", 2, 8)

    refused = await bot.slack.command("/tradeoff", "report everyone")
    assert "`/tradeoff report share`" in refused.text

    await bot.slack.command("/tradeoff", "report share")

    [answer] = [c for c in await bot.fake.wait_for("response_url")
                if "across" in c.params["text"]]
    assert answer.params["response_type"] == "in_channel"
    [complete] = await bot.fake.wait_for("files.completeUploadExternal")
    assert complete.params["channel_id"] == "C111"
