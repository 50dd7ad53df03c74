"""The event loop watching itself: how late a short sleep wakes up is how long the loop was
kept from everything else (acks included)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

logger = logging.getLogger(__name__)

# A stall is found to within one tick; 50 wake-ups a second cost nothing measurable.
TICK_S = 0.02
REPORT_EVERY_S = 60.0
# Slack wants an ack within 3 s; a quarter of a second is already worth a line.
STALL_WARNING_MS = 250.0


class LoopLagMonitor:
    """Logs the worst lag of each minute (`loop_lag_ms`) and a warning for every stall."""

    def __init__(
        self,
        *,
        tick_s: float = TICK_S,
        report_every_s: float | None = None,
        warn_ms: float = STALL_WARNING_MS,
    ) -> None:
        self._tick_s = tick_s
        self._report_every_s = REPORT_EVERY_S if report_every_s is None else report_every_s
        self._warn_ms = warn_ms
        self._task: asyncio.Task[None] | None = None
        self.max_lag_ms = 0.0  # since start, for benchmarks and tests

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._watch())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _watch(self) -> None:
        window_max = 0.0
        report_at = time.monotonic() + self._report_every_s
        while True:
            before = time.monotonic()
            await asyncio.sleep(self._tick_s)
            now = time.monotonic()
            lag_ms = max(0.0, (now - before - self._tick_s) * 1000)
            window_max = max(window_max, lag_ms)
            self.max_lag_ms = max(self.max_lag_ms, lag_ms)
            if lag_ms > self._warn_ms:
                logger.warning("event loop stalled for %.0f ms", lag_ms,
                               extra={"loop_lag_ms": round(lag_ms, 1)})
            if now >= report_at:
                logger.info("event loop lag: at most %.1f ms in the last %.0f s", window_max,
                            self._report_every_s, extra={"loop_lag_ms": round(window_max, 1)})
                window_max, report_at = 0.0, now + self._report_every_s
