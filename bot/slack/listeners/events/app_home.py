"""Opening Tradeoff's Home tab draws it afresh for that person."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.context import SlackContext
from bot.slack.home_publisher import publish_home


def register(app: AsyncApp, runtime: SlackContext) -> None:
    @app.event("app_home_opened")
    async def draw_home(
        event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        if event.get("tab", "home") != "home" or not context.team_id:
            return
        # Answered at once; drawing takes a few calls to Slack.
        runtime.spawn(publish_home(
            runtime.store, client, team_id=context.team_id, user_id=str(event["user"])
        ))
