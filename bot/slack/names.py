"""Display names for the parent message, where a mention would ping people on every update."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.errors import CALL_FAILED

NAME_TTL_S = 3600.0


class NameResolver:
    """users.info, cached per user for an hour; a user Slack won't describe stays unnamed."""

    def __init__(self, ttl: float = NAME_TTL_S, clock: Callable[[], float] = time.monotonic):
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[float, str]] = {}

    async def names(self, client: AsyncWebClient, user_ids: Iterable[str]) -> dict[str, str]:
        wanted = set(user_ids)
        now = self._clock()
        missing = [u for u in wanted if u not in self._cache or self._cache[u][0] < now]
        await asyncio.gather(*(self._fetch(client, user) for user in missing))
        return {u: self._cache[u][1] for u in wanted if u in self._cache}

    async def _fetch(self, client: AsyncWebClient, user_id: str) -> None:
        try:
            response = await client.users_info(user=user_id)
        except CALL_FAILED:
            # A slow or failing users.info must not hold up the digest that wants the name.
            return
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        name = profile.get("display_name") or user.get("real_name") or user.get("name")
        if name:
            self._cache[user_id] = (self._clock() + self._ttl, str(name))
