"""Keeping a digest's parent message current as votes and sign-offs change, without flooding
Slack: at most one chat.update per message per interval, and always the latest state."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from slack_sdk.web.async_client import AsyncWebClient

from bot.services.digest_view import current_digest
from bot.slack.blocks.digest import parent_message
from bot.slack.errors import CALL_FAILED, call_failure
from bot.slack.names import NameResolver
from bot.store.errors import StoreUnavailable
from bot.store.unit_of_work import Store

logger = logging.getLogger(__name__)

UPDATE_INTERVAL_S = 2.0


@dataclass
class _Pending:
    client: AsyncWebClient
    dirty: bool = True
    last_update: float = float("-inf")
    task: asyncio.Task[None] | None = field(default=None, repr=False)


class ParentRefresher:
    def __init__(
        self,
        store: Store,
        names: NameResolver,
        interval: float = UPDATE_INTERVAL_S,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._store = store
        self._names = names
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        # Digests with a redraw to make. Once made, a digest moves to _recent, which only
        # remembers when it was redrawn until the interval has passed: both stay as small as
        # the number of digests voted on in the last few seconds, however long the bot runs.
        self._pending: dict[int, _Pending] = {}
        self._recent: dict[int, float] = {}

    @property
    def tracked(self) -> int:
        """How many digests the refresher holds any state for."""
        return len(self._pending) + len(self._recent)

    def touch(self, run_id: int, client: AsyncWebClient) -> None:
        """The digest changed; redraw its parent soon (coalescing with other changes)."""
        self._forget_old_redraws()
        pending = self._pending.get(run_id)
        if pending is None:
            last_update = self._recent.pop(run_id, float("-inf"))
            pending = self._pending[run_id] = _Pending(client, last_update=last_update)
        pending.client, pending.dirty = client, True
        if pending.task is None or pending.task.done():
            pending.task = asyncio.create_task(self._flush(run_id, pending))

    async def idle(self) -> None:
        """Wait until every requested redraw has been made (for shutdown and tests)."""
        while tasks := [p.task for p in self._pending.values() if p.task and not p.task.done()]:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _flush(self, run_id: int, pending: _Pending) -> None:
        while pending.dirty:
            wait = pending.last_update + self.interval - self._clock()
            if wait > 0:
                await self._sleep(wait)
            pending.dirty = False  # changes from here on trigger one more redraw
            try:
                await self._redraw(run_id, pending.client)
            except Exception:
                # A bug met by one redraw must not end the redraws of this digest: the next
                # change tries again with the latest state.
                logger.exception("parent of digest %s not redrawn", run_id,
                                 extra={"job": "parent_refresh", "run": run_id})
            pending.last_update = self._clock()
        # Nothing after this line awaits, so no touch() can slip in between.
        if self._pending.get(run_id) is pending:
            del self._pending[run_id]
            self._recent[run_id] = pending.last_update
        self._forget_old_redraws()

    def _forget_old_redraws(self) -> None:
        """Drop redraw times older than the interval, oldest first (they are in time order)."""
        horizon = self._clock() - self.interval
        while self._recent:
            run_id, last_update = next(iter(self._recent.items()))
            if last_update > horizon:
                return
            del self._recent[run_id]

    async def _redraw(self, run_id: int, client: AsyncWebClient) -> None:
        try:
            async with self._store.unit_of_work() as uow:
                run = await uow.digests.find_by_id(run_id)
                if run is None or run.parent_ts is None:
                    return
                digest = await current_digest(uow, run)
        except StoreUnavailable as exc:
            logger.warning("parent of digest %s not redrawn: %s", run_id, exc)
            return
        people = {a.user_id for a in digest.agreements} | set(digest.leads)
        if digest.tallies_hidden:
            people |= {u for i in digest.debt + digest.features for u in i.item.voters}
        if digest.decision:
            people |= {digest.decision.lead_id, digest.decision.pm_id}
        message = parent_message(digest, await self._names.names(client, people))
        try:
            await client.chat_update(
                channel=run.channel_id, ts=run.parent_ts, text=message["text"],
                blocks=message["blocks"],
            )
        except CALL_FAILED as exc:
            # Not retried here: the next change redraws the parent with the latest state anyway.
            logger.warning("chat.update of digest %s failed: %s", run_id, call_failure(exc))
