"""A digest whose replies take minutes on a fake clock: for tests of the poster's lease."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.slack.digest_publisher import SlackDigestPublisher

Clock = dict[str, datetime]


class SlowReplies:
    """Posts through `real`, but each reply 'takes' `each` on `clock`, as when Slack keeps
    answering 429. `before_reply` sees each item just before its reply goes out."""

    def __init__(
        self,
        real: SlackDigestPublisher,
        clock: Clock,
        before_reply: Callable[[Any], Awaitable[None]] | None = None,
        each: timedelta = timedelta(minutes=2),
    ) -> None:
        self._real, self._clock, self._before_reply, self._each = real, clock, before_reply, each

    async def post_parent(self, channel_id: str, digest: Any) -> str:
        return await self._real.post_parent(channel_id, digest)

    async def post_trends(self, channel_id: str, thread_ts: str, trends: Any) -> None:
        await self._real.post_trends(channel_id, thread_ts, trends)

    async def post_reply(
        self, channel_id: str, thread_ts: str, ranked: Any, digest: Any, key: Any
    ) -> str:
        self._clock["now"] += self._each
        if self._before_reply is not None:
            await self._before_reply(ranked)
        return await self._real.post_reply(channel_id, thread_ts, ranked, digest, key)

    async def posted_replies(self, channel_id: str, thread_ts: str, run_id: int) -> dict[int, str]:
        return await self._real.posted_replies(channel_id, thread_ts, run_id)

    async def posted_parent(self, channel_id: str, run_id: int, since: Any) -> str | None:
        return await self._real.posted_parent(channel_id, run_id, since)


def digest_time_follows(patch: pytest.MonkeyPatch, clock: Clock) -> None:
    """Posting a digest and renewing its lease read the time from `clock`."""

    class FakeDatetime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> FakeDatetime:  # type: ignore[override]
            return clock["now"]  # type: ignore[return-value]

    patch.setattr("bot.services.post_digest.datetime", FakeDatetime)
    patch.setattr("bot.services.digest_lease.datetime", FakeDatetime)
