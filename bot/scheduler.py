"""Weekly digests: the channel settings table says what is due, each process keeps its own timers.

APScheduler's job stores must never be shared between schedulers, so each process runs
APScheduler 3 over an in-memory job store of its own and re-reads the schedules from the
database every `sync_interval` seconds. Whether a slot is due comes from the database too: it
must be after the schedule was set (`ChannelSettings.due_slot`) and not yet claimed in
`digest_runs`. A slot missed while the bot was down is posted by the first sync if it is
under 12 hours late. Several processes may fire the same slot; the digest's unique
(channel, slot) claim lets only one of them post.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.domain.channel_settings import ChannelSettings, WeeklySlot
from bot.services.post_digest import MAX_LATENESS
from bot.store.errors import StoreUnavailable
from bot.store.unit_of_work import Store

logger = logging.getLogger(__name__)

MISFIRE_GRACE = MAX_LATENESS
JOB_PREFIX = "digest:"
CATCH_UP_PREFIX = "catch-up:"
# A change made through another process reaches this one within this many seconds.
SYNC_INTERVAL_S = 30.0
# A database that accepted the connection and never answers must not hold the sync for long.
SYNC_TIMEOUT_S = 5.0
# Claims are looked up from a little before the oldest slot in question: another process's
# clock may run behind ours.
CLOCK_SKEW = timedelta(hours=1)

DigestRunner = Callable[[str, str], Awaitable[None]]
Channel = tuple[str, str]


def job_id(team_id: str, channel_id: str) -> str:
    return f"{JOB_PREFIX}{team_id}:{channel_id}"


def weekly_trigger(slot: WeeklySlot) -> CronTrigger:
    """Fires at the slot's wall-clock time in its own zone, so DST moves it with the clock."""
    return CronTrigger(
        day_of_week=slot.weekday, hour=slot.at.hour, minute=slot.at.minute, timezone=slot.zone
    )


class DigestScheduler:
    def __init__(
        self,
        store: Store,
        runner: DigestRunner,
        *,
        sync_interval: float = SYNC_INTERVAL_S,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._runner = runner
        self.sync_interval = sync_interval
        self._clock = clock
        self._paused = False
        self._schedules: dict[Channel, ChannelSettings] = {}
        # The latest slot key of each channel known to be claimed, fired here, or given up on:
        # one entry per scheduled channel, so the sync asks the database about new ones only.
        self._settled: dict[Channel, str] = {}
        self._sync_task: asyncio.Task[None] | None = None
        self._scheduler = AsyncIOScheduler(
            jobstores={"default": MemoryJobStore()},
            job_defaults={
                "coalesce": True,  # a digest missed several times is posted once
                "misfire_grace_time": int(MISFIRE_GRACE.total_seconds()),
                "max_instances": 1,
            },
            timezone=UTC,
        )

    async def start(self, *, paused: bool = False) -> None:
        """Load the schedules, post what was missed (unless paused), then keep in sync."""
        self._paused = paused
        self._scheduler.start(paused=paused)
        try:
            await self.sync()
        except StoreUnavailable as exc:
            logger.warning("schedules not loaded yet: %s", exc)
        self._sync_task = asyncio.create_task(self._sync_forever())

    def shutdown(self) -> None:
        if self._sync_task is not None:
            self._sync_task.cancel()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    async def _sync_forever(self) -> None:
        while True:
            await asyncio.sleep(self.sync_interval)
            try:
                async with asyncio.timeout(SYNC_TIMEOUT_S):
                    await self.sync()
            except (StoreUnavailable, TimeoutError) as exc:
                logger.warning("schedules not re-synced: %s", str(exc) or "no answer in time")
            except Exception:
                # A bug in one sync must not stop every later digest of this process.
                logger.exception("schedule sync failed; trying again in %ss", self.sync_interval)

    async def sync(self) -> None:
        """Make this process's jobs match the database, and fire what is due and unclaimed."""
        async with self._store.unit_of_work() as uow:
            scheduled = await uow.channels.scheduled()
        wanted = {(s.team_id, s.channel_id): s for s in scheduled}
        for channel in set(self._schedules) - set(wanted):
            self.apply(ChannelSettings(*channel))
        for settings in scheduled:
            self.apply(settings)
        for channel in set(self._settled) - set(wanted):
            del self._settled[channel]
        if not self._paused:
            await self._catch_up(scheduled)

    def apply(self, settings: ChannelSettings) -> None:
        """Add, change or remove the channel's job to match its settings.

        Re-adding an unchanged job would move its next run into the future and lose a digest
        that is due right now, so a matching job is left alone.
        """
        channel = (settings.team_id, settings.channel_id)
        jid = job_id(*channel)
        existing = self._scheduler.get_job(jid)
        if settings.slot is None or settings.paused_reason:
            self._schedules.pop(channel, None)
            if existing is not None:
                existing.remove()
            return
        self._schedules[channel] = settings
        description = settings.slot.describe()
        if existing is not None and existing.name == description:
            return
        self._scheduler.add_job(
            self._fire, trigger=weekly_trigger(settings.slot), args=channel, id=jid,
            name=description, replace_existing=True,
        )

    def next_run(self, team_id: str, channel_id: str) -> datetime | None:
        job = self._scheduler.get_job(job_id(team_id, channel_id))
        return None if job is None else job.next_run_time

    def job_ids(self) -> list[str]:
        """The weekly jobs this process holds."""
        return sorted(j.id for j in self._scheduler.get_jobs() if j.id.startswith(JOB_PREFIX))

    async def _fire(self, team_id: str, channel_id: str) -> None:
        settings = self._schedules.get((team_id, channel_id))
        if settings is not None and (slot := settings.due_slot(self._clock())) is not None:
            self._settled[(team_id, channel_id)] = slot.isoformat()
        await self._runner(team_id, channel_id)

    async def _catch_up(self, scheduled: list[ChannelSettings]) -> None:
        now = self._clock()
        open_slots: dict[Channel, datetime] = {}
        for settings in scheduled:
            slot = settings.due_slot(now)
            channel = (settings.team_id, settings.channel_id)
            if slot is not None and self._settled.get(channel) != slot.isoformat():
                open_slots[channel] = slot
        if not open_slots:
            return
        since = min(open_slots.values()) - CLOCK_SKEW
        async with self._store.unit_of_work() as uow:
            claimed = await uow.digests.slots_claimed_since(since.astimezone(UTC))
        for channel, slot in open_slots.items():
            key = slot.isoformat()
            self._settled[channel] = key
            if (*channel, key) in claimed:
                continue
            late = now - slot
            if late > MISFIRE_GRACE:
                logger.warning(
                    "digest job %s was due at %s and is %s late (over %s): skipped",
                    job_id(*channel), slot, late, MISFIRE_GRACE,
                )
                continue
            self._scheduler.add_job(
                self._runner, args=channel, id=f"{CATCH_UP_PREFIX}{job_id(*channel)}",
                replace_existing=True,
            )
