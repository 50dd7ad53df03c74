"""The digest jobs a process runs: a scheduled slot firing, `/tradeoff digest` and
`tradeoff digest`, and finishing digests a crashed poster left half-posted."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from bot.services.ports import DigestPublisher, DigestPublishers, ScheduleApplier
from bot.services.post_digest import (
    MAX_LATENESS,
    DigestResult,
    Outcome,
    post_digest,
    post_digest_now,
    post_scheduled_digest,
)
from bot.store.digest_repository import DigestRun, RunStatus
from bot.store.errors import StoreUnavailable
from bot.store.unit_of_work import Store

logger = logging.getLogger(__name__)

# After another poster's lease ends, wait this much more before taking its digest over.
LEASE_MARGIN_S = 0.5
# Scheduled digests posted at the same time by one process; each mostly waits on Slack's
# one-message-per-second pacing, so a handful keeps the database pool and Slack calm.
CONCURRENT_DIGESTS = 8

Spawn = Callable[[Coroutine[Any, Any, None]], None]


class DigestJobs:
    """Posts digests for the process; `schedules` (set once the scheduler exists) learns of a
    channel paused by a failed post, so its job stops firing."""

    def __init__(self, store: Store, publishers: DigestPublishers, spawn: Spawn) -> None:
        self._store = store
        self._publishers = publishers
        self._spawn = spawn
        self._slots = asyncio.Semaphore(CONCURRENT_DIGESTS)
        self.schedules: ScheduleApplier | None = None
        # Told of each digest posted or resumed (the channel canvas follows the backlog).
        self.after_posted: Callable[[str, str], None] | None = None

    async def run_scheduled_digest(self, team_id: str, channel_id: str) -> None:
        """The scheduler's job for one channel's slot."""
        # Many channels share Monday 09:00: they queue for a few posting slots instead of all
        # taking a database connection and Slack's rate limit at once.
        started = time.perf_counter()
        async with self._slots:
            publisher = await self._publisher_for(team_id, channel_id)
            if publisher is None:
                return
            result = await post_scheduled_digest(
                self._store, publisher, team_id=team_id, channel_id=channel_id
            )
        await self._after_digest(team_id, channel_id, result, started)

    async def post_now(
        self, team_id: str, channel_id: str, publisher: DigestPublisher | None = None
    ) -> DigestResult:
        """`/tradeoff digest` and `tradeoff digest`: finish an unfinished digest, else post one."""
        started = time.perf_counter()
        publisher = publisher or await self._publishers.for_team(team_id)
        if publisher is None:
            return DigestResult(Outcome.FAILED, error="not_installed")
        result = await post_digest_now(
            self._store, publisher, team_id=team_id, channel_id=channel_id
        )
        await self._after_digest(team_id, channel_id, result, started)
        return result

    async def resume_unfinished(self) -> None:
        """Complete digests whose poster died mid-thread, if they are recent enough to matter."""
        async with self._store.unit_of_work() as uow:
            runs = await uow.digests.unfinished(datetime.now(UTC) - MAX_LATENESS)
        for run in runs:
            result = await self._resume(run)
            if result is not None and result.outcome is Outcome.IN_PROGRESS:
                # Another poster's lease: alive and posting, or dead a moment ago. Look again
                # when the lease runs out; a live poster will have renewed it by then.
                self._spawn(self._resume_when_lease_ends(run))

    async def _publisher_for(self, team_id: str, channel_id: str) -> DigestPublisher | None:
        publisher = await self._publishers.for_team(team_id)
        if publisher is None:
            # Uninstalled: the schedule stays, so a reinstall picks it up again.
            logger.info(
                "digest skipped: workspace %s has no installation", team_id,
                extra={"job": "digest", "team": team_id, "channel": channel_id,
                       "outcome": "not_installed"},
            )
        return publisher

    async def _resume(self, run: DigestRun) -> DigestResult | None:
        started = time.perf_counter()
        async with self._slots:
            publisher = await self._publisher_for(run.team_id, run.channel_id)
            if publisher is None:
                return None
            result = await post_digest(
                self._store, publisher, team_id=run.team_id,
                channel_id=run.channel_id, slot_key=run.slot_key,
            )
        await self._after_digest(run.team_id, run.channel_id, result, started)
        return result

    async def _resume_when_lease_ends(self, run: DigestRun) -> None:
        while True:
            try:
                async with self._store.unit_of_work() as uow:
                    current = await uow.digests.find_by_id(run.id)
            except StoreUnavailable as exc:
                logger.warning("digest %s not resumed: %s", run.id, exc)
                return
            if current is None or current.status is not RunStatus.POSTING:
                return
            lease_end = current.lease_until or datetime.now(UTC)
            await asyncio.sleep(
                max(0.0, (lease_end - datetime.now(UTC)).total_seconds()) + LEASE_MARGIN_S
            )
            result = await self._resume(current)
            if result is None or result.outcome is not Outcome.IN_PROGRESS:
                return

    async def _after_digest(
        self, team_id: str, channel_id: str, result: DigestResult | None, started: float
    ) -> None:
        if result is not None:
            fields = {
                "job": "digest", "team": team_id, "channel": channel_id,
                "outcome": result.outcome.value, "replies": result.replies_posted,
                "error": result.error,
                "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            }
            shown = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
            logger.info("digest %s", shown, extra=fields)
        if (result is not None and result.outcome in (Outcome.POSTED, Outcome.RESUMED)
                and self.after_posted is not None):
            self.after_posted(team_id, channel_id)
        if result is not None and result.outcome is Outcome.PAUSED and self.schedules:
            async with self._store.unit_of_work() as uow:
                settings = await uow.channels.get(team_id, channel_id)
            self.schedules.apply(settings)
