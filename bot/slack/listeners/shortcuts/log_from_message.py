"""Message shortcuts "Log as tech debt", "Log as bug" and "Log as feature request": the usual
form, filled
in from the message, with a permalink back to where the problem surfaced."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.items import TITLE_MAX, Kind
from bot.slack.blocks.item_modal import ModalContext, Prefill, item_modal
from bot.slack.context import SlackContext
from bot.slack.errors import slack_error_code
from bot.slack.text import unescape

logger = logging.getLogger(__name__)

LOG_DEBT_SHORTCUT = "log_message_as_debt"
LOG_BUG_SHORTCUT = "log_message_as_bug"
LOG_FEATURE_SHORTCUT = "log_message_as_feature"
SHORTCUTS = {
    LOG_DEBT_SHORTCUT: Kind.DEBT, LOG_BUG_SHORTCUT: Kind.BUG, LOG_FEATURE_SHORTCUT: Kind.FEATURE,
}


def register(app: AsyncApp, _runtime: SlackContext) -> None:
    for callback_id, kind in SHORTCUTS.items():
        app.shortcut(callback_id)(_opener(kind))


def prefill_from(message: dict[str, Any], permalink: str) -> Prefill:
    """The message's first line as the title, the whole message as the impact; as typed (the
    form shows text, and the stored item is escaped wherever it is shown, so no mention in
    it ever pings)."""
    text = unescape(str(message.get("text") or "")).strip()
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    title = first_line if len(first_line) <= TITLE_MAX else first_line[: TITLE_MAX - 1] + "…"
    return Prefill(title=title, impact=text, link=permalink)


def _opener(kind: Kind) -> Any:
    async def open_form_from_message(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        channel_id = str((body.get("channel") or {}).get("id") or "")
        message = body.get("message") or {}
        permalink = await _permalink(client, body, channel_id, str(message.get("ts") or ""))
        context = ModalContext(kind, channel_id)
        view = item_modal(context, prefill=prefill_from(message, permalink))
        try:
            await client.views_open(trigger_id=body["trigger_id"], view=view)
        except SlackApiError as exc:
            logger.warning("shortcut form failed: %s", slack_error_code(exc))

    open_form_from_message.__name__ = f"log_message_as_{kind.value}"
    return open_form_from_message


async def _permalink(
    client: AsyncWebClient, body: dict[str, Any], channel_id: str, ts: str
) -> str:
    """Slack's permalink; if Slack will not give one, the workspace's archive link."""
    try:
        answer = await client.chat_getPermalink(channel=channel_id, message_ts=ts)
        return str(answer.get("permalink") or "")
    except SlackApiError as exc:
        logger.info("chat.getPermalink failed (%s); building the link", slack_error_code(exc))
    domain = (body.get("team") or {}).get("domain")
    if not domain or not ts:
        return ""
    return f"https://{domain}.slack.com/archives/{channel_id}/p{ts.replace('.', '')}"
