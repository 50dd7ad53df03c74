"""SlackDirectory for write-backs: display names (never mentions) and thread permalinks."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.slack.installations import WorkspaceClients
from bot.slack.names import NameResolver

logger = logging.getLogger(__name__)


class SlackDirectoryClient:
    def __init__(self, clients: WorkspaceClients, names: NameResolver) -> None:
        self._clients = clients
        self._names = names

    async def display_name(self, team_id: str, user_id: str) -> str:
        client = await self._clients.for_team(team_id)
        if client is None:
            return user_id
        return (await self._names.names(client, [user_id])).get(user_id, user_id)

    async def thread_url(self, team_id: str, channel_id: str, ts: str) -> str:
        client = await self._clients.for_team(team_id)
        if client is not None:
            try:
                answer = await client.chat_getPermalink(channel=channel_id, message_ts=ts)
                if isinstance(answer.get("permalink"), str):
                    return str(answer["permalink"])
            except (SlackApiError, OSError, TimeoutError) as exc:
                logger.info("permalink unavailable (%s); using the archive link", exc)
        # Slack redirects archive links to the workspace of whoever opens them.
        return f"https://slack.com/archives/{channel_id}/p{ts.replace('.', '')}"
