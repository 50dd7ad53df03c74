"""Work a process runs in the background: kept referenced while it runs, cancelled on stop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from bot.store.errors import StoreUnavailable

logger = logging.getLogger(__name__)


class BackgroundTasks:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` as a task; the reference kept here stops it being garbage-collected."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()


async def repeat_forever(
    name: str, job: str, run: Callable[[], Awaitable[None]], every_s: float
) -> None:
    """Run `run` now and every `every_s` seconds for the life of the process.

    One bad run (the database away, a bug, a row we did not expect) must not end the loop: a
    database that does not answer skips the run with a warning, anything else is logged with
    its traceback, and the next run starts afresh.
    """
    while True:
        try:
            await run()
        except StoreUnavailable as exc:
            logger.warning("%s skipped: %s", name, exc)
        except Exception:
            logger.exception("%s failed; next run in %ss", name, every_s, extra={"job": job})
        await asyncio.sleep(every_s)
