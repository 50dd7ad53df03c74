"""The "Add the why" button under a decision post opens the rationale form for leads and PMs."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.decisions import Role
from bot.services.decision_why import WhyOutcome, may_write_why
from bot.slack.blocks.decision_record import ADD_WHY_ACTION
from bot.slack.blocks.people import holders
from bot.slack.blocks.why_modal import why_modal
from bot.slack.command_text import whole_number
from bot.slack.context import SlackContext
from bot.slack.errors import slack_error_code
from bot.slack.listeners.guard import STORE_DOWN_NOTHING_SAVED
from bot.store.errors import StoreUnavailable

logger = logging.getLogger(__name__)


def register(app: AsyncApp, runtime: SlackContext) -> None:
    @app.action(ADD_WHY_ACTION)
    async def open_why(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        decision_id = whole_number(str(body["actions"][0].get("value") or ""), 1, 2**62)
        if decision_id is None:
            return
        try:
            allowed = await may_write_why(
                runtime.store, team_id=body["team"]["id"], decision_id=decision_id,
                user_id=body["user"]["id"],
            )
        except StoreUnavailable:
            await respond(response_type="ephemeral", replace_original=False,
                          text=STORE_DOWN_NOTHING_SAVED)
            return
        if allowed.outcome is WhyOutcome.UNKNOWN or allowed.decision is None:
            await respond(response_type="ephemeral", replace_original=False,
                          text="This decision is not known here any more.")
            return
        if allowed.outcome is WhyOutcome.NOT_ALLOWED:
            # Ephemeral text: mentions here notify nobody.
            await respond(response_type="ephemeral", replace_original=False, text=(
                "Only the channel's tech leads and product managers write the why of a "
                f"decision. Here that is {holders(allowed.roles, Role.LEAD)} (tech lead) and "
                f"{holders(allowed.roles, Role.PM)} (product manager)."
            ))
            return
        try:
            await client.views_open(trigger_id=body["trigger_id"], view=why_modal(allowed.decision))
        except SlackApiError as exc:
            logger.warning("why modal failed: %s", slack_error_code(exc))
