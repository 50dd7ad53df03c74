"""`/tradeoff`: list, done, drop and help for the channel's shared backlog."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.domain.items import ItemRef, Status
from bot.services.close_item import close_item
from bot.services.errors import ItemNotFound, ItemNotOpen
from bot.services.list_items import list_open_items
from bot.slack.blocks.replies import (
    error_reply,
    item_closed_text,
    list_reply,
    text_reply,
    usage_reply,
)
from bot.slack.command_text import SubCommand, parse_subcommand
from bot.slack.listeners.guard import guarded
from bot.slack.text import clip, escape
from bot.store.unit_of_work import Store

_CLOSING = {"done": Status.DONE, "drop": Status.DROPPED}


def register(app: AsyncApp, store: Store) -> None:
    @guarded
    async def handle_tradeoff(ack: AsyncAck, respond: AsyncRespond, body: dict[str, Any]) -> None:
        sub = parse_subcommand(body.get("text", ""))
        if sub.name in ("", "help"):
            await ack(**usage_reply())
        elif sub.name == "list":
            items = await list_open_items(
                store, team_id=body["team_id"], channel_id=body["channel_id"]
            )
            await ack(**list_reply(items))
        elif sub.name in _CLOSING:
            await ack(**await _close(store, sub, body))
        else:
            name = clip(escape(sub.name), 50)
            await ack(**error_reply(f"Unknown command `{name}`.", with_usage=True))

    app.command("/tradeoff")(handle_tradeoff)


async def _close(store: Store, sub: SubCommand, body: dict[str, Any]) -> dict[str, Any]:
    if len(sub.args) != 1:
        return error_reply(f"Say which item, e.g. `/tradeoff {sub.name} D-3`.")
    ref = ItemRef.parse(sub.args[0])
    if ref is None:
        shown = clip(escape(sub.args[0]), 50)
        return error_reply(f"`{shown}` is not an item id; ids look like `D-3` or `F-12`.")
    try:
        item = await close_item(
            store,
            team_id=body["team_id"],
            ref=ref,
            status=_CLOSING[sub.name],
            user_id=body["user_id"],
        )
    except (ItemNotFound, ItemNotOpen) as exc:
        return error_reply(str(exc))
    # Closing changes the shared backlog, so the whole channel sees it.
    return {"response_type": "in_channel", **text_reply(item_closed_text(item, body["user_id"]))}
