"""Weekly digests on APScheduler, with its jobs in the bot's own database.

Every process runs a scheduler over the same job table. Two processes may both fire the same
slot; the digest's unique (channel, slot) claim in the database lets only one of them post.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from bot.domain.channel_settings import ChannelSettings, WeeklySlot
from bot.store.engine import is_sqlite, to_sync_url
from bot.store.unit_of_work import Store

logger = logging.getLogger(__name__)

MISFIRE_GRACE = timedelta(hours=12)
JOB_PREFIX = "digest:"
# APScheduler's job store is synchronous and runs on the bot's event loop, so while it waits
# for the database nothing else in the process runs. Without a bound, psycopg waits up to
# 130 s for a server that accepted the connection and never answers (or never answers the
# SYN): the bot would miss every Slack ack meanwhile.
JOBSTORE_CONNECT_TIMEOUT_S = 2

DigestRunner = Callable[[str, str], Awaitable[None]]

# APScheduler stores a job as a reference to a module-level function; this is how that function
# finds the running bot. One scheduler runs per process.
_active_runner: DigestRunner | None = None


async def run_digest_job(team_id: str, channel_id: str) -> None:
    """The stored job: post one channel's digest through the running bot."""
    if _active_runner is None:
        logger.warning("digest job for %s/%s fired with no bot running", team_id, channel_id)
        return
    await _active_runner(team_id, channel_id)


def _connect_args(database_url: str) -> dict[str, Any]:
    # SQLite's own wait (the 5 s busy timeout of the sqlite3 module) is bounded already.
    return {} if is_sqlite(database_url) else {"connect_timeout": JOBSTORE_CONNECT_TIMEOUT_S}


def job_id(team_id: str, channel_id: str) -> str:
    return f"{JOB_PREFIX}{team_id}:{channel_id}"


def weekly_trigger(slot: WeeklySlot) -> CronTrigger:
    """Fires at the slot's wall-clock time in its own zone, so DST moves it with the clock."""
    return CronTrigger(
        day_of_week=slot.weekday, hour=slot.at.hour, minute=slot.at.minute, timezone=slot.zone
    )


class DigestScheduler:
    def __init__(self, database_url: str, store: Store, runner: DigestRunner) -> None:
        self._store = store
        self._runner = runner
        self._engine: Engine = create_engine(
            to_sync_url(database_url), pool_pre_ping=True, connect_args=_connect_args(database_url)
        )
        self._scheduler = AsyncIOScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self._engine)},
            job_defaults={
                "coalesce": True,  # a digest missed several times is posted once
                "misfire_grace_time": int(MISFIRE_GRACE.total_seconds()),
                "max_instances": 1,
            },
            timezone=UTC,
        )
        self._scheduler.add_listener(self._on_missed, EVENT_JOB_MISSED)

    async def start(self, *, paused: bool = False) -> None:
        """Start; jobs missed while the bot was down fire now if under 12 hours late."""
        global _active_runner
        _active_runner = self._runner
        self._scheduler.start(paused=paused)
        await self.sync()

    def shutdown(self) -> None:
        global _active_runner
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if _active_runner is self._runner:
            _active_runner = None
        self._engine.dispose()

    async def sync(self) -> None:
        """Make the stored jobs match the channels' schedules, keeping jobs that already match.

        Re-adding an unchanged job would move its next run into the future and lose a digest
        that is due right now, so matching jobs are left alone.
        """
        async with self._store.unit_of_work() as uow:
            scheduled = await uow.channels.scheduled()
        wanted = {job_id(s.team_id, s.channel_id): s for s in scheduled}
        for job in self._scheduler.get_jobs():
            if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
                job.remove()
        for settings in scheduled:
            self.apply(settings)

    def apply(self, settings: ChannelSettings) -> None:
        """Add, change or remove the channel's job to match its settings."""
        jid = job_id(settings.team_id, settings.channel_id)
        existing = self._scheduler.get_job(jid)
        if settings.slot is None or settings.paused_reason:
            if existing is not None:
                existing.remove()
            return
        description = settings.slot.describe()
        if existing is not None and existing.name == description:
            return
        self._scheduler.add_job(
            run_digest_job,
            trigger=weekly_trigger(settings.slot),
            args=(settings.team_id, settings.channel_id),
            id=jid,
            name=description,
            replace_existing=True,
        )

    def next_run(self, team_id: str, channel_id: str) -> datetime | None:
        job = self._scheduler.get_job(job_id(team_id, channel_id))
        return None if job is None else job.next_run_time

    def add_raw_job(self, settings: ChannelSettings, next_run_time: datetime) -> None:
        """For operators and tests: store the channel's job with an explicit next run."""
        if settings.slot is None:
            raise ValueError("the channel has no digest slot")
        self._scheduler.add_job(
            run_digest_job,
            trigger=weekly_trigger(settings.slot),
            args=(settings.team_id, settings.channel_id),
            id=job_id(settings.team_id, settings.channel_id),
            name=settings.slot.describe(),
            replace_existing=True,
            next_run_time=next_run_time,
        )

    def _on_missed(self, event: JobExecutionEvent) -> None:
        late: Any = datetime.now(UTC) - event.scheduled_run_time
        logger.warning(
            "digest job %s was due at %s and is %s late (over %s): skipped",
            event.job_id, event.scheduled_run_time, late, MISFIRE_GRACE,
        )
