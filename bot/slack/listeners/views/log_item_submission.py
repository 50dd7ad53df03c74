"""Saving the "log tech debt / bug / feature request" modal, with field errors shown in the
modal."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.domain.items import Item, ItemValidationError
from bot.services.log_item import log_item
from bot.slack.blocks.item_modal import (
    CALLBACK_ID,
    CHANNEL_BLOCK,
    ModalContext,
    submitted_draft,
    submitted_values,
)
from bot.slack.blocks.replies import item_logged_reply
from bot.slack.context import SlackContext
from bot.slack.home_publisher import publish_home
from bot.slack.listeners.guard import STORE_DOWN_NOTHING_SAVED
from bot.store.errors import StoreUnavailable

logger = logging.getLogger(__name__)


def register(app: AsyncApp, runtime: SlackContext) -> None:
    store = runtime.store

    @app.view(CALLBACK_ID)
    async def handle_log_item_submission(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        context = ModalContext.from_metadata(view["private_metadata"])
        values = submitted_values(view)
        channel_id = context.channel_id or values[CHANNEL_BLOCK]
        if not channel_id:
            await ack(response_action="errors",
                      errors={CHANNEL_BLOCK: "Pick the channel whose backlog this belongs to."})
            return
        try:
            draft = submitted_draft(context.kind, values)
        except ItemValidationError as exc:
            await ack(response_action="errors", errors=exc.errors)
            return
        user_id = body["user"]["id"]
        try:
            item = await log_item(
                store,
                team_id=_team_id(body),
                channel_id=channel_id,
                author_id=user_id,
                draft=draft,
            )
        except StoreUnavailable:
            # Keeping the modal open with an error keeps everything the user typed.
            await ack(response_action="errors", errors={"title": STORE_DOWN_NOTHING_SAVED})
            return
        await ack()
        runtime.spawn(_after_saving(runtime, client, context, user_id, item, _team_id(body)))


async def _after_saving(
    runtime: SlackContext, client: AsyncWebClient, context: ModalContext, user_id: str, item: Item,
    team_id: str,
) -> None:
    """Once the form has closed: confirm the id, and redraw Home if it was opened there."""
    await _confirm(client, context, user_id, item)
    if context.home:
        await publish_home(runtime.store, client, team_id=team_id, user_id=user_id)


def _team_id(body: dict[str, Any]) -> str:
    team = body.get("team") or {}
    return str(team.get("id") or body["user"]["team_id"])


async def _confirm(
    client: AsyncWebClient, context: ModalContext, user_id: str, item: Item
) -> None:
    """Tell the author the new id, in the channel the modal was opened from."""
    reply = item_logged_reply(item)
    try:
        if context.response_url:
            await AsyncWebhookClient(context.response_url, timeout=10).send(
                response_type="ephemeral", text=reply["text"], blocks=reply["blocks"]
            )
        else:
            await client.chat_postEphemeral(channel=item.channel_id, user=user_id, **reply)
    except (SlackApiError, OSError) as exc:
        # The item is saved either way; the confirmation is a courtesy.
        logger.warning("could not confirm %s to %s: %s", item.ref, user_id, exc)

