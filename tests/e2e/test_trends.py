"""The trends chart: what it counts, the PNG it draws, where it goes, and the empty case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.charts import HEIGHT_PX, WIDTH_PX, draw_trends, render_trends_png
from bot.domain.decisions import DecidedItem, Decision
from bot.domain.items import Item, ItemRef, Kind, Status
from bot.domain.trends import compute_trends
from bot.store.unit_of_work import Store
from tests.conftest import Bot
from tests.support.builders import an_item
from tests.support.digests import wait_until_posted
from tests.support.items import add_item
from tests.support.png import png_size
from tests.support.processes import TRADEOFF, clean_env
from tests.support.slack_requests import reply_text

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
def _item(kind: Kind, number: int, days_old: int, closed_days_ago: int | None = None) -> Item:
    created = NOW - timedelta(days=days_old)
    closed = NOW - timedelta(days=closed_days_ago) if closed_days_ago is not None else None
    return an_item(
        kind, number, title="t", impact="i", status=Status.DONE if closed else Status.OPEN,
        created_at=created, closed_at=closed,
    )


def _decision(days_ago: int, debt_points: int, feature_points: int) -> Decision:
    items = [DecidedItem(ItemRef(Kind.DEBT, 1), "d", debt_points, 0, 1.0)] if debt_points else []
    items += [DecidedItem(ItemRef(Kind.FEATURE, 1), "f", feature_points, 0, 1.0)]
    return Decision(1, "T", "C", "UL", "UP", 20, 20, NOW - timedelta(days=days_ago), tuple(items))


def test_trends_count_the_window_and_say_so_in_words() -> None:
    items = [
        _item(Kind.DEBT, 1, days_old=120),  # open, older than 90 days
        _item(Kind.DEBT, 2, days_old=30, closed_days_ago=10),
        _item(Kind.FEATURE, 1, days_old=20),
    ]
    decisions = [_decision(7, 2, 8), _decision(14, 1, 9), _decision(200, 10, 0)]

    trends = compute_trends(items, decisions, budget_pct=20, now=NOW, weeks=12)

    assert len(trends.points) == 13 and trends.points[-1].week_end == NOW.date()
    last = trends.points[-1]
    assert (last.open_debt, last.open_features, last.median_debt_age_days) == (1, 1, 120.0)
    two_weeks_ago = trends.points[-3]  # D-2 was still open then
    assert (two_weeks_ago.open_debt, two_weeks_ago.median_debt_age_days) == (2, 61.0)  # 106, 16
    assert [d.debt_share_pct for d in trends.decisions] == [10, 20]  # the 200-day-old one is out
    assert (trends.debt_points, trends.planned_points, trends.debt_share_pct) == (3, 20, 15)
    assert trends.summary() == (
        "Debt got 15 % of planned size over 12 weeks against a 20 % budget (3 of 20 points in "
        "2 decisions); 1 debt item older than 90 days."
    )


def test_no_items_and_no_decisions_is_an_empty_history() -> None:
    trends = compute_trends([], [_decision(400, 1, 1)], budget_pct=20, now=NOW, weeks=12)
    assert trends.is_empty


def test_the_chart_is_a_png_of_the_stated_size_and_the_same_for_the_same_data() -> None:
    trends = compute_trends(
        [_item(Kind.DEBT, 1, 100)], [_decision(3, 2, 2)], budget_pct=20, now=NOW, weeks=104
    )

    first = render_trends_png(trends, title="t")
    second = render_trends_png(trends, title="t")

    assert png_size(first) == (WIDTH_PX, HEIGHT_PX)
    assert first == second


def test_the_chart_marks_a_decision_without_debt_and_labels_every_bar() -> None:
    decisions = [_decision(21, 3, 2), _decision(14, 0, 5), _decision(7, 3, 3)]
    trends = compute_trends([_item(Kind.DEBT, 1, 30)], decisions, budget_pct=20, now=NOW)

    figure = draw_trends(trends, title="t")

    share = figure.axes[0]
    [bars] = share.containers
    assert [round(bar.get_height()) for bar in bars] == [60, 0, 50]
    assert [text.get_text() for text in share.texts] == ["60 %", "0 %", "50 %"]
    # The 0 % decision is drawn as a marker on the axis, not as an invisible bar.
    [marker] = [line for line in share.get_lines() if line.get_marker() not in (None, "None")]
    assert list(marker.get_ydata()) == [0]
    assert list(marker.get_xdata()) == [decisions[1].decided_at.date()]
    # The legend carries the summary's own totals: 6 of 16 points is 38 % over 3 decisions.
    legend = [text.get_text() for text in share.get_legend().get_texts()]
    assert "debt share of planned size: 38 % over 3 decisions" in legend
    assert "(6 of 16 points in 3 decisions)" in trends.summary()


async def _decide(store: Store, team_id: str, debt_points: int, feature_points: int) -> None:
    now = datetime.now(UTC) - timedelta(days=2)
    async with store.unit_of_work() as uow:
        run = await uow.digests.claim(team_id, "C111", f"past-{debt_points}", now,
                                      timedelta(0))
        assert run is not None
        items = [DecidedItem(ItemRef(Kind.DEBT, 1), "Flaky", debt_points, 1, 2.0),
                 DecidedItem(ItemRef(Kind.FEATURE, 1), "SSO", feature_points, 3, 1.0)]
        await uow.decisions.record(
            team_id=team_id, channel_id="C111", run_id=run.id, lead_id="UL", pm_id="UP",
            capacity=20, budget_pct=20, items=items, now=now,
        )
        await uow.commit()


async def test_trends_command_uploads_the_chart_with_its_summary(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky")
    await _decide(bot.store, bot.team_id, 2, 8)

    response = await bot.slack.command("/tradeoff", "trends 8")

    assert "Drawing the last 8 weeks" in reply_text(response)
    [complete] = await bot.fake.wait_for("files.completeUploadExternal")
    assert complete.params["channel_id"] == "C111"
    assert complete.params["initial_comment"].startswith(
        "Debt got 20 % of planned size over 8 weeks against a 20 % budget (2 of 10 points"
    )
    [png] = bot.fake.uploads.values()
    assert png_size(png) == (WIDTH_PX, HEIGHT_PX)


async def test_trends_of_a_channel_without_history_is_a_message_not_a_chart(bot: Bot) -> None:
    await bot.slack.command("/tradeoff", "trends")

    [notice] = await bot.fake.wait_for("response_url")
    assert "no history to chart yet" in notice.params["text"]
    assert bot.fake.calls_to("files.getUploadURLExternal") == []


async def test_bad_week_counts_are_refused(bot: Bot) -> None:
    for text in ("trends 0", "trends 105", "trends lots", "trends 4 5"):
        shown = reply_text(await bot.slack.command("/tradeoff", text))
        assert "1 to 104" in shown, text
    assert bot.fake.calls_to("files.getUploadURLExternal") == []


async def test_the_first_digest_of_a_month_carries_the_chart_in_its_thread(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky")

    await bot.slack.command("/tradeoff", "digest")
    run = await wait_until_posted(bot.store, bot.team_id)
    [complete] = await bot.fake.wait_for("files.completeUploadExternal")
    assert complete.params["thread_ts"] == run.parent_ts

    await bot.slack.command("/tradeoff", "digest")  # the same month: no second chart
    second = await wait_until_posted(bot.store, bot.team_id, after=run.id)
    assert second.id != run.id
    assert len(bot.fake.calls_to("files.completeUploadExternal")) == 1


def test_cli_writes_the_chart_and_the_demo_writes_a_sample(tmp_path: Path) -> None:
    import subprocess

    demo = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [str(TRADEOFF), "demo"], cwd=tmp_path, env=clean_env(), capture_output=True, text=True,
        timeout=120, check=False,
    )
    assert demo.returncode == 0, demo.stderr
    sample = tmp_path / "tradeoff-demo-trends.png"
    assert png_size(sample.read_bytes()) == (WIDTH_PX, HEIGHT_PX)
    assert "Debt got 38 % of planned size over 12 weeks" in demo.stdout

    out = tmp_path / "chart.png"
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'tradeoff-demo.db'}")
    written = subprocess.run(  # noqa: S603
        [str(TRADEOFF), "trends", "--team", "TDEMO", "--channel", "CDEMO", "--out", str(out)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert written.returncode == 0, written.stderr
    assert png_size(out.read_bytes()) == (WIDTH_PX, HEIGHT_PX)

    empty = subprocess.run(  # noqa: S603
        [str(TRADEOFF), "trends", "--team", "TNONE", "--channel", "C1", "--out",
         str(tmp_path / "none.png")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert empty.returncode == 1 and "no history to chart" in empty.stdout
    assert not (tmp_path / "none.png").exists()


def test_the_cli_refuses_more_weeks_than_the_chart_holds(tmp_path: Path) -> None:
    import subprocess

    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'none.db'}")
    refused = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [str(TRADEOFF), "trends", "--team", "T1", "--channel", "C1", "--weeks", "105",
         "--out", str(tmp_path / "chart.png")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert refused.returncode != 0
    assert "--weeks must be 1 to 104, got 105" in refused.stderr
    assert not (tmp_path / "chart.png").exists()
