"""Use case: post a channel's digest once per slot, and finish a half-posted one."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from bot.domain.channel_settings import ChannelSettings
from bot.domain.digest import Digest
from bot.domain.trends import DEFAULT_WEEKS
from bot.services.digest_lease import lease_kept
from bot.services.digest_reading import compose_from, read_digest_inputs
from bot.services.digest_thread import post_thread
from bot.services.ports import ChannelUnavailable, DigestPublisher, PublishFailed
from bot.services.trends import channel_trends
from bot.store.digest_repository import DigestMessage, DigestRun, RunStatus
from bot.store.unit_of_work import Store, UnitOfWork

logger = logging.getLogger(__name__)

# A poster that holds a run longer than this is presumed dead, and another may finish its run.
LEASE = timedelta(minutes=5)
# Older than this, a missed or half-posted digest is stale news and is not posted any more.
MAX_LATENESS = timedelta(hours=12)


class Outcome(StrEnum):
    POSTED = "posted"
    RESUMED = "resumed"
    ALREADY_POSTED = "already_posted"
    IN_PROGRESS = "in_progress"
    SKIPPED_QUIET = "skipped_quiet"
    PAUSED = "paused"
    FAILED = "failed"


@dataclass(frozen=True)
class DigestResult:
    outcome: Outcome
    parent_ts: str | None = None
    replies_posted: int = 0
    error: str | None = None


async def post_digest(
    store: Store,
    publisher: DigestPublisher,
    *,
    team_id: str,
    channel_id: str,
    slot_key: str,
    now: datetime | None = None,
) -> DigestResult:
    """Post the digest for this slot unless it was posted already; resumes an unfinished one."""
    now = now or datetime.now(UTC)
    # Short units of work rather than one long one: the claim commits at once, the reads take
    # no write lock (nor, on SQLite, the writers' turn), and the plan of replies is written in
    # one go. Each of the claim's statements stands alone (take_over checks the lease in its
    # own WHERE), and so does the plan's one INSERT: on PostgreSQL neither needs BEGIN and
    # COMMIT, four of a digest's round trips.
    async with store.unit_of_work(autocommit=True) as uow:
        run = await uow.digests.claim(team_id, channel_id, slot_key, now, LEASE)
        resumed = run is None
        if run is None:
            existing = await uow.digests.find(team_id, channel_id, slot_key)
            if existing is None or existing.status is RunStatus.COMPLETE:
                return DigestResult(Outcome.ALREADY_POSTED)
            # The common case when processes race for a slot: the winner is posting.
            if existing.leased_at(now) or not await uow.digests.take_over(
                existing.id, now, LEASE
            ):
                return DigestResult(Outcome.IN_PROGRESS)
            run = existing
        await uow.commit()
    async with store.unit_of_work(read_only=True) as uow:
        inputs = await read_digest_inputs(uow, team_id, channel_id)
        planned = await uow.digests.messages(run.id) if resumed else []
        first_of_month = await _first_of_month(uow, run, inputs.settings)
    digest = replace(await compose_from(inputs, now), run_id=run.id)
    if digest.is_empty and inputs.settings.quiet:
        await _finish(store, run, RunStatus.COMPLETE, "quiet: nothing open")
        return DigestResult(Outcome.SKIPPED_QUIET)
    if not planned:
        threaded = [r.item.ref for r in digest.thread_items]
        shown = [r.item.ref for r in digest.shown_debt + digest.shown_features]
        async with store.unit_of_work(autocommit=True) as uow:
            planned = await uow.digests.add_messages(
                run, threaded, [s for s in shown if s not in threaded]
            )
            await uow.commit()
    try:
        return await _publish(store, publisher, run, digest, planned, resumed, first_of_month)
    except ChannelUnavailable as exc:
        await _pause_channel(store, run, exc.reason)
        return DigestResult(Outcome.PAUSED, error=exc.reason)
    except PublishFailed as exc:
        await _finish(store, run, RunStatus.FAILED, exc.reason)
        logger.warning("digest %s for %s failed: %s", run.slot_key, channel_id, exc.reason)
        return DigestResult(Outcome.FAILED, error=exc.reason)


async def _publish(
    store: Store, publisher: DigestPublisher, run: DigestRun, digest: Digest,
    planned: list[DigestMessage], resumed: bool, first_of_month: bool,
) -> DigestResult:
    async def complete(uow: UnitOfWork) -> None:
        await uow.digests.finish(run.id, RunStatus.COMPLETE, datetime.now(UTC), None)

    async with lease_kept(store, run.id, LEASE) as lease:
        # The run completes in the commit of its last replies.
        parent_ts, posted = await post_thread(
            store, publisher, run, digest, planned, lease, resumed=resumed, then=complete
        )
    if first_of_month:
        await _monthly_trends(store, publisher, run, parent_ts)
    return DigestResult(
        Outcome.RESUMED if resumed else Outcome.POSTED, parent_ts=parent_ts, replies_posted=posted
    )


async def _first_of_month(uow: UnitOfWork, run: DigestRun, settings: ChannelSettings) -> bool:
    """True when no other digest of the channel was completed earlier in the run's month, in
    the channel's own time zone."""
    zone = settings.slot.zone if settings.slot else UTC
    local = run.created_at.astimezone(zone)
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    earlier = await uow.digests.completed_between(
        run.team_id, run.channel_id, month_start.astimezone(UTC), run.created_at, run.id
    )
    return not earlier


async def _monthly_trends(
    store: Store, publisher: DigestPublisher, run: DigestRun, parent_ts: str
) -> None:
    """The first digest of a month carries the trends chart in its thread."""
    trends = await channel_trends(store, team_id=run.team_id, channel_id=run.channel_id,
                                  weeks=DEFAULT_WEEKS)
    if trends.is_empty:
        return
    try:
        await publisher.post_trends(run.channel_id, parent_ts, trends)
    except (PublishFailed, ChannelUnavailable) as exc:
        # The digest itself is posted; a missing chart is not worth failing it for.
        logger.warning("monthly trends chart for %s not posted: %s", run.channel_id, exc)


async def _finish(store: Store, run: DigestRun, status: RunStatus, error: str | None) -> None:
    async with store.unit_of_work(autocommit=True) as uow:
        await uow.digests.finish(run.id, status, datetime.now(UTC), error)
        await uow.commit()


async def _pause_channel(store: Store, run: DigestRun, reason: str) -> None:
    logger.warning("pausing digests of %s/%s: %s", run.team_id, run.channel_id, reason)
    async with store.unit_of_work() as uow:
        settings = await uow.channels.get(run.team_id, run.channel_id)
        paused = settings.with_changes(paused_reason=reason)
        await uow.channels.save(paused, None, datetime.now(UTC))
        await uow.digests.finish(run.id, RunStatus.FAILED, datetime.now(UTC), reason)
        await uow.commit()


def manual_slot_key(now: datetime) -> str:
    return f"manual:{now.astimezone(UTC).isoformat(timespec='microseconds')}"


async def post_digest_now(
    store: Store,
    publisher: DigestPublisher,
    *,
    team_id: str,
    channel_id: str,
    now: datetime | None = None,
) -> DigestResult:
    """`/tradeoff digest`: finish this channel's unfinished digest if there is one, else post."""
    now = now or datetime.now(UTC)
    async with store.unit_of_work() as uow:
        unfinished = await uow.digests.unfinished(now - MAX_LATENESS, team_id, channel_id)
    slot_key = unfinished[-1].slot_key if unfinished else manual_slot_key(now)
    return await post_digest(
        store, publisher, team_id=team_id, channel_id=channel_id, slot_key=slot_key, now=now
    )


async def post_scheduled_digest(
    store: Store, publisher: DigestPublisher, *, team_id: str, channel_id: str,
    now: datetime | None = None,
) -> DigestResult | None:
    """The scheduler's job: post for the channel's latest slot, unless it is too late or off."""
    now = now or datetime.now(UTC)
    async with store.unit_of_work() as uow:
        settings = await uow.channels.get(team_id, channel_id)
    slot = settings.due_slot(now)
    if slot is None:
        # Off, paused, or set after its latest slot: a process that has not yet heard of the
        # change fired on what it knew.
        return None
    if now - slot > MAX_LATENESS:
        logger.warning(
            "digest of %s/%s for %s is %s late; skipped", team_id, channel_id, slot, now - slot
        )
        return None
    return await post_digest(
        store, publisher, team_id=team_id, channel_id=channel_id,
        slot_key=slot.isoformat(), now=now,
    )
