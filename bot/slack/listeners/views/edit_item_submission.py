"""Saving the edit form: field errors stay in the form; what changed is confirmed and kept in
the item's audit trail."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.items import ItemRef, ItemValidationError
from bot.services.edit_item import NotAllowedToEdit, edit_item
from bot.services.errors import ItemNotFound, ItemNotOpen
from bot.slack.blocks.item_modal import (
    EDIT_CALLBACK_ID,
    ModalContext,
    submitted_draft,
    submitted_values,
)
from bot.slack.blocks.replies import text_reply
from bot.slack.context import SlackContext
from bot.slack.errors import slack_error_code
from bot.slack.home_publisher import publish_home
from bot.slack.listeners.guard import STORE_DOWN_NOTHING_SAVED
from bot.slack.text import escape
from bot.store.errors import StoreUnavailable

logger = logging.getLogger(__name__)


def register(app: AsyncApp, runtime: SlackContext) -> None:
    store = runtime.store

    @app.view(EDIT_CALLBACK_ID)
    async def handle_edit_submission(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        context = ModalContext.from_metadata(view["private_metadata"])
        ref = ItemRef.parse(context.ref or "")
        if ref is None:
            await ack(response_action="errors", errors={"title": "This form lost its item."})
            return
        values = submitted_values(view)
        try:
            draft = submitted_draft(context.kind, values)
        except ItemValidationError as exc:
            await ack(response_action="errors", errors=exc.errors)
            return
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        try:
            item, changed = await edit_item(
                store, team_id=team_id, ref=ref, user_id=user_id, draft=draft
            )
        except (ItemNotFound, ItemNotOpen, NotAllowedToEdit) as exc:
            await ack(response_action="errors", errors={"title": str(exc)})
            return
        except StoreUnavailable:
            # The form stays open with everything typed, to save again in a minute.
            await ack(response_action="errors", errors={"title": STORE_DOWN_NOTHING_SAVED})
            return
        await ack()
        fields = ", ".join(c.field.replace("_", " ") for c in changed) or "nothing"
        note = text_reply(f"Saved *{item.ref}* {escape(item.title)}: changed {fields}.")

        async def confirm() -> None:
            try:
                await client.chat_postEphemeral(channel=item.channel_id, user=user_id, **note)
            except SlackApiError as exc:
                logger.warning("edit of %s not confirmed: %s", item.ref, slack_error_code(exc))
            if context.home:
                await publish_home(store, client, team_id=team_id, user_id=user_id)

        runtime.spawn(confirm())
