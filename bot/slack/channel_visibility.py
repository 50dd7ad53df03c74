"""Which channels a person may see, asked of Slack: public channels are visible to every member
of the workspace, private ones only to their members (users.conversations)."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

logger = logging.getLogger(__name__)


class SlackChannelVisibility:
    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client
        self.names: dict[str, str] = {}  # the channels' names, as conversations.info gave them

    async def visible_to(self, user_id: str, channel_ids: list[str]) -> list[str]:
        member_of = await self._private_member_of(user_id)
        visible = []
        for channel_id in channel_ids:
            try:
                info = await self._client.conversations_info(channel=channel_id)
            except SlackApiError as exc:
                # Deleted, or the bot cannot see it either: leave it out rather than guess.
                logger.info("report leaves out %s: %s", channel_id, exc.response.get("error"))
                continue
            channel = info.get("channel") or {}
            if channel.get("name"):
                self.names[channel_id] = str(channel["name"])
            if not channel.get("is_private") or channel_id in member_of:
                visible.append(channel_id)
        return visible

    async def _private_member_of(self, user_id: str) -> set[str]:
        found: set[str] = set()
        cursor = ""
        while True:
            page = await self._client.users_conversations(
                user=user_id, types="private_channel", exclude_archived=False, limit=200,
                cursor=cursor or None,
            )
            found.update(str(c["id"]) for c in page.get("channels") or [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or ""
            if not cursor:
                return found
