"""Work the bot does on its own, long after any request: housekeeping, the parent refresher and
the lease of a digest being posted log an unexpected exception once and carry on, and what
they remember stays bounded however long the process runs."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

import bot.services.housekeeping
from bot.domain.items import Kind
from bot.runtime import build_runtime
from bot.services.post_digest import Outcome, post_digest_now
from bot.slack.names import NameResolver
from bot.slack.parent_refresher import ParentRefresher
from bot.store.digest_repository import DigestRepository
from bot.store.models import ProcessedEventRow
from bot.store.unit_of_work import Store
from bot.store.vote_repository import VoteRepository
from tests.conftest import BOT_TOKEN, bot_settings
from tests.fakes.slack_api import FakeSlack
from tests.support.digests import replies, runs_of
from tests.support.eventually import eventually
from tests.support.items import add_item
from tests.support.slow_digest import SlowReplies, digest_time_follows


def _failing_once(real: Any, calls: list[int]) -> Any:
    async def flaky(self: Any, *args: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("injected failure")
        return await real(self, *args)

    return flaky


def _errors(caplog: pytest.LogCaptureFixture, text: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR and text in r.getMessage()]


async def test_housekeeping_survives_an_unexpected_exception(
    fresh_database_url: str, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = Store(fresh_database_url)
    async with store.unit_of_work() as uow:
        uow.session.add(ProcessedEventRow(
            event_id="EvOLD", team_id="THOUSE", received_at=datetime.now(UTC) - timedelta(days=8)
        ))
        await uow.commit()
    calls: list[int] = []
    monkeypatch.setattr(VoteRepository, "forget_events_before",
                        _failing_once(VoteRepository.forget_events_before, calls))
    monkeypatch.setattr(bot.services.housekeeping, "HOUSEKEEPING_INTERVAL_S", 0.05)
    runtime = build_runtime(bot_settings(fresh_database_url, fake_slack, "on"), store)
    await runtime.start()
    try:
        async def forgotten() -> None:
            async with store.unit_of_work() as uow:
                assert list(await uow.session.scalars(select(ProcessedEventRow.event_id))) == []

        await eventually(forgotten)  # by a run after the one that failed
    finally:
        await runtime.stop()
    [record] = _errors(caplog, "housekeeping failed")
    assert record.exc_info is not None and "injected failure" in str(record.exc_info[1])
    assert len(calls) >= 2


class _Refresher(ParentRefresher):
    """The real coalescing and memory, with a redraw that fails the first time it runs."""

    def __init__(self, clock: list[float]) -> None:
        super().__init__(Store("sqlite://"), NameResolver(), 2.0, clock=lambda: clock[0])
        self.redrawn: list[int] = []

    async def _redraw(self, run_id: int, client: AsyncWebClient) -> None:
        self.redrawn.append(run_id)
        if len(self.redrawn) == 1:
            raise RuntimeError("injected failure")


async def test_the_parent_refresher_survives_an_unexpected_exception(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = [100.0]
    refresher = _Refresher(clock)
    client = AsyncWebClient()

    refresher.touch(7, client)
    await refresher.idle()
    clock[0] += 5
    refresher.touch(7, client)  # the next vote redraws as usual
    await refresher.idle()

    assert refresher.redrawn == [7, 7]
    [record] = _errors(caplog, "parent of digest 7 not redrawn")
    assert record.exc_info is not None


async def test_the_parent_refresher_forgets_digests_once_redrawn() -> None:
    clock = [100.0]
    refresher = _Refresher(clock)
    client = AsyncWebClient()
    for run_id in range(1, 1001):
        refresher.touch(run_id, client)
    await refresher.idle()
    assert refresher.tracked <= 1000

    clock[0] += 2.5  # past the interval: nothing left to pace
    refresher.touch(5000, client)
    await refresher.idle()

    assert refresher.tracked == 1
    assert len(refresher.redrawn) == 1001


async def test_the_name_cache_is_bounded(fake_slack: FakeSlack) -> None:
    names = NameResolver(max_size=50)
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.base_url)
    people = [f"UPERSON{n:03d}" for n in range(120)]
    for n in range(0, 120, 10):
        found = await names.names(client, people[n:n + 10])
        assert set(found) == set(people[n:n + 10])
    assert names.cached == 50


async def test_a_failed_lease_renewal_is_logged_and_renewed_later(
    database_url: str, store: Store, fake_slack: FakeSlack, team_id: str,
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:
    for n in range(4):
        await add_item(store, team_id, Kind.DEBT, f"Debt {n}")
    runtime = build_runtime(bot_settings(database_url, fake_slack, scheduler="off"), store)
    start = datetime.now(UTC)
    clock = {"now": start}
    real_publisher = runtime.publisher()
    leases: list[datetime | None] = []

    async def note_lease(_ranked: Any) -> None:
        [run] = await runs_of(store, team_id)
        leases.append(run.lease_until)

    calls: list[int] = []
    monkeypatch.setattr(DigestRepository, "renew_lease",
                        _failing_once(DigestRepository.renew_lease, calls))
    digest_time_follows(monkeypatch, clock)
    result = await post_digest_now(
        store, SlowReplies(real_publisher, clock, note_lease), team_id=team_id,
        channel_id="C111", now=start,
    )
    await asyncio.sleep(0)

    assert result.outcome is Outcome.POSTED
    assert len(replies(fake_slack)) == 4
    [record] = _errors(caplog, "not renewed")
    assert record.exc_info is not None
    assert len(calls) >= 2  # the failure did not end the renewals
    # Eight minutes in, the run is still held: renewed after the failed attempt.
    assert leases[-1] is not None and leases[-1] > clock["now"]
