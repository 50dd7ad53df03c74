"""`/tradeoff list`, `done <id>`, `drop <id>` and `merge <duplicate> <into>`."""

from __future__ import annotations

from typing import Any

from cachetools import LRUCache

from bot.domain.items import ItemRef, Status
from bot.services.close_item import close_item
from bot.services.errors import ItemNotFound, ItemNotOpen
from bot.services.list_items import ListingState, list_open_items, listing_state
from bot.slack.blocks.replies import error_reply, item_closed_text, list_reply, text_reply
from bot.slack.listeners.commands.invocation import Invocation
from bot.slack.merging import MergeFailed, merge_and_announce
from bot.slack.text import clip, escape

_CLOSING = {"done": Status.DONE, "drop": Status.DROPPED}


# Built lists by the state they were built from. A hit costs one aggregate query instead of
# reading every open item (about 20 ms of CPU for 300 of them): see listing_fingerprint.
_LISTS: LRUCache[ListingState, dict[str, Any]] = LRUCache(maxsize=128)


async def list_items(call: Invocation) -> None:
    ids = {"team_id": call.team_id, "channel_id": call.channel_id}
    state = await listing_state(call.runtime.store, **ids)
    reply = _LISTS.get(state)
    if reply is None:
        # Read after the state: if the items moved on meanwhile, this list is the newer one,
        # and the state it is kept under will not come back.
        items = await list_open_items(call.runtime.store, **ids)
        reply = list_reply(items, votes_hidden=state.votes_hidden)
        _LISTS[state] = reply
    await call.reply(reply)


async def close(call: Invocation) -> None:
    sub = call.sub
    if len(sub.args) != 1:
        await call.reply(error_reply(f"Say which item, e.g. `/tradeoff {sub.name} D-3`."))
        return
    ref = ItemRef.parse(sub.args[0])
    if ref is None:
        shown = clip(escape(sub.args[0]), 50)
        await call.reply(
            error_reply(f"`{shown}` is not an item id; ids look like `D-3` or `F-12`.")
        )
        return
    try:
        item = await close_item(
            call.runtime.store,
            team_id=call.team_id,
            ref=ref,
            status=_CLOSING[sub.name],
            user_id=call.user_id,
            channel_id=call.channel_id,
        )
    except (ItemNotFound, ItemNotOpen) as exc:
        await call.reply(error_reply(str(exc)))
        return
    # Closing changes the shared backlog, so the whole channel sees it.
    closed = text_reply(item_closed_text(item, call.user_id))
    await call.reply({"response_type": "in_channel", **closed})


async def merge(call: Invocation) -> None:
    args = call.sub.args
    refs = [ItemRef.parse(a) for a in args] if len(args) == 2 else []
    if len(refs) != 2 or refs[0] is None or refs[1] is None:
        await call.reply(error_reply(
            "Say the duplicate, then the item to keep: `/tradeoff merge D-7 D-3`."
        ))
        return
    try:
        text = await merge_and_announce(
            call.runtime, call.client, team_id=call.team_id, user_id=call.user_id,
            duplicate=refs[0], into=refs[1], channel_id=call.channel_id,
        )
    except MergeFailed as exc:
        await call.reply(error_reply(str(exc)))
        return
    await call.reply({"response_type": "in_channel", **text_reply(text)})
