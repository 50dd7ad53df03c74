"""The channel canvas on Slack: conversations.canvases.create once, canvases.edit after."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.channel_canvas import CanvasContent, CanvasRefused
from bot.slack.canvas_markdown import canvas_markdown
from bot.slack.errors import CALL_FAILED, call_failure, slack_error_code

logger = logging.getLogger(__name__)

# Answers that mean the canvas cannot be had here at all, as opposed to a passing failure.
REFUSALS = {
    "team_tier_cannot_create_channel_canvases": "this workspace's Slack plan has no channel "
    "canvases",
    "missing_scope": "the app lacks the `canvases:write` scope; reinstall it with the current "
    "manifest",
    "not_in_channel": "I am not in this channel; `/invite @Tradeoff` first",
    "channel_canvas_already_exists": "this channel already has a canvas of its own",
    "restricted_action": "this workspace does not let apps edit canvases",
}


class SlackCanvasWriter:
    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def write(self, channel_id: str, canvas_id: str | None, content: CanvasContent) -> str:
        document = {
            "type": "markdown",
            "markdown": canvas_markdown(content.debt, content.features, content.decisions),
        }
        try:
            if canvas_id is None:
                made = await self._client.conversations_canvases_create(
                    channel_id=channel_id, document_content=document
                )
                return str(made["canvas_id"])
            await self._client.canvases_edit(
                canvas_id=canvas_id,
                changes=[{"operation": "replace", "document_content": document}],
            )
            return canvas_id
        except SlackApiError as exc:
            code = slack_error_code(exc)
            raise CanvasRefused(REFUSALS.get(code, f"Slack answered `{code}`")) from exc
        except CALL_FAILED as exc:
            raise CanvasRefused(f"Slack could not be reached ({call_failure(exc)})") from exc
