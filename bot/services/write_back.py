"""Use case: tell each planned, linked item's issue about the decision, exactly once.

The outbox row is written in the decision's transaction; a process claims it with a lease
(compare-and-set, so two processes never both take it), labels the issue (idempotent) and
posts the comment through `comment_once`, whose marker makes a retry after a crash a no-op.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.domain.tracker_writeback import writeback_note
from bot.services.import_issues import note_failure
from bot.services.ports import SlackDirectory, Tracker, TrackerFailure
from bot.store.tracker_repository import SealedConnection
from bot.store.unit_of_work import Store
from bot.store.writeback_repository import Writeback

logger = logging.getLogger(__name__)

# Longer than one write-back can take (timeouts, retries and rate-limit waits included).
WRITEBACK_LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)


def backoff(attempts: int, retry_after: float | None) -> timedelta:
    if retry_after is not None:
        return min(MAX_BACKOFF, timedelta(seconds=retry_after))
    return min(MAX_BACKOFF, timedelta(seconds=30 * 2 ** max(0, attempts - 1)))


async def claim_due(store: Store, now: datetime) -> list[Writeback]:
    async with store.unit_of_work() as uow:
        claimed = await uow.writebacks.claim_writebacks(now, WRITEBACK_LEASE)
        await uow.commit()
    return claimed


async def write_back(
    store: Store, writeback: Writeback, sealed: SealedConnection, tracker: Tracker,
    directory: SlackDirectory | None, now: datetime,
) -> bool:
    """Label and comment the issue; True when done, False when it will be tried again."""
    async with store.unit_of_work() as uow:
        decision = await uow.decisions.by_id(writeback.decision_id)
        thread = await uow.writebacks.decision_thread(writeback.decision_id)
    if decision is None or thread is None:
        await _finish(store, writeback, now)  # the decision is gone (workspace purged)
        return True
    team, (channel, parent_ts) = decision.team_id, thread
    lead, pm, url = decision.lead_id, decision.pm_id, ""
    if directory is not None:
        lead = await directory.display_name(team, decision.lead_id)
        pm = await directory.display_name(team, decision.pm_id)
        if parent_ts:
            url = await directory.thread_url(team, channel, parent_ts)
    url = url or f"https://slack.com/archives/{channel}"
    note = writeback_note(decision, writeback.item_ref, lead=lead, pm=pm, thread_url=url)
    try:
        await tracker.add_label(writeback.tracker_ref, sealed.connection.kind.planned_label)
        await tracker.comment_once(writeback.tracker_ref, note.marker, note.lines,
                                   note.link_text, note.link_url)
    except TrackerFailure as failure:
        await note_failure(store, sealed.connection.id, failure)
        async with store.unit_of_work() as uow:
            await uow.writebacks.retry_writeback_later(
                writeback.id, now + backoff(writeback.attempts, failure.retry_after),
                failure.reason)
            await uow.commit()
        logger.warning("write-back to %s postponed: %s", writeback.tracker_ref, failure.reason,
                       extra={"job": "write_back", "team": team})
        return False
    await _finish(store, writeback, now)
    return True


async def _finish(store: Store, writeback: Writeback, now: datetime) -> None:
    async with store.unit_of_work() as uow:
        await uow.writebacks.finish_writeback(writeback.id, now)
        await uow.commit()
