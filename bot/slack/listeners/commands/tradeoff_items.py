"""`/tradeoff list`, `done <id>` and `drop <id>`."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.domain.items import ItemRef, Status
from bot.domain.labels import votes_label
from bot.services.channel_settings import get_settings
from bot.services.close_item import close_item
from bot.services.errors import ItemNotFound, ItemNotOpen
from bot.services.list_items import list_open_items
from bot.services.merge_items import MergeRefused, merge_items
from bot.slack.blocks.replies import error_reply, item_closed_text, list_reply, text_reply
from bot.slack.errors import slack_error_code
from bot.slack.listeners.commands.invocation import Invocation
from bot.slack.text import clip, escape

logger = logging.getLogger(__name__)

_CLOSING = {"done": Status.DONE, "drop": Status.DROPPED}


async def list_items(call: Invocation) -> None:
    ids = {"team_id": call.team_id, "channel_id": call.channel_id}
    items = await list_open_items(call.runtime.store, **ids)
    settings = await get_settings(call.runtime.store, **ids)
    await call.reply(list_reply(items, votes_hidden=settings.votes_hidden))


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
    duplicate, into = refs[0], refs[1]
    try:
        result = await merge_items(
            call.runtime.store, team_id=call.team_id, duplicate=duplicate, into=into,
            user_id=call.user_id,
        )
    except (ItemNotFound, ItemNotOpen, MergeRefused) as exc:
        await call.reply(error_reply(escape(str(exc))))
        return
    moved = f"{votes_label(result.votes_moved)} moved"
    text = (
        f"*{duplicate}* {clip(escape(result.duplicate.title), 80)} was merged into "
        f"*{into}* {clip(escape(result.survivor.title), 80)} by <@{call.user_id}>; {moved} "
        f"(one per person). Votes on {duplicate} now count for {into}."
    )
    await call.reply({"response_type": "in_channel", **text_reply(text)})
    threads = [t for t in (result.duplicate_thread, result.survivor_thread) if t is not None]
    for thread in dict.fromkeys(threads):
        await _tell_thread(call, thread.channel_id, thread.parent_ts, text)
        call.runtime.refresher.touch(thread.run_id, call.client)


async def _tell_thread(call: Invocation, channel_id: str, parent_ts: str, text: str) -> None:
    try:
        await call.client.chat_postMessage(
            channel=channel_id, thread_ts=parent_ts, **text_reply(text)
        )
    except SlackApiError as exc:
        logger.warning("could not tell the digest thread: %s", slack_error_code(exc))
