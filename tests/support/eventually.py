"""Waiting for work the bot does after it has answered Slack (Bolt acks first)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from tests.fakes.slack_api import FakeSlack


async def eventually(check: Callable[[], Awaitable[None]], within: float = 10.0) -> None:
    """Run `check` until it stops raising AssertionError; re-raise its last failure on timeout.

    Never a fixed sleep: under load (CI runs two suites back to back) a listener may take
    longer than any guess, and a passing check returns at once.
    """
    deadline = asyncio.get_running_loop().time() + within
    while True:
        try:
            await check()
            return
        except AssertionError:
            if asyncio.get_running_loop().time() > deadline:
                raise
        await asyncio.sleep(0.02)


async def quiet(
    fake: FakeSlack, method: str, *, still_for: float = 0.25, within: float = 10.0
) -> None:
    """Wait until no new call to `method` has arrived for `still_for` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    seen, since = len(fake.calls_to(method)), loop.time()
    while loop.time() - since < still_for and loop.time() < deadline:
        await asyncio.sleep(0.02)
        now_seen = len(fake.calls_to(method))
        if now_seen != seen:
            seen, since = now_seen, loop.time()
