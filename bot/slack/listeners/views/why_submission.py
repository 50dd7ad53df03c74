"""Saving the why: an empty or over-long text stays in the form with a friendly word; a saved
one redraws the decision's thread post."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.decisions import RATIONALE_MAX_CHARS, Decision
from bot.services.decision_why import WhyOutcome, write_why
from bot.slack.blocks.sign_off import decision_thread_message
from bot.slack.blocks.why_modal import WHY_BLOCK, WHY_CALLBACK_ID, submitted_why
from bot.slack.context import SlackContext
from bot.slack.errors import CALL_FAILED, call_failure
from bot.slack.listeners.guard import STORE_DOWN_NOTHING_SAVED
from bot.store.errors import StoreUnavailable

logger = logging.getLogger(__name__)

_REFUSALS = {
    WhyOutcome.EMPTY: "Write a sentence or two on why this pick was made.",
    WhyOutcome.NOT_ALLOWED: "Only the channel's tech leads and product managers write the why "
    "(see /tradeoff roles there).",
    WhyOutcome.UNKNOWN: "This decision is not known here any more.",
}


def register(app: AsyncApp, runtime: SlackContext) -> None:
    @app.view(WHY_CALLBACK_ID)
    async def save_why(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        decision_id, text = submitted_why(view)
        if decision_id is None:
            await ack(response_action="errors", errors={WHY_BLOCK: _REFUSALS[WhyOutcome.UNKNOWN]})
            return
        try:
            result = await write_why(
                runtime.store, team_id=body["team"]["id"], decision_id=decision_id,
                user_id=body["user"]["id"], text=text,
            )
        except StoreUnavailable:
            await ack(response_action="errors", errors={WHY_BLOCK: STORE_DOWN_NOTHING_SAVED})
            return
        if result.outcome is WhyOutcome.TOO_LONG:
            over = len(text.strip()) - RATIONALE_MAX_CHARS
            await ack(response_action="errors", errors={WHY_BLOCK: (
                f"That is {over:,} characters over the {RATIONALE_MAX_CHARS:,} a why may hold; "
                "please shorten it."
            )})
            return
        if result.outcome is not WhyOutcome.SAVED or result.decision is None:
            await ack(response_action="errors", errors={WHY_BLOCK: _REFUSALS[result.outcome]})
            return
        await ack()
        runtime.spawn(_redraw_post(client, result.decision))
        runtime.refresh_canvas_later(body["team"]["id"], result.decision.channel_id, client)


async def _redraw_post(client: AsyncWebClient, decision: Decision) -> None:
    if decision.post_ts is None:
        return  # the post failed when the decision was made; history and show still have it
    try:
        await client.chat_update(
            channel=decision.channel_id, ts=decision.post_ts, **decision_thread_message(decision)
        )
    except CALL_FAILED as exc:
        logger.warning("decision post not redrawn: %s", call_failure(exc))
