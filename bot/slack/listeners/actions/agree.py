"""The "Agree to this pick" button on a digest: the lead's and the PM's sign-off."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.decisions import Role
from bot.services.agree import AgreeOutcome, AgreeResult, agree_to_pick
from bot.services.decision_why import remember_post
from bot.slack.blocks.people import holders
from bot.slack.blocks.sign_off import AGREE_ACTION, decision_thread_message
from bot.slack.command_text import whole_number
from bot.slack.context import SlackContext
from bot.slack.errors import CALL_FAILED, call_failure
from bot.slack.listeners.guard import STORE_DOWN_NOTHING_SAVED
from bot.slack.responses import send_response
from bot.store.errors import StoreUnavailable

logger = logging.getLogger(__name__)


def register(app: AsyncApp, runtime: SlackContext) -> None:
    @app.action(AGREE_ACTION)
    async def handle_agree(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        run_id = whole_number(str(body["actions"][0].get("value") or ""), 1, 2**62)
        if run_id is None:
            return
        user_id = body["user"]["id"]
        try:
            result = await agree_to_pick(
                runtime.store,
                team_id=body["team"]["id"],
                channel_id=body["channel"]["id"],
                run_id=run_id,
                user_id=user_id,
            )
        except StoreUnavailable:
            await _tell(body, STORE_DOWN_NOTHING_SAVED)
            return
        runtime.spawn(_after_agreeing(runtime, body, client, run_id, result, user_id))


async def _after_agreeing(
    runtime: SlackContext, body: dict[str, Any], client: AsyncWebClient, run_id: int,
    result: AgreeResult, user_id: str,
) -> None:
    """Once Slack has its answer: post the decision, redraw the parent, tell the presser."""
    if result.outcome is AgreeOutcome.DECIDED and result.decision is not None:
        parent_ts = body.get("container", {}).get("message_ts") or body["message"]["ts"]
        try:
            posted = await client.chat_postMessage(
                channel=body["channel"]["id"], thread_ts=parent_ts,
                **decision_thread_message(result.decision),
            )
            await remember_post(
                runtime.store, decision_id=result.decision.id, ts=str(posted["ts"])
            )
        except CALL_FAILED as exc:
            logger.warning("decision post failed: %s", call_failure(exc))
        except StoreUnavailable:
            logger.warning("decision post kept no ts: the database is unavailable")
    if result.outcome in (AgreeOutcome.WAITING, AgreeOutcome.DECIDED):
        runtime.refresher.touch(run_id, client)
    if result.outcome is AgreeOutcome.DECIDED:
        runtime.refresh_canvas_later(body["team"]["id"], body["channel"]["id"], client)
    message = _explain(result, user_id)
    if message:
        await _tell(body, message)


def _explain(result: AgreeResult, user_id: str) -> str | None:
    if result.outcome is AgreeOutcome.NOT_ALLOWED:
        # Ephemeral text: mentions here notify nobody.
        who = (
            f"Here that is {holders(result.roles, Role.LEAD)} (tech lead) and "
            f"{holders(result.roles, Role.PM)} (product manager)."
        )
        return (
            "Only the channel's tech lead and product manager sign off the pick; your :+1: on "
            f"the items in the thread is how you weigh in. {who} Roles are set with "
            "`/tradeoff role @someone lead` or `pm`."
        )
    if result.outcome is AgreeOutcome.WAITING and result.role is not None:
        other = Role.PM if result.role is Role.LEAD else Role.LEAD
        return (
            f"You agreed as {result.role.label}. The decision is recorded once a {other.label} "
            "agrees to the same pick."
        )
    if result.outcome is AgreeOutcome.DECIDED:
        return "Decision recorded; it is in the digest's thread and in `/tradeoff history`."
    if result.outcome is AgreeOutcome.ALREADY_DECIDED:
        return "This digest's pick was already decided; see the thread or `/tradeoff history`."
    if result.outcome is AgreeOutcome.NOTHING_TO_DECIDE:
        return "Nothing fits the capacity, so there is no pick to agree to."
    if result.outcome is AgreeOutcome.UNKNOWN_DIGEST:
        return "This digest is not known here any more."
    return None


async def _tell(body: dict[str, Any], text: str) -> None:
    url = body.get("response_url")
    if url:
        await send_response(
            str(url), {"response_type": "ephemeral", "replace_original": False, "text": text}
        )
