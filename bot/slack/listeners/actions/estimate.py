"""The "Estimate" button on an item's digest reply opens the estimate modal."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.items import ItemRef
from bot.slack.blocks.estimate_modal import ESTIMATE_ACTION, estimate_modal
from bot.slack.context import SlackContext
from bot.slack.errors import slack_error_code

logger = logging.getLogger(__name__)


def register(app: AsyncApp, runtime: SlackContext) -> None:
    @app.action(ESTIMATE_ACTION)
    async def open_estimate(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        ref = ItemRef.parse(str(body["actions"][0].get("value") or ""))
        if ref is None:
            return
        async with runtime.store.unit_of_work() as uow:
            item = await uow.items.get(body["team"]["id"], ref)
        if item is None:
            await respond(response_type="ephemeral", replace_original=False,
                          text=f"{ref} no longer exists.")
            return
        try:
            await client.views_open(trigger_id=body["trigger_id"], view=estimate_modal(item))
        except SlackApiError as exc:
            logger.warning("estimate modal failed: %s", slack_error_code(exc))
