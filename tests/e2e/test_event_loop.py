"""The event loop is never kept from acking: charts are drawn in worker processes, and the
bot measures and logs its own loop lag."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import multiprocessing
import random
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert

from bot import loop_lag
from bot.domain.items import Kind
from bot.logs import JsonFormatter, Scrubber
from bot.runtime import build_runtime
from bot.services.trends import channel_trends
from bot.store.models import ItemRow
from bot.store.unit_of_work import Store
from tests.conftest import Bot, bot_settings
from tests.fakes.slack_api import FakeSlack
from tests.support.bot_server import running_bot
from tests.support.db import stored_items
from tests.support.items import add_item
from tests.support.slack_requests import reply_text

CHANNELS = [f"CLOAD{n:02d}" for n in range(16)]
BIG_CHANNEL = 10_000
SLACK_ACK_S = 3.0


async def test_a_quick_add_is_answered_in_time_while_16_charts_are_drawn(bot: Bot) -> None:
    for channel in CHANNELS:
        await add_item(bot.store, bot.team_id, Kind.DEBT, f"Debt of {channel}",
                       channel_id=channel)

    asked = await asyncio.gather(
        *(bot.slack.command("/tradeoff", "trends 104", channel_id=c) for c in CHANNELS)
    )
    assert all("Drawing the last 104 weeks" in reply_text(r) for r in asked)
    started = time.monotonic()
    added = await bot.slack.command("/debt", "Slow deploys | an hour a day")
    answered_in = time.monotonic() - started

    assert added.status_code == 200 and "D-17" in reply_text(added)
    assert answered_in < SLACK_ACK_S, f"answered after {answered_in:.1f} s"
    uploads = await bot.fake.wait_for("files.completeUploadExternal", count=16, timeout=60)
    assert sorted(u.params["channel_id"] for u in uploads) == CHANNELS
    assert [r.title for r in await stored_items(bot.store, bot.team_id)][-1] == "Slow deploys"


async def big_channel(bot: Bot, titles: list[str]) -> None:
    now = datetime.now(UTC)
    async with bot.store.unit_of_work() as uow:
        await uow.session.execute(insert(ItemRow), [
            {"team_id": bot.team_id, "channel_id": "CBIG", "kind": "debt", "number": n,
             "title": title, "impact": "It costs " * 40, "author_id": "U1",
             "status": "open", "created_at": now, "updated_at": now}
            for n, title in enumerate(titles, start=1)
        ])
        await uow.commit()


def distinct_titles(count: int) -> list[str]:
    rng = random.Random(13)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(2000)]
    return [" ".join(rng.choice(words) for _ in range(rng.randint(3, 7))) for _ in range(count)]


async def test_health_of_a_large_backlog_leaves_the_loop_free(bot: Bot) -> None:
    await big_channel(bot, distinct_titles(BIG_CHANNEL))
    monitor = loop_lag.LoopLagMonitor(tick_s=0.005, report_every_s=3600.0)
    monitor.start()
    try:
        started = time.monotonic()
        response = await bot.slack.command("/tradeoff", "health", channel_id="CBIG")
        took_ms = (time.monotonic() - started) * 1000
    finally:
        await monitor.stop()

    assert response.status_code == 200 and "Backlog health" in str(response.json())
    # Compared on the loop, the titles held it for most of the answer.
    assert monitor.max_lag_ms < took_ms / 2, (monitor.max_lag_ms, took_ms)


async def test_exporting_a_large_channel_never_holds_the_loop_for_long(bot: Bot) -> None:
    """The bot serves on this test's loop, so a monitor here sees what the bot's acks see."""
    await big_channel(bot, [f"Debt number {n}" for n in range(1, BIG_CHANNEL + 1)])
    monitor = loop_lag.LoopLagMonitor(tick_s=0.005, report_every_s=3600.0)
    monitor.start()
    try:
        started = time.monotonic()
        await bot.slack.command("/tradeoff", "export", channel_id="CBIG")
        [complete] = await bot.fake.wait_for("files.completeUploadExternal", timeout=60)
        took_ms = (time.monotonic() - started) * 1000
    finally:
        await monitor.stop()

    items_file = next(f for f in complete.params["files"] if f["title"].startswith("Items"))
    rows = list(csv.reader(io.StringIO(bot.fake.uploads[items_file["id"]].decode())))
    assert [r[0] for r in rows[1:]] == [f"D-{n}" for n in range(1, BIG_CHANNEL + 1)]
    # Read at once, the items held the loop for 220-420 ms; paged, the worst lag stays under
    # what the bot itself calls a stall, even on a loaded machine.
    assert monitor.max_lag_ms < loop_lag.STALL_WARNING_MS, (monitor.max_lag_ms, took_ms)


def loop_lag_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.loop_lag"]


async def test_the_bot_logs_its_loop_lag_and_warns_of_a_stall(
    database_url: str, store: Store, fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(loop_lag, "REPORT_EVERY_S", 0.3)
    caplog.set_level(logging.INFO, logger="bot.loop_lag")
    async with running_bot(bot_settings(database_url, fake_slack), store):
        await asyncio.sleep(0.5)
        time.sleep(0.5)  # the bot shares this loop: this is a stall of its loop  # noqa: ASYNC251
        await asyncio.sleep(0.5)
    stopped_at = len(loop_lag_records(caplog))
    await asyncio.sleep(0.5)

    records = loop_lag_records(caplog)
    reports = [r for r in records if r.levelno == logging.INFO]
    [stall] = [r for r in records if r.levelno == logging.WARNING]
    assert len(reports) >= 2
    assert all(isinstance(r.__dict__["loop_lag_ms"], float) for r in reports)
    assert max(r.__dict__["loop_lag_ms"] for r in reports) >= loop_lag.STALL_WARNING_MS
    assert stall.__dict__["loop_lag_ms"] >= loop_lag.STALL_WARNING_MS
    assert stall.getMessage().startswith("event loop stalled for ")
    line = json.loads(JsonFormatter(Scrubber()).format(stall))
    assert line["loop_lag_ms"] == stall.__dict__["loop_lag_ms"]
    assert len(records) == stopped_at, "the monitor stops with the bot"


async def test_charts_are_drawn_in_worker_processes_that_end_with_the_bot(
    database_url: str, store: Store, fake_slack: FakeSlack,
) -> None:
    runtime = build_runtime(bot_settings(database_url, fake_slack), store)
    await add_item(store, "TCHARTS", Kind.DEBT, "Flaky", channel_id="CCHARTS")
    await runtime.start()
    before = set(multiprocessing.active_children())

    trends = await channel_trends(store, team_id="TCHARTS", channel_id="CCHARTS", weeks=4)
    png = await runtime.charts.render(trends, title="t")
    workers = set(multiprocessing.active_children()) - before

    assert png.startswith(b"\x89PNG")
    assert workers and all(w.pid is not None for w in workers)
    await runtime.stop()
    assert not any(w.is_alive() for w in workers)
