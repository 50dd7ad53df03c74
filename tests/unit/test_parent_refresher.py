"""Redrawing a digest's parent: bursts coalesce into at most one chat.update per interval, and
the last redraw always shows the last state."""

from __future__ import annotations

import asyncio

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.names import NameResolver
from bot.slack.parent_refresher import ParentRefresher
from bot.store.unit_of_work import Store


class RecordingRefresher(ParentRefresher):
    """The real coalescing logic with the Slack/database redraw replaced by a recording."""

    def __init__(self, state: list[int], clock: list[float]) -> None:
        self.redraws: list[tuple[float, int]] = []
        self.sleeps: list[float] = []
        self._state = state
        self._now = clock
        self.time_passes = asyncio.Event()
        self.time_passes.set()

        async def fake_sleep(seconds: float) -> None:
            # Time only moves on when the test lets it, so "a burst" really is one instant.
            self.sleeps.append(seconds)
            await self.time_passes.wait()
            clock[0] += seconds

        super().__init__(
            Store("sqlite://"), NameResolver(), 2.0, clock=lambda: clock[0], sleep=fake_sleep
        )

    async def _redraw(self, run_id: int, client: AsyncWebClient) -> None:
        self.redraws.append((self._now[0], self._state[0]))
        await asyncio.sleep(0)


async def test_a_burst_of_votes_gives_two_redraws_the_last_with_the_final_state() -> None:
    state, clock = [0], [100.0]
    refresher = RecordingRefresher(state, clock)
    refresher.time_passes.clear()
    client = AsyncWebClient()

    for vote in range(1, 21):  # twenty votes arrive within the same instant
        state[0] = vote
        refresher.touch(7, client)
        for _ in range(3):
            await asyncio.sleep(0)
    refresher.time_passes.set()
    await refresher.idle()

    # The first vote is shown at once; the other nineteen together, two seconds later.
    assert refresher.redraws == [(100.0, 1), (102.0, 20)]
    assert refresher.sleeps == [2.0]


async def test_redraws_of_different_digests_do_not_wait_for_each_other() -> None:
    state, clock = [1], [100.0]
    refresher = RecordingRefresher(state, clock)
    client = AsyncWebClient()

    refresher.touch(1, client)
    refresher.touch(2, client)
    await refresher.idle()

    assert [t for t, _ in refresher.redraws] == [100.0, 100.0]
    assert refresher.sleeps == []


async def test_a_quiet_digest_is_redrawn_at_once_after_the_interval() -> None:
    state, clock = [1], [100.0]
    refresher = RecordingRefresher(state, clock)
    client = AsyncWebClient()
    refresher.touch(1, client)
    await refresher.idle()

    clock[0] += 60  # a vote a minute later waits for nothing
    state[0] = 2
    refresher.touch(1, client)
    await refresher.idle()

    assert refresher.redraws == [(100.0, 1), (160.0, 2)]
    assert refresher.sleeps == []
