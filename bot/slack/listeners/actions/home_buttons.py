"""The App Home's "Log tech debt", "Log a bug" and "Log a feature request" buttons open the
usual form, with a channel picker since Home belongs to no channel."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.items import Kind
from bot.slack.blocks.home import LOG_BUG_ACTION, LOG_DEBT_ACTION, LOG_FEATURE_ACTION
from bot.slack.blocks.item_modal import ModalContext, item_modal
from bot.slack.context import SlackContext
from bot.slack.errors import slack_error_code

logger = logging.getLogger(__name__)


def register(app: AsyncApp, _runtime: SlackContext) -> None:
    buttons = {LOG_DEBT_ACTION: Kind.DEBT, LOG_BUG_ACTION: Kind.BUG,
               LOG_FEATURE_ACTION: Kind.FEATURE}
    for action_id, kind in buttons.items():
        app.action(action_id)(_opener(kind))


def _opener(kind: Kind) -> Any:
    async def open_log_form(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        context = ModalContext(kind, channel_id="", home=True)
        try:
            await client.views_open(trigger_id=body["trigger_id"], view=item_modal(context))
        except SlackApiError as exc:
            logger.warning("views.open from Home failed: %s", slack_error_code(exc))

    open_log_form.__name__ = f"open_{kind.value}_form_from_home"
    return open_log_form
