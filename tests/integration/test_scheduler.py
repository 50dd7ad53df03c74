"""The weekly digest scheduler: schedules survive restarts, a digest missed while the bot was
down is posted once if under 12 hours late, and skipped (and logged) when later."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.channel_settings import ChannelSettings, WeeklySlot
from bot.domain.items import Kind
from bot.runtime import build_runtime
from bot.scheduler import DigestScheduler, job_id
from bot.services.channel_settings import set_schedule
from bot.store.unit_of_work import Store
from tests.conftest import bot_settings
from tests.fakes.slack_api import FakeSlack
from tests.support.digests import parents, runs_of
from tests.support.eventually import eventually
from tests.support.items import add_item
from tests.support.schedules import CHANNEL, TEAM, schedule_due, slot_at


async def _noop(_team: str, _channel: str) -> None:
    return None


async def test_a_restart_loses_no_schedule(fresh_database_url: str) -> None:
    store = Store(fresh_database_url)
    slot = WeeklySlot(0, datetime(2026, 1, 1, 9, 0).time(), "Europe/Berlin")
    await set_schedule(store, team_id=TEAM, channel_id=CHANNEL, user_id="ULEAD", slot=slot)
    first = DigestScheduler(store, _noop)
    await first.start(paused=True)
    planned = first.next_run(TEAM, CHANNEL)
    first.shutdown()

    second = DigestScheduler(store, _noop)
    await second.start(paused=True)
    try:
        assert planned is not None
        assert second.next_run(TEAM, CHANNEL) == planned
        local = planned.astimezone(slot.zone)
        assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)
    finally:
        second.shutdown()
        await store.close()


async def test_a_digest_missed_by_an_hour_is_posted_once_on_start(
    fresh_database_url: str, fake_slack: FakeSlack
) -> None:
    store = Store(fresh_database_url)
    await add_item(store, TEAM, Kind.DEBT, "Flaky tests")
    due = datetime.now(UTC) - timedelta(hours=1)
    await schedule_due(fresh_database_url, store, slot_at(due), due)

    runtime = build_runtime(bot_settings(fresh_database_url, fake_slack, "on"), store)
    await runtime.start()
    try:
        await fake_slack.wait_for("chat.postMessage", count=2, timeout=10)
        await asyncio.sleep(0.5)  # room for a duplicate to show up, were there one
    finally:
        await runtime.stop()

    assert len(parents(fake_slack)) == 1
    [run] = await runs_of(Store(fresh_database_url), TEAM)
    assert run.status == "complete"
    assert run.slot_key == slot_at(due).latest_at_or_before(datetime.now(UTC)).isoformat()


async def test_a_digest_missed_by_more_than_12_hours_is_skipped_and_logged(
    fresh_database_url: str, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    store = Store(fresh_database_url)
    await add_item(store, TEAM, Kind.DEBT, "Flaky tests")
    due = datetime.now(UTC) - timedelta(hours=13)
    await schedule_due(fresh_database_url, store, slot_at(due), due)

    caplog.set_level(logging.WARNING, logger="bot.scheduler")
    runtime = build_runtime(bot_settings(fresh_database_url, fake_slack, "on"), store)
    await runtime.start()
    try:
        for _ in range(100):
            if "skipped" in caplog.text:
                break
            await asyncio.sleep(0.05)
    finally:
        await runtime.stop()

    assert fake_slack.calls_to("chat.postMessage") == []
    assert f"digest job {job_id(TEAM, CHANNEL)}" in caplog.text and "skipped" in caplog.text
    assert await runs_of(Store(fresh_database_url), TEAM) == []


async def test_stopping_the_schedule_removes_the_stored_job(fresh_database_url: str) -> None:
    store = Store(fresh_database_url)
    slot = WeeklySlot(4, datetime(2026, 1, 1, 16, 30).time(), "America/New_York")
    scheduler = DigestScheduler(store, _noop)
    await scheduler.start(paused=True)
    try:
        scheduler.apply(ChannelSettings(TEAM, CHANNEL, slot=slot))
        assert scheduler.next_run(TEAM, CHANNEL) is not None
        scheduler.apply(ChannelSettings(TEAM, CHANNEL, slot=slot, paused_reason="is_archived"))
        assert scheduler.next_run(TEAM, CHANNEL) is None
    finally:
        scheduler.shutdown()
        await store.close()


async def test_a_schedule_changed_elsewhere_reaches_a_running_scheduler(
    fresh_database_url: str,
) -> None:
    """Each process keeps its own jobs; what another process saved reaches it on its next sync."""
    store = Store(fresh_database_url)
    scheduler = DigestScheduler(store, _noop, sync_interval=0.05)
    await scheduler.start(paused=True)
    try:
        assert scheduler.next_run(TEAM, CHANNEL) is None
        slot = WeeklySlot(2, datetime(2026, 1, 1, 8, 0).time(), "Asia/Tokyo")
        await set_schedule(store, team_id=TEAM, channel_id=CHANNEL, user_id="ULEAD", slot=slot)
        await eventually(lambda: _has_job(scheduler), within=2)
        planned = scheduler.next_run(TEAM, CHANNEL)
        assert planned is not None and planned.astimezone(slot.zone).hour == 8

        await set_schedule(store, team_id=TEAM, channel_id=CHANNEL, user_id="ULEAD", slot=None)
        await eventually(lambda: _has_job(scheduler, False), within=2)
    finally:
        scheduler.shutdown()
        await store.close()


async def _has_job(scheduler: DigestScheduler, wanted: bool = True) -> None:
    assert (scheduler.next_run(TEAM, CHANNEL) is not None) is wanted


async def test_a_slot_before_the_schedule_was_set_is_never_posted(
    fresh_database_url: str, fake_slack: FakeSlack
) -> None:
    """Moving a schedule to a time that passed today makes next week's the first digest, in a
    process that still fires on the old schedule too."""
    store = Store(fresh_database_url)
    await add_item(store, TEAM, Kind.DEBT, "Flaky tests")
    an_hour_ago = slot_at(datetime.now(UTC) - timedelta(hours=1))
    await set_schedule(
        store, team_id=TEAM, channel_id=CHANNEL, user_id="ULEAD", slot=an_hour_ago
    )
    runtime = build_runtime(bot_settings(fresh_database_url, fake_slack, "on"), store)
    await runtime.start()
    try:
        await runtime.digests.run_scheduled_digest(TEAM, CHANNEL)  # a stale job firing
        await asyncio.sleep(0.3)
    finally:
        await runtime.stop()
    assert fake_slack.calls_to("chat.postMessage") == []
    assert await runs_of(Store(fresh_database_url), TEAM) == []
