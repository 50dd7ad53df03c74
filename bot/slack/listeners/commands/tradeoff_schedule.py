"""`/tradeoff schedule …` and `/tradeoff digest`: when the weekly digest posts, and posting now."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from bot.domain.channel_settings import ChannelSettings
from bot.domain.schedule_text import ScheduleTextError, parse_slot
from bot.services.channel_settings import change_settings, get_settings, set_schedule
from bot.services.post_digest import DigestResult, Outcome
from bot.slack.blocks.replies import error_reply, text_reply
from bot.slack.blocks.settings_replies import next_digest_text, schedule_text
from bot.slack.errors import CALL_FAILED, call_failure
from bot.slack.listeners.commands.invocation import Invocation
from bot.slack.text import escape

logger = logging.getLogger(__name__)


async def schedule(call: Invocation) -> None:
    args = tuple(a.lower() for a in call.sub.args[:2]) + call.sub.args[2:]
    store = call.runtime.store
    ids = {"team_id": call.team_id, "channel_id": call.channel_id}
    if not args:
        settings = await get_settings(store, **ids)
        await call.reply(text_reply(schedule_text(settings, datetime.now(UTC))))
    elif args[0] == "off" and len(args) == 1:
        settings = await set_schedule(store, **ids, user_id=call.user_id, slot=None)
        _apply(call, settings)
        await call.reply(_in_channel(f"<@{call.user_id}> stopped the weekly digest here."))
    elif args[0] == "quiet" and args[1:] in ((), ("on",), ("off",)):
        quiet = args[1:] != ("off",)
        await change_settings(store, **ids, user_id=call.user_id, quiet=quiet)
        await call.reply(text_reply(
            "Weeks with nothing open will be skipped." if quiet
            else "The digest will post even in weeks with nothing open."
        ))
    else:
        # users.info is a Web API call: answer Slack first, then do it.
        await call.ack()
        await _set_slot(call, args)


async def _set_slot(call: Invocation, args: tuple[str, ...]) -> None:
    try:
        slot = parse_slot(args, await _user_timezone(call))
    except ScheduleTextError as exc:
        await call.reply_later(error_reply(escape(str(exc))))
        return
    settings = await set_schedule(
        call.runtime.store, team_id=call.team_id, channel_id=call.channel_id,
        user_id=call.user_id, slot=slot,
    )
    _apply(call, settings)
    next_text = next_digest_text(slot, datetime.now(UTC))
    await call.reply_later(_in_channel(
        f"<@{call.user_id}> set the weekly digest to *{slot.describe()}*. Next: {next_text}."
    ))


async def _user_timezone(call: Invocation) -> str:
    """The caller's Slack time zone, or UTC when Slack won't say."""
    try:
        response = await call.client.users_info(user=call.user_id)
    except CALL_FAILED as exc:
        logger.info("users.info failed (%s); schedule defaults to UTC", call_failure(exc))
        return "UTC"
    tz = (response.get("user") or {}).get("tz")
    return str(tz) if tz else "UTC"


def _apply(call: Invocation, settings: ChannelSettings) -> None:
    """Keep the scheduler's stored job in step with what the channel just chose."""
    if call.runtime.scheduler is not None:
        call.runtime.scheduler.apply(settings)


def _in_channel(text: str) -> dict[str, Any]:
    return {"response_type": "in_channel", **text_reply(text)}


async def digest(call: Invocation) -> None:
    await call.reply(text_reply("Posting the tradeoff digest in this channel…"))
    call.after_ack(_post_now)


async def _post_now(call: Invocation) -> None:
    publisher = call.runtime.publishers.for_client(call.client)
    result = await call.runtime.digests.post_now(call.team_id, call.channel_id, publisher)
    message = _outcome_text(result)
    if message:
        await call.reply_later(text_reply(message))


def _outcome_text(result: DigestResult) -> str | None:
    if result.outcome in (Outcome.POSTED, Outcome.RESUMED):
        return None  # the digest itself is the answer
    if result.outcome is Outcome.SKIPPED_QUIET:
        return "Nothing is open, and this channel skips empty digests."
    if result.outcome is Outcome.IN_PROGRESS:
        return "A digest is being posted here right now."
    if result.outcome is Outcome.PAUSED:
        return (
            f":warning: I can't post in this channel (`{escape(result.error or '')}`). "
            "Invite me with `/invite @Tradeoff`, then try again."
        )
    return (
        f":warning: The digest could not be posted (`{escape(result.error or 'unknown')}`). "
        "Run `/tradeoff digest` again to finish it; nothing will be posted twice."
    )
