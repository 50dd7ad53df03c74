"""Slack allows about one message per second per channel; the pacer spaces our posts to match."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

ONE_PER_SECOND = 1.0


class ChannelPacer:
    """Waits before each post so posts to one channel are at least `interval` seconds apart."""

    def __init__(
        self,
        interval: float = ONE_PER_SECOND,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._last: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def wait_turn(self, channel_id: str) -> None:
        lock = self._locks.setdefault(channel_id, asyncio.Lock())
        async with lock:
            last = self._last.get(channel_id)
            if last is not None:
                remaining = self.interval - (self._clock() - last)
                if remaining > 0:
                    await self._sleep(remaining)
            self._last[channel_id] = self._clock()
