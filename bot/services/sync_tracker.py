"""Use cases: bring the tracker's changes to the linked items (polling and webhooks).

Each change is applied once: a link remembers the issue's `updated_at` it last applied, so an
overlapping poll, a webhook and a poll of the same change, or a redelivery, change nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.background import repeat_forever
from bot.credentials import SecretBox
from bot.domain.items import Status
from bot.domain.tracker_connections import TrackerConnection
from bot.domain.tracker_issues import TrackerIssue
from bot.domain.tracker_sync import ItemState, changes_for, tracker_actor
from bot.services.import_issues import note_failure
from bot.services.ports import SlackDirectory, Tracker, TrackerFailure
from bot.services.tracker_access import TrackerFactory, open_tracker
from bot.services.write_back import claim_due, write_back
from bot.store.tracker_repository import SealedConnection
from bot.store.unit_of_work import Store

logger = logging.getLogger(__name__)


async def apply_issue(
    store: Store, connection: TrackerConnection, issue: TrackerIssue, *,
    actor: str | None, now: datetime, reopened: bool = False,
) -> list[str]:
    """Apply the issue's state to its linked item; the history notes written (none when the
    issue is not linked, already applied, or agrees with the item)."""
    async with store.unit_of_work() as uow:
        linked = await uow.item_links.linked_item(connection.id, issue.ref)
        if linked is None or (
            linked.seen_updated_at is not None and issue.updated_at <= linked.seen_updated_at
        ):
            return []
        state = ItemState(Status(linked.status), linked.title, linked.closed_by)
        notes: list[str] = []
        for change in changes_for(state, issue, connection.kind, actor, reopened=reopened):
            if await uow.item_links.apply_sync(
                connection.team_id, linked.item_id, linked.ref, change,
                tracker_actor(connection.kind), now,
            ):
                notes.append(change.note)
        await uow.item_links.mark_seen(linked.link_id, issue.updated_at)
        await uow.commit()
    return notes


@dataclass
class _Cached:
    sealed_credentials: str
    tracker: Tracker


class TrackerSync:
    """Polls each active connection at most every `interval` across processes (a lease in the
    database decides who), keeping one adapter per connection so its ETag survives polls."""

    def __init__(
        self, store: Store, box: SecretBox, factory: TrackerFactory, interval: timedelta,
        directory: SlackDirectory | None = None,
    ) -> None:
        self._directory = directory
        self._store = store
        self._box = box
        self._factory = factory
        self._interval = interval
        self._trackers: dict[int, _Cached] = {}

    def tracker_for(self, sealed: SealedConnection) -> Tracker:
        cached = self._trackers.get(sealed.connection.id)
        if cached is None or cached.sealed_credentials != sealed.credentials:
            cached = _Cached(sealed.credentials, open_tracker(self._box, self._factory, sealed))
            self._trackers[sealed.connection.id] = cached
        return cached.tracker

    async def poll_due(self, now: datetime) -> int:
        """Poll every connection whose turn it is; how many were polled."""
        async with self._store.unit_of_work() as uow:
            active = await uow.trackers.active()
        polled = 0
        for connection in active:
            async with self._store.unit_of_work() as uow:
                mine = await uow.trackers.take_poll_lease(connection.id, now, self._interval)
                sealed = await uow.trackers.get_by_id(connection.id) if mine else None
                await uow.commit()
            if sealed is not None:
                await self.poll(sealed, now)
                polled += 1
        return polled

    async def poll(self, sealed: SealedConnection, now: datetime) -> None:
        connection = sealed.connection
        try:
            issues = await self.tracker_for(sealed).changed_since(connection.poll_cursor)
        except TrackerFailure as failure:
            logger.warning("tracker poll failed: %s", failure.reason,
                           extra={"job": "tracker_poll", "team": connection.team_id})
            await note_failure(self._store, connection.id, failure)
            return
        cursor = connection.poll_cursor
        for issue in issues:
            await apply_issue(self._store, connection, issue, actor=None, now=now)
            cursor = issue.updated_at if cursor is None else max(cursor, issue.updated_at)
        async with self._store.unit_of_work() as uow:
            await uow.trackers.record_sync(connection.id, now, cursor)
            await uow.commit()

    async def flush_writebacks(self, now: datetime) -> int:
        """Send the write-backs that are due and not taken by another process; how many
        finished."""
        done = 0
        for writeback in await claim_due(self._store, now):
            async with self._store.unit_of_work() as uow:
                sealed = await uow.trackers.get_by_id(writeback.connection_id)
            if sealed is None:
                continue
            tracker = self.tracker_for(sealed)
            done += await write_back(
                self._store, writeback, sealed, tracker, self._directory, now)
        return done

    async def aclose(self) -> None:
        for cached in self._trackers.values():
            await cached.tracker.aclose()
        self._trackers.clear()


# How often each process looks for trackers due a poll and write-backs due a try.
TRACKER_TICK_S = 15.0


async def keep_in_sync(sync: TrackerSync, poll_interval_s: float) -> None:
    """Poll the trackers whose turn it is (a lease in the database makes it once across
    processes) and send the write-backs that are due, for the life of the process."""

    async def tick() -> None:
        await sync.poll_due(datetime.now(UTC))
        await sync.flush_writebacks(datetime.now(UTC))

    await repeat_forever("tracker sync", "tracker_sync", tick,
                         min(TRACKER_TICK_S, poll_interval_s))
