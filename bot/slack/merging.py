"""Merging a duplicate from a command or a button: the merge, and telling both threads."""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.items import ItemRef
from bot.domain.labels import votes_label
from bot.services.errors import ItemNotFound, ItemNotOpen
from bot.services.merge_items import MergeRefused, merge_items
from bot.slack.blocks.replies import text_reply
from bot.slack.context import SlackContext
from bot.slack.errors import CALL_FAILED, call_failure
from bot.slack.text import clip, escape
from bot.store.digest_repository import DigestThread

logger = logging.getLogger(__name__)


class MergeFailed(Exception):
    """Why the merge could not be made, as mrkdwn-safe text for the user."""


async def merge_and_announce(
    runtime: SlackContext,
    client: AsyncWebClient,
    *,
    team_id: str,
    user_id: str,
    duplicate: ItemRef,
    into: ItemRef,
    channel_id: str | None = None,
) -> str:
    """Merge, tell the digest threads of both items, redraw their parents; returns the
    announcement for the channel, or raises MergeFailed. With `channel_id`, both items must
    belong to that channel, where the merge is announced."""
    try:
        result = await merge_items(
            runtime.store, team_id=team_id, duplicate=duplicate, into=into, user_id=user_id,
            channel_id=channel_id,
        )
    except (ItemNotFound, ItemNotOpen, MergeRefused) as exc:
        raise MergeFailed(escape(str(exc))) from exc
    text = (
        f"*{duplicate}* {clip(escape(result.duplicate.title), 80)} was merged into "
        f"*{into}* {clip(escape(result.survivor.title), 80)} by <@{user_id}>; "
        f"{votes_label(result.votes_moved)} moved (one per person). "
        f"Votes on {duplicate} now count for {into}."
    )
    threads = [t for t in (result.duplicate_thread, result.survivor_thread) if t is not None]
    # The merge is saved; telling the threads is Slack's pace, not the command's.
    runtime.spawn(_tell_threads(runtime, client, list(dict.fromkeys(threads)), text))
    return text


async def _tell_threads(
    runtime: SlackContext, client: AsyncWebClient, threads: list[DigestThread], text: str
) -> None:
    for thread in threads:
        try:
            await client.chat_postMessage(
                channel=thread.channel_id, thread_ts=thread.parent_ts, **text_reply(text)
            )
        except CALL_FAILED as exc:
            logger.warning("could not tell the digest thread: %s", call_failure(exc))
        runtime.refresher.touch(thread.run_id, client)
