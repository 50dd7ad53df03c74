"""`reaction_added` / `reaction_removed`: 👍 on a digest reply is a vote for its item."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.cast_vote import ReactionEvent, VoteOutcome, VoteResult, record_reaction
from bot.store.errors import StoreUnavailable

if TYPE_CHECKING:
    from bot.runtime import Runtime

logger = logging.getLogger(__name__)

# Slack was told "received" before the vote is stored, so a database hiccup is ridden out
# here rather than by Slack's retries: about half a minute in all.
STORE_RETRY_DELAYS_S = (0.5, 1.5, 4.0, 8.0, 15.0)


def register(app: AsyncApp, runtime: Runtime) -> None:
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
        if result is not None and result.run_id is not None and result.outcome in (
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


async def _record_with_retries(runtime: Runtime, reaction: ReactionEvent) -> VoteResult | None:
    for delay in (*STORE_RETRY_DELAYS_S, None):
        try:
            return await record_reaction(runtime.store, reaction)
        except StoreUnavailable as exc:
            if delay is None:
                logger.error("vote %s lost: database unavailable (%s)", reaction.event_id, exc)
                return None
            logger.warning("vote %s waits for the database: %s", reaction.event_id, exc)
            await asyncio.sleep(delay)
    return None
