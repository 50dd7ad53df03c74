"""Saving the estimate modal: only a lead of the item's channel may size it."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.services.errors import ItemNotFound, ItemNotOpen
from bot.services.item_care import RoleRequired, estimate_item
from bot.slack.blocks.estimate_modal import CALLBACK_ID, submitted_estimate
from bot.slack.context import SlackContext
from bot.slack.listeners.guard import STORE_DOWN_NOTHING_SAVED
from bot.store.errors import StoreUnavailable


def register(app: AsyncApp, runtime: SlackContext) -> None:
    @app.view(CALLBACK_ID)
    async def save_estimate(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        ref, size, confidence = submitted_estimate(view)
        if ref is None or size is None:
            await ack(response_action="errors", errors={"size": "Choose a size."})
            return
        try:
            await estimate_item(
                runtime.store, team_id=body["team"]["id"], ref=ref, size=size,
                confidence=confidence, user_id=body["user"]["id"],
            )
        except RoleRequired:
            await ack(response_action="errors", errors={
                "size": "Only a tech lead of this item's channel estimates it "
                "(see /tradeoff roles there)."
            })
            return
        except (ItemNotFound, ItemNotOpen) as exc:
            await ack(response_action="errors", errors={"size": str(exc)})
            return
        except StoreUnavailable:
            await ack(response_action="errors", errors={"size": STORE_DOWN_NOTHING_SAVED})
            return
        await ack()
