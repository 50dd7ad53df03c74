"""Keeping a digest run's lease while it is being posted.

The lease tells other processes this poster is alive; without it, another would take the run
over and post its replies a second time. It is renewed between replies once half of it is
gone, and on a timer of its own, so one Slack wait (a long 429) longer than the lease cannot
lose it either. A renewal that fails is logged and tried again; it never fails the digest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from bot.store.errors import StoreUnavailable
from bot.store.unit_of_work import Store

logger = logging.getLogger(__name__)

# The timer looks this many times per lease, so a failed renewal has another chance in time.
CHECKS_PER_LEASE = 4


class LeaseKeeper:
    def __init__(self, store: Store, run_id: int, lease: timedelta) -> None:
        self._store = store
        self._run_id = run_id
        self._lease = lease
        # The claim or take-over that gave us the run held it for one lease from about now.
        self._until = datetime.now(UTC) + lease

    async def renew_if_due(self) -> None:
        """Renew once half the lease is gone; log, never raise, when that fails."""
        now = datetime.now(UTC)
        if self._until - now >= self._lease / 2:
            return
        try:
            async with self._store.unit_of_work(autocommit=True) as uow:
                await uow.digests.renew_lease(self._run_id, now + self._lease)
                await uow.commit()
        except StoreUnavailable as exc:
            logger.warning("lease of digest %s not renewed: %s", self._run_id, exc)
            return
        except Exception:
            # The next check may well succeed; failing the digest here would leave it for
            # another process to post again.
            logger.exception("lease of digest %s not renewed", self._run_id,
                             extra={"job": "lease", "run": self._run_id})
            return
        self._until = now + self._lease

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self._lease.total_seconds() / CHECKS_PER_LEASE)
            await self.renew_if_due()


@contextlib.asynccontextmanager
async def lease_kept(store: Store, run_id: int, lease: timedelta) -> AsyncIterator[LeaseKeeper]:
    """A LeaseKeeper whose timer runs until the block ends."""
    keeper = LeaseKeeper(store, run_id, lease)
    timer = asyncio.create_task(keeper._renew_forever())
    try:
        yield keeper
    finally:
        timer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await timer
