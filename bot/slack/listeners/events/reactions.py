"""`reaction_added` / `reaction_removed`: 👍 on a digest reply is a vote for its item."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.votes import is_vote
from bot.services.cast_vote import ReactionEvent, VoteOutcome, VoteResult, record_reaction
from bot.services.channel_settings import get_settings
from bot.slack.context import SlackContext
from bot.slack.errors import CALL_FAILED
from bot.slack.text import escape
from bot.store.errors import StoreUnavailable

logger = logging.getLogger(__name__)

# Slack hears back only once the vote is stored, within its 3 seconds: one quick second try
# rides out a dropped connection; a longer outage answers 500, and Slack sends the event
# again (after about a minute, then five), when the event id makes sure it counts once.
STORE_RETRY_DELAYS_S: tuple[float, ...] = (0.3,)
_NOTE_FAILED: tuple[type[Exception], ...] = (StoreUnavailable, *CALL_FAILED)


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
        eligible = await _may_vote(runtime, client, reaction)
        result = await _record_with_retries(runtime, reaction, eligible)
        if result.outcome is VoteOutcome.NOT_ELIGIBLE and result.run_id is not None:
            runtime.spawn(_note_not_counted(runtime, client, reaction, result.run_id))
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


async def _record_with_retries(
    runtime: SlackContext, reaction: ReactionEvent, eligible: bool
) -> VoteResult:
    """The stored vote; StoreUnavailable (Slack is answered 500) when the database stays away."""
    for delay in STORE_RETRY_DELAYS_S:
        try:
            return await record_reaction(runtime.store, reaction, eligible=eligible)
        except StoreUnavailable as exc:
            logger.warning("vote %s waits for the database: %s", reaction.event_id, exc)
            await asyncio.sleep(delay)
    return await record_reaction(runtime.store, reaction, eligible=eligible)


async def _may_vote(runtime: SlackContext, client: AsyncWebClient, reaction: ReactionEvent) -> bool:
    """Only a 👍 being added is checked: taking one away always goes through."""
    if not reaction.added or not is_vote(reaction.reaction):
        return True
    try:
        rule = (await get_settings(
            runtime.store, team_id=reaction.team_id, channel_id=reaction.channel_id
        )).voters
    except StoreUnavailable:
        return True  # the vote itself then waits for the database and is answered 500
    return await runtime.voters.may_vote(
        client, reaction.team_id, reaction.channel_id, rule, reaction.user_id
    )


async def _note_not_counted(
    runtime: SlackContext, client: AsyncWebClient, reaction: ReactionEvent, run_id: int
) -> None:
    """One ephemeral note per person and digest (in this process) on why the vote is not
    counted; a second 👍 gets none."""
    if not runtime.voters.first_note(run_id, reaction.user_id):
        return
    try:
        rule = (await get_settings(
            runtime.store, team_id=reaction.team_id, channel_id=reaction.channel_id
        )).voters
        await client.chat_postEphemeral(
            channel=reaction.channel_id, user=reaction.user_id,
            text=f"Your :+1: is not counted: in this channel only {escape(rule.describe())} "
            "vote (`/tradeoff settings` shows who).",
        )
    except _NOTE_FAILED as exc:
        logger.warning("not-counted note not sent: %s", type(exc).__name__)
