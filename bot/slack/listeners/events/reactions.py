"""`reaction_added` / `reaction_removed`: 👍 on a digest reply is a vote for its item."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.cast_vote import ReactionEvent, VoteOutcome, VoteResult, record_reaction
from bot.slack.context import SlackContext
from bot.store.errors import StoreUnavailable

logger = logging.getLogger(__name__)

# Slack hears back only once the vote is stored, within its 3 seconds: one quick second try
# rides out a dropped connection; a longer outage answers 500, and Slack sends the event
# again (after about a minute, then five), when the event id makes sure it counts once.
STORE_RETRY_DELAYS_S: tuple[float, ...] = (0.3,)


def register(app: AsyncApp, runtime: SlackContext) -> None:
    async def handle(
        body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient,
        context: AsyncBoltContext, added: bool,
    ) -> None:
        item = event.get("item") or {}
        if item.get("type") != "message" or event.get("user") == context.bot_user_id:
            return
        reaction = ReactionEvent(
            event_id=str(body.get("event_id") or ""),
            team_id=str(body.get("team_id") or context.team_id or ""),
            channel_id=str(item.get("channel") or ""),
            message_ts=str(item.get("ts") or ""),
            user_id=str(event.get("user") or ""),
            reaction=str(event.get("reaction") or ""),
            added=added,
            event_ts=str(event.get("event_ts") or ""),
        )
        result = await _record_with_retries(runtime, reaction)
        if result.run_id is not None and result.outcome in (
            VoteOutcome.APPLIED, VoteOutcome.ITEM_CLOSED,
        ):
            runtime.refresher.touch(result.run_id, client)

    @app.event("reaction_added")
    async def on_reaction_added(
        body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        await handle(body, event, client, context, added=True)

    @app.event("reaction_removed")
    async def on_reaction_removed(
        body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        await handle(body, event, client, context, added=False)


async def _record_with_retries(runtime: SlackContext, reaction: ReactionEvent) -> VoteResult:
    """The stored vote; StoreUnavailable (Slack is answered 500) when the database stays away."""
    for delay in STORE_RETRY_DELAYS_S:
        try:
            return await record_reaction(runtime.store, reaction)
        except StoreUnavailable as exc:
            logger.warning("vote %s waits for the database: %s", reaction.event_id, exc)
            await asyncio.sleep(delay)
    return await record_reaction(runtime.store, reaction)
