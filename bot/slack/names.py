"""Display names for the parent message, where a mention would ping people on every update."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable

from cachetools import TTLCache
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.errors import CALL_FAILED

NAME_TTL_S = 3600.0
# Far more people than vote in an hour on any one bot; the least recently used go first.
NAME_CACHE_SIZE = 10_000


class NameResolver:
    """users.info, cached per user for an hour; a user Slack won't describe stays unnamed."""

    def __init__(
        self,
        ttl: float = NAME_TTL_S,
        clock: Callable[[], float] = time.monotonic,
        *,
        max_size: int = NAME_CACHE_SIZE,
    ) -> None:
        self._cache: TTLCache[str, str] = TTLCache(maxsize=max_size, ttl=ttl, timer=clock)

    @property
    def cached(self) -> int:
        """How many names are held now (never more than max_size)."""
        return len(self._cache)

    async def names(self, client: AsyncWebClient, user_ids: Iterable[str]) -> dict[str, str]:
        wanted = set(user_ids)
        missing = [u for u in wanted if u not in self._cache]
        await asyncio.gather(*(self._fetch(client, user) for user in missing))
        found = {u: self._cache.get(u) for u in wanted}
        return {u: name for u, name in found.items() if name is not None}

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
            self._cache[user_id] = str(name)
