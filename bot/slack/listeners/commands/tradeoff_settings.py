"""`/tradeoff budget`, `capacity` and `settings`: the numbers behind the recommended pick."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from bot.domain.catch_up import MAX_CATCH_UP_CYCLES
from bot.domain.channel_settings import MAX_REPLIES_PER_KIND
from bot.domain.reminders import DEFAULT_REMIND_HOURS, MAX_REMIND_HOURS
from bot.domain.scoring import SIZE_SCALE
from bot.domain.voters import parse_voter_rule
from bot.services.channel_settings import change_settings, get_settings
from bot.slack.blocks.replies import error_reply, text_reply
from bot.slack.blocks.settings_replies import settings_text
from bot.slack.command_text import whole_number
from bot.slack.listeners.commands.invocation import Invocation
from bot.slack.text import clip, escape

MAX_CAPACITY = 1000


async def budget(call: Invocation) -> None:
    value = whole_number(call.sub.args[0], 0, 100) if len(call.sub.args) == 1 else None
    if value is None:
        await call.reply(error_reply(
            "The debt budget is a percentage of capacity from 0 to 100, "
            "e.g. `/tradeoff budget 20`."
        ))
        return
    await _change(call, f"set the debt budget to *{value}%* of capacity, for debt and bugs "
                  "together.", budget_pct=value)


async def capacity(call: Invocation) -> None:
    value = whole_number(call.sub.args[0], 1, MAX_CAPACITY) if len(call.sub.args) == 1 else None
    if value is None:
        await call.reply(error_reply(
            f"Capacity is the size points the team takes on per cycle, 1 to {MAX_CAPACITY} "
            f"({SIZE_SCALE}), e.g. `/tradeoff capacity 20`."
        ))
        return
    await _change(call, f"set the capacity per cycle to *{value} points*.", capacity=value)


async def settings(call: Invocation) -> None:
    args = call.sub.args
    if not args:
        current = await get_settings(
            call.runtime.store, team_id=call.team_id, channel_id=call.channel_id
        )
        await call.reply(text_reply(settings_text(current, datetime.now(UTC))))
        return
    if args[0].lower() == "votes" and len(args) == 2 and args[1].lower() in ("hidden", "shown"):
        hidden = args[1].lower() == "hidden"
        what = (
            "hid vote counts until each decision; the digest shows who voted, not how many."
            if hidden else "made vote counts visible."
        )
        await _change(call, what, votes_hidden=hidden)
        return
    if args[0].lower() == "replies" and len(args) == 2:
        value = whole_number(args[1], 1, MAX_REPLIES_PER_KIND)
        if value is not None:
            await _change(
                call, f"set thread replies to the top *{value}* of each kind.",
                replies_per_kind=value,
            )
            return
        await call.reply(error_reply(
            f"Replies per kind is a number from 1 to {MAX_REPLIES_PER_KIND}, "
            "e.g. `/tradeoff settings replies 10`."
        ))
        return
    if args[0].lower() == "voters":
        await voters(call, args[1:])
        return
    if args[0].lower() == "voting":
        await voting(call, args[1:])
        return
    if args[0].lower() == "remind":
        await remind(call, args[1:])
        return
    if args[0].lower() == "catchup" and len(args) == 2:
        if args[1].lower() == "off":
            await _change(call, "turned the catch-up budget off.", catch_up_cycles=None)
            return
        cycles = whole_number(args[1], 1, MAX_CATCH_UP_CYCLES)
        if cycles is not None:
            await _change(
                call, f"turned the catch-up budget on: when the last *{cycles}* decisions all "
                "gave debt less than its budget, the next pick reserves the shortfall too.",
                catch_up_cycles=cycles,
            )
            return
        await call.reply(error_reply(
            f"Catch-up takes a number of cycles from 1 to {MAX_CATCH_UP_CYCLES}, or `off`, "
            "e.g. `/tradeoff settings catchup 3`."
        ))
        return
    shown = clip(escape(" ".join(args)), 60)
    await call.reply(error_reply(
        f"Unknown setting `{shown}`. Try `/tradeoff settings`, "
        "`/tradeoff settings replies 10`, `/tradeoff settings votes hidden` or "
        "`/tradeoff settings remind 48`."
    ))


async def voters(call: Invocation, args: Sequence[str]) -> None:
    rule = parse_voter_rule(args[0]) if len(args) == 1 else None
    if rule is None:
        await call.reply(error_reply(
            "Say who may vote: `/tradeoff settings voters everyone`, `members` (people in this "
            "channel) or a user group, e.g. `/tradeoff settings voters @backend`."
        ))
        return
    await _change(call, f"set who may vote here: *{escape(rule.describe())}*.", voters=rule)


async def voting(call: Invocation, args: Sequence[str]) -> None:
    word = args[0].lower() if len(args) == 1 else ""
    if word == "open":
        await _change(call, "left voting open until each decision.", voting_hours=None)
        return
    hours = whole_number(word, 1, MAX_REMIND_HOURS)
    if hours is None:
        await call.reply(error_reply(
            f"Voting closes a number of hours after the digest, 1 to {MAX_REMIND_HOURS}, or "
            "stays `open` until the decision: e.g. `/tradeoff settings voting 72`."
        ))
        return
    await _change(call, f"set voting to close *{hours} hours* after each digest.",
                  voting_hours=hours)


async def remind(call: Invocation, args: Sequence[str]) -> None:
    word = args[0].lower() if len(args) == 1 else ""
    if word == "off":
        await _change(call, "turned off sign-off reminders here.", remind_hours=None)
        return
    hours = whole_number(word, 1, MAX_REMIND_HOURS)
    if hours is None:
        await call.reply(error_reply(
            f"Reminders come a number of hours after the digest, 1 to {MAX_REMIND_HOURS}, or "
            f"`off`: e.g. `/tradeoff settings remind {DEFAULT_REMIND_HOURS}`."
        ))
        return
    await _change(
        call, f"set sign-off reminders to *{hours} hours* after each digest (and once more "
        f"{hours} hours later) for the leads and PMs who have not agreed.", remind_hours=hours,
    )


async def _change(call: Invocation, what: str, **changes: object) -> None:
    await change_settings(
        call.runtime.store, team_id=call.team_id, channel_id=call.channel_id,
        user_id=call.user_id, **changes,
    )
    await call.reply({"response_type": "in_channel", **text_reply(f"<@{call.user_id}> {what}")})
