"""Drawing trend charts away from the event loop, in a few worker processes.

A chart costs 0.25 to 0.37 s of CPU in matplotlib's Agg canvas, which holds the GIL while it
draws: in a thread it would still stall every ack of the process. Worker processes do not
share the GIL. They start from a fork server that has imported matplotlib once, so a worker
is ready in milliseconds and none inherits the bot's threads, sockets or event loop.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial

from bot.domain.channel_report import ChannelLine
from bot.domain.trends import Trends


def _draw(trends: Trends, title: str) -> bytes:
    """Runs in a worker: only the workers import matplotlib (over a second, and its memory)."""
    from bot.charts import render_trends_png

    return render_trends_png(trends, title=title)


def _draw_report(lines: list[ChannelLine], names: dict[str, str], title: str) -> bytes:
    from bot.report_chart import render_report_png

    return render_report_png(lines, names, title=title)


def default_workers() -> int:
    """One core is left to the event loop; more than four charts at once gains nothing."""
    return max(1, min(4, (os.cpu_count() or 2) - 1))


class ChartPool:
    """Renders charts in at most `workers` processes; more callers wait their turn.

    The processes start with the first chart and end with `shutdown`.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        self._executor: ProcessPoolExecutor | None = None
        self._slots: asyncio.Semaphore | None = None
        self._starting: asyncio.Lock | None = None

    async def render(self, trends: Trends, *, title: str) -> bytes:
        """The chart's PNG, drawn in a worker process."""
        return await self._in_worker(partial(_draw, trends, title))

    async def render_report(
        self, lines: Sequence[ChannelLine], names: dict[str, str], *, title: str
    ) -> bytes:
        """The report's small multiples as a PNG, drawn in a worker process."""
        return await self._in_worker(partial(_draw_report, list(lines), dict(names), title))

    async def _in_worker(self, draw: Callable[[], bytes]) -> bytes:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.workers)
        async with self._slots:
            pool = await self._pool()
            try:
                return await asyncio.get_running_loop().run_in_executor(pool, draw)
            except BrokenProcessPool:
                # A worker died (killed, out of memory): the next chart gets a new pool.
                if self._executor is pool:
                    self._executor = None
                    pool.shutdown(wait=False, cancel_futures=True)
                raise

    async def _pool(self) -> ProcessPoolExecutor:
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            if self._executor is None:
                # Starting the fork server imports matplotlib (about a second): not on the loop.
                self._executor = await asyncio.to_thread(self._start)
        return self._executor

    def _start(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["bot.charts", "bot.report_chart"])
        executor = ProcessPoolExecutor(self.workers, mp_context=context)
        # Each submit may start a worker; start them all now, off the loop.
        for ready in [executor.submit(os.getpid) for _ in range(self.workers)]:
            ready.result()
        return executor

    def shutdown(self) -> None:
        """Stop the workers; a chart still being drawn is finished first."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
