"""The "⋯" menu on an item's digest reply and on the App Home: edit opens the form filled in;
done and drop close the item as `/tradeoff done|drop` would."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.items import Item, Status
from bot.services.close_item import close_item
from bot.services.edit_item import NotAllowedToEdit, editable_item
from bot.services.errors import ItemNotFound, ItemNotOpen
from bot.slack.blocks.item_menu import ITEM_MENU_ACTION, chosen
from bot.slack.blocks.item_modal import ModalContext, Prefill, item_modal
from bot.slack.blocks.replies import error_reply, item_closed_text
from bot.slack.context import SlackContext
from bot.slack.errors import slack_error_code
from bot.slack.home_publisher import publish_home
from bot.store.errors import StoreUnavailable

logger = logging.getLogger(__name__)

_CLOSING = {"done": Status.DONE, "drop": Status.DROPPED}
STORE_DOWN_NOTHING_CHANGED = (
    "Tradeoff can't reach its database right now; nothing changed. Try again soon."
)


def register(app: AsyncApp, runtime: SlackContext) -> None:
    store = runtime.store

    @app.action(ITEM_MENU_ACTION)
    async def item_menu_chosen(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        picked = chosen(str((body["actions"][0].get("selected_option") or {}).get("value", "")))
        if picked is None:
            return
        choice, ref = picked
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        from_home = (body.get("view") or {}).get("type") == "home"
        try:
            if choice == "edit":
                item = await editable_item(store, team_id=team_id, ref=ref, user_id=user_id)
                await _open_edit_form(client, body["trigger_id"], item, from_home)
                return
            item = await close_item(
                store, team_id=team_id, ref=ref, status=_CLOSING[choice], user_id=user_id
            )
        except (ItemNotFound, ItemNotOpen, NotAllowedToEdit, StoreUnavailable) as exc:
            down = isinstance(exc, StoreUnavailable)
            problem = STORE_DOWN_NOTHING_CHANGED if down else str(exc)
            if from_home:
                await publish_home(store, client, team_id=team_id, user_id=user_id,
                                   notice=problem)
            else:
                await _tell(client, body, user_id, problem)
            return
        closed = item

        async def announce() -> None:
            await _announce_closed(client, closed, user_id)
            if from_home:
                await publish_home(store, client, team_id=team_id, user_id=user_id)

        runtime.spawn(announce())


async def _open_edit_form(
    client: AsyncWebClient, trigger_id: str, item: Item, from_home: bool
) -> None:
    context = ModalContext(item.kind, item.channel_id, ref=str(item.ref), home=from_home)
    prefill = Prefill(
        title=item.title, impact=item.impact,
        urgency=item.urgency.value if item.urgency else None,
        area=item.area or "", link=item.link or "",
        severity=item.severity.value if item.severity else None,
        affected="" if item.affected_per_week is None else f"{item.affected_per_week:g}",
    )
    try:
        await client.views_open(trigger_id=trigger_id, view=item_modal(context, prefill=prefill))
    except SlackApiError as exc:
        logger.warning("edit form for %s failed: %s", item.ref, slack_error_code(exc))


async def _announce_closed(client: AsyncWebClient, item: Item, user_id: str) -> None:
    """Closing changes the shared backlog, so its channel hears of it, as with the command."""
    try:
        await client.chat_postMessage(
            channel=item.channel_id, text=item_closed_text(item, user_id)
        )
    except SlackApiError as exc:
        logger.warning("closing %s not announced: %s", item.ref, slack_error_code(exc))


async def _tell(client: AsyncWebClient, body: dict[str, Any], user_id: str, text: str) -> None:
    """An ephemeral note in the channel of the message whose menu was used."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    if not channel:
        return
    try:
        await client.chat_postEphemeral(channel=channel, user=user_id, **error_reply(text))
    except SlackApiError as exc:
        logger.warning("could not tell %s: %s", user_id, slack_error_code(exc))

