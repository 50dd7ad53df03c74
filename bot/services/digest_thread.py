"""Posting a digest's parent and thread: the parent and every planned reply once, the
replies' ts recorded in batches, and, when a run is resumed after a crash or a failed post,
what its poster got posted but never recorded found in the channel instead of posted again."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.domain.digest import Digest
from bot.domain.scoring import Ranked
from bot.services.digest_lease import LeaseKeeper
from bot.services.ports import DigestPublisher, ReplyKey, ThreadUnreadable
from bot.store.digest_repository import DigestMessage, DigestRun
from bot.store.unit_of_work import Store, UnitOfWork

logger = logging.getLogger(__name__)

# Replies' ts are recorded after this many replies, or once this long has passed since the
# last record, whichever comes first. At Slack's pace of one post a second per channel every
# reply still gets a commit of its own (cheap at that pace, and the fewest replies in doubt if
# the thread cannot be read back); when posting is quick, twenty commits per digest no longer
# cost more than everything else together (bench.digest_build).
RECORD_EVERY = 10
RECORD_AFTER_S = 0.5

# Writes that belong in the same commit as the thread's last replies (the run's completion).
Finish = Callable[[UnitOfWork], Awaitable[None]]


class _Recorder:
    """The replies posted since the last commit of their ts."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self._clock = clock
        self._pending: dict[int, str] = {}
        self._since = clock()

    def add(self, message_id: int, ts: str) -> None:
        self._pending[message_id] = ts

    async def record_if_due(self) -> None:
        if len(self._pending) >= RECORD_EVERY or self._clock() - self._since >= RECORD_AFTER_S:
            await self.record()

    async def record(self, then: Finish | None = None) -> None:
        """Commit the pending replies' ts, and `then`'s writes in the same transaction."""
        if self._pending or then is not None:
            # Recording ts alone is one executemany that may land in part (what is left is
            # found in the thread), so it needs no transaction; `then` shares one with it.
            async with self._store.unit_of_work(autocommit=then is None) as uow:
                await uow.digests.record_replies(self._pending)
                if then is not None:
                    await then(uow)
                await uow.commit()
            self._pending = {}
        self._since = self._clock()


async def post_thread(
    store: Store, publisher: DigestPublisher, run: DigestRun, digest: Digest,
    planned: list[DigestMessage], lease: LeaseKeeper, *, resumed: bool = False,
    then: Finish | None = None,
) -> tuple[str, int]:
    """Post the parent (unless posted before) and every reply of the plan not in the thread
    yet; returns the parent's ts and how many replies were posted. `resumed`: the run was
    started before, so its parent may be in the channel unrecorded. `then` writes in the
    commit of the last replies, once all are posted."""
    parent_ts = run.parent_ts
    if parent_ts is None and resumed:
        parent_ts = await _unrecorded_parent(store, publisher, run)
    if parent_ts is None:
        parent_ts = await publisher.post_parent(run.channel_id, digest)
        await _record_parent(store, run, parent_ts)
    if run.parent_ts is not None:  # an earlier poster got as far as the thread
        planned = await _reconcile(store, publisher, run, parent_ts, planned)
    current: dict[object, Ranked] = {r.item.ref: r for r in digest.debt + digest.features}
    recorder = _Recorder(store)
    posted = 0
    try:
        for message in planned:
            ranked = current.get(message.ref)
            if not message.in_thread or message.message_ts is not None or ranked is None:
                continue  # posted before a crash, or closed since the digest was planned
            key = ReplyKey(run.id, message.id)
            ts = await publisher.post_reply(run.channel_id, parent_ts, ranked, digest, key)
            recorder.add(message.id, ts)
            posted += 1
            await recorder.record_if_due()
            await lease.renew_if_due()  # slow going (Slack's 429 waits): keep the run ours
    except Exception:
        await _record_before_failing(recorder, run)
        raise
    await recorder.record(then)
    return parent_ts, posted


async def _unrecorded_parent(
    store: Store, publisher: DigestPublisher, run: DigestRun
) -> str | None:
    """The parent an earlier poster got posted but never recorded, now recorded, or None.

    A parent post that timed out after Slack took it, or a poster killed before its commit,
    leaves the parent in the channel without its ts here; it carries its run's id. No reply
    can be in its thread: replies are posted only once the parent's ts is recorded.
    """
    try:
        parent_ts = await publisher.posted_parent(run.channel_id, run.id, run.created_at)
    except ThreadUnreadable as exc:
        # For good, as for replies (see _reconcile): a second parent is noise, a digest that
        # never finishes is worse.
        logger.warning("digest %s: history of %s not readable (%s); its parent is posted "
                       "again", run.id, run.channel_id, exc.reason)
        return None
    if parent_ts is not None:
        await _record_parent(store, run, parent_ts)
        logger.info("digest %s: parent found in %s, not posted again", run.id, run.channel_id)
    return parent_ts


async def _record_parent(store: Store, run: DigestRun, parent_ts: str) -> None:
    async with store.unit_of_work(autocommit=True) as uow:
        await uow.digests.set_parent_ts(run.id, parent_ts)
        await uow.commit()


async def _reconcile(
    store: Store, publisher: DigestPublisher, run: DigestRun, parent_ts: str,
    planned: list[DigestMessage],
) -> list[DigestMessage]:
    """The plan, with the replies found in the thread but not recorded now recorded.

    A poster killed between Slack's answer and its commit leaves up to a batch of replies that
    are in the channel without a ts here; each carries its ReplyKey, so the thread says which.
    """
    unrecorded = {m.id for m in planned if m.in_thread and m.message_ts is None}
    if not unrecorded:
        return planned
    try:
        in_thread = await publisher.posted_replies(run.channel_id, parent_ts, run.id)
    except ThreadUnreadable as exc:
        # For good (an install from before the history scopes; reinstalling grants them), so
        # waiting would never finish the digest. The unrecorded replies are posted as if none
        # had gone out: an item without its reply cannot be voted on, a duplicate is noise, and
        # at most one batch can be in doubt (one reply at Slack's pace). A read that may work
        # later (5xx, network, 429 past the retries) raises PublishFailed instead: the run
        # fails, is resumed later, and nothing is posted blind.
        logger.warning(
            "digest %s: thread of %s not readable (%s); its unrecorded replies are posted "
            "again", run.id, run.channel_id, exc.reason,
        )
        return planned
    found = {mid: ts for mid, ts in in_thread.items() if mid in unrecorded}
    if not found:
        return planned
    async with store.unit_of_work() as uow:
        await uow.digests.record_replies(found)
        await uow.commit()
    logger.info("digest %s: %d replies found in the thread, not posted again", run.id,
                len(found))
    return [replace(m, message_ts=found.get(m.id, m.message_ts)) for m in planned]


async def _record_before_failing(recorder: _Recorder, run: DigestRun) -> None:
    """Record what Slack took before a post failed, so the next poster need not look for it;
    if that fails too, the next poster finds those replies in the thread."""
    try:
        await recorder.record()
    except Exception:
        logger.exception("digest %s: replies posted before a failure not recorded", run.id,
                         extra={"job": "digest", "run": run.id})
