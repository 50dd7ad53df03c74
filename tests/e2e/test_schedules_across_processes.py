"""Two `tradeoff serve` processes on one PostgreSQL database post every scheduled digest once,
while schedules change through one of them: neither shares a job store with the other, so a
job removed in one can never stop the other's scheduler (as APScheduler's shared
SQLAlchemyJobStore did, with JobLookupError)."""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from bot.domain.channel_settings import WeeklySlot
from bot.domain.items import Kind
from bot.services.channel_settings import set_schedule
from bot.services.post_digest import LEASE
from bot.store.digest_repository import RunStatus
from bot.store.unit_of_work import Store
from tests.fakes.slack_api import FakeSlack
from tests.support.digests import parents, runs_of
from tests.support.items import add_item
from tests.support.serve import start_serve, wait_healthy
from tests.support.slack_requests import reply_text

pytestmark = pytest.mark.slow

TEAM = "TMULTI"
MISSED = [f"CMISSED{n}" for n in range(6)]  # due 30 minutes ago: posted on start
ON_TIME = [f"CONTIME{n}" for n in range(8)]  # due a few seconds after both processes are up
STOPPED, CHANGED = "CSTOPPED", "CCHANGED"  # due with ON_TIME, until the commands below
# Real seconds from now until the shifted clocks of both processes reach the on-time slot.
LEAD_S = 20.0
SHIFTED_CLOCK = Path(__file__).parents[1] / "support" / "shifted_clock"


async def _schedule(store: Store, channel: str, at: datetime, items: int) -> None:
    for n in range(items):
        await add_item(store, TEAM, Kind.DEBT, f"Debt {n} of {channel}", channel_id=channel)
    slot = WeeklySlot(at.weekday(), at.time(), "UTC")
    settings = await set_schedule(
        store, team_id=TEAM, channel_id=channel, user_id="ULEAD", slot=slot
    )
    async with store.unit_of_work() as uow:  # set long before: every slot since is due
        await uow.channels.save(
            settings.with_changes(scheduled_since=at - timedelta(days=1)), "ULEAD", at
        )
        # A digest posted earlier this month: the month's trends chart is not this test's
        # business, and drawing it takes seconds of a loaded machine.
        month_start = at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        earlier = await uow.digests.claim(TEAM, channel, "manual:earlier", month_start, LEASE)
        assert earlier is not None
        await uow.digests.set_parent_ts(earlier.id, "1.000001")
        await uow.digests.finish(earlier.id, RunStatus.COMPLETE, month_start, None)
        await uow.commit()


def _outcomes(log: str, channel: str) -> list[str]:
    return [line for line in log.splitlines() if f"digest team={TEAM} channel={channel} " in line]


async def test_schedules_changed_in_one_process_never_stop_the_other(
    fresh_database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    if make_url(fresh_database_url).get_backend_name() != "postgresql":
        pytest.skip("several processes share PostgreSQL, not SQLite")
    real_now = datetime.now(UTC)
    on_time = datetime.fromtimestamp(
        math.ceil((real_now.timestamp() + LEAD_S) / 60) * 60, UTC
    )
    offset = on_time - (real_now + timedelta(seconds=LEAD_S))
    store = Store(fresh_database_url)
    for channel in MISSED:
        await _schedule(store, channel, on_time - timedelta(minutes=30), items=4)
    for channel in [*ON_TIME, STOPPED, CHANGED]:
        await _schedule(store, channel, on_time, items=2)

    env = {"DIGEST_REPLY_INTERVAL": "0.2", "TRADEOFF_SCHEDULE_SYNC_S": "1",
           "PYTHONPATH": str(SHIFTED_CLOCK),
           "TRADEOFF_TEST_CLOCK_OFFSET_S": str(offset.total_seconds())}
    first, second = (start_serve(fresh_database_url, fake_slack, tmp_path / f"bot{n}.log", **env)
                     for n in (1, 2))
    try:
        await asyncio.gather(wait_healthy(first), wait_healthy(second))
        # Both are posting the missed digests: turn one schedule off through the first process
        # and move another to an hour earlier, whose latest slot then came before the change.
        await fake_slack.wait_for("chat.postMessage", count=1, timeout=10)
        earlier = on_time - timedelta(hours=1)
        async with httpx.AsyncClient(timeout=10) as http:
            sender = first.sender(http, fake_slack, TEAM)
            answers = await asyncio.gather(
                sender.command("/tradeoff", "schedule off", channel_id=STOPPED),
                sender.command(
                    "/tradeoff", f"schedule {earlier:%A} {earlier:%H:%M} UTC", channel_id=CHANGED
                ),
            )
        assert [a.status_code for a in answers] == [200, 200]
        assert "stopped the weekly digest" in reply_text(answers[0])
        [moved] = await fake_slack.wait_for("response_url", timeout=10)
        assert "set the weekly digest to" in moved.params["text"]
        assert datetime.now(UTC) + offset < on_time - timedelta(seconds=2), "too slow to test"

        expected = len(MISSED) * 5 + len(ON_TIME) * 3  # a parent and a reply per item
        await fake_slack.wait_for("chat.postMessage", count=expected, timeout=LEAD_S + 20)
        await asyncio.sleep(2)  # both schedulers have had their chance to post again
    finally:
        first.kill()
        second.kill()

    per_channel = Counter(call.params["channel"] for call in parents(fake_slack))
    assert per_channel == dict.fromkeys(MISSED + ON_TIME, 1)
    runs = [r for r in await runs_of(store, TEAM) if not r.slot_key.startswith("manual:")]
    assert sorted((r.channel_id, r.slot_key) for r in runs if r.channel_id in ON_TIME) == [
        (channel, on_time.isoformat()) for channel in sorted(ON_TIME)
    ]
    assert all(r.status == "complete" for r in runs)
    assert {r.channel_id for r in runs} == set(MISSED + ON_TIME)
    # Both schedulers fired every on-time digest after the changes: one posted it, the other
    # found it claimed.
    for served in (first, second):
        log = served.log()
        assert "Traceback" not in log, log
        for channel in ON_TIME:
            [line] = _outcomes(log, channel)
            assert any(f"outcome={o}" in line for o in ("posted", "already_posted",
                                                        "in_progress")), line
    await store.close()
