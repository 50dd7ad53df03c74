"""Who is in a channel or a user group, asked of Slack and kept briefly.

A vote waits on this inside Slack's 3 seconds, so a list is reused for a minute, and a lookup
that fails or is slow lets the vote count rather than lose it.
"""

from __future__ import annotations

import asyncio
import logging
import time

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.voters import VoterKind, VoterRule
from bot.slack.errors import CALL_FAILED, call_failure

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60.0
LOOKUP_TIMEOUT_S = 1.5
PAGE = 200
MAX_NOTED = 50_000


class VoterDirectory:
    def __init__(self) -> None:
        self._cache: dict[tuple[str, str, str], tuple[float, frozenset[str]]] = {}
        self._noted: set[tuple[int, str]] = set()

    def first_note(self, run_id: int, user_id: str) -> bool:
        """True the first time a person's vote on this digest is refused here."""
        key = (run_id, user_id)
        if key in self._noted:
            return False
        if len(self._noted) >= MAX_NOTED:
            self._noted.clear()  # a repeated note now and then beats memory growing forever
        self._noted.add(key)
        return True

    async def may_vote(
        self, client: AsyncWebClient, team_id: str, channel_id: str, rule: VoterRule,
        user_id: str,
    ) -> bool:
        """Whether the rule lets the user vote; True when Slack cannot tell us in time."""
        if rule.kind is VoterKind.EVERYONE:
            return True
        key = (team_id, rule.kind.value, rule.group_id or channel_id)
        cached = self._cache.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return user_id in cached[1]
        try:
            async with asyncio.timeout(LOOKUP_TIMEOUT_S):
                people = await (
                    self._members(client, channel_id) if rule.kind is VoterKind.MEMBERS
                    else self._group(client, rule.group_id or "")
                )
        except CALL_FAILED as exc:  # TimeoutError is an OSError, so it is in CALL_FAILED
            logger.warning("voters of %s not known (%s); the vote counts", channel_id,
                           call_failure(exc))
            return True
        self._cache[key] = (time.monotonic() + CACHE_SECONDS, people)
        return user_id in people

    async def _members(self, client: AsyncWebClient, channel_id: str) -> frozenset[str]:
        people: set[str] = set()
        cursor = ""
        while True:
            page = await client.conversations_members(
                channel=channel_id, limit=PAGE, cursor=cursor or None
            )
            people.update(page.get("members") or [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or ""
            if not cursor:
                return frozenset(people)

    async def _group(self, client: AsyncWebClient, group_id: str) -> frozenset[str]:
        answer = await client.usergroups_users_list(usergroup=group_id)
        return frozenset(answer.get("users") or [])
