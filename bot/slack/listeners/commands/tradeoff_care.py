"""`/tradeoff estimate`, `interest`, `show` and `health`: the lead's and the PM's routines."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.items import Confidence, ItemRef, Size, parse_interest
from bot.services.errors import ItemNotFound, ItemNotOpen
from bot.services.item_care import (
    NotDebt,
    RoleRequired,
    backlog_health,
    estimate_item,
    item_record,
    set_interest,
)
from bot.slack.blocks.care import health_reply, item_record_reply
from bot.slack.blocks.people import holders
from bot.slack.blocks.replies import error_reply, text_reply
from bot.slack.listeners.commands.invocation import Invocation
from bot.slack.listeners.commands.tradeoff_decisions import show_decision
from bot.slack.text import clip, escape


def _ref(text: str | None) -> ItemRef | None:
    return ItemRef.parse(text) if text else None


def role_refusal(exc: RoleRequired) -> str:
    named = holders(exc.holders, *exc.roles)
    return (
        f"Only the item's channel {exc.roles[0].label}"
        + (f" or {exc.roles[1].label}" if len(exc.roles) > 1 else "")
        + f" can do that (here: {named}). Roles are set with `/tradeoff role`."
    )


async def estimate(call: Invocation) -> None:
    args = call.sub.args
    ref = _ref(args[0] if args else None)
    size = next((s for s in Size if len(args) > 1 and s.value == args[1].upper()), None)
    confidence = None
    if len(args) == 3:
        confidence = next((c for c in Confidence if c.value == args[2].lower()), None)
    if ref is None or size is None or len(args) > 3 or (len(args) == 3 and confidence is None):
        await call.reply(error_reply(
            "Give the item, its size and optionally your confidence: "
            "`/tradeoff estimate F-3 M high` (sizes XS, S, M, L, XL; confidence low, medium, "
            "high)."
        ))
        return
    try:
        item = await estimate_item(
            call.runtime.store, team_id=call.team_id, ref=ref, size=size,
            confidence=confidence, user_id=call.user_id,
        )
    except RoleRequired as exc:
        await call.reply(error_reply(role_refusal(exc)))
        return
    except (ItemNotFound, ItemNotOpen) as exc:
        await call.reply(error_reply(escape(str(exc))))
        return
    sure = f" ({confidence.value} confidence)" if confidence else ""
    await call.reply({"response_type": "in_channel", **text_reply(
        f"<@{call.user_id}> estimated *{item.ref}* {clip(escape(item.title), 80)} at "
        f"*{size.value}*{sure}."
    )})


async def interest(call: Invocation) -> None:
    args = call.sub.args
    ref = _ref(args[0] if args else None)
    errors: dict[str, str] = {}
    hours = parse_interest(" ".join(args[1:]), errors) if len(args) >= 2 else None
    if ref is None or hours is None:
        await call.reply(error_reply(
            "Give the debt item and the hours it costs per week: `/tradeoff interest D-2 6`."
        ))
        return
    try:
        item = await set_interest(
            call.runtime.store, team_id=call.team_id, ref=ref, hours=hours,
            user_id=call.user_id,
        )
    except RoleRequired as exc:
        await call.reply(error_reply(role_refusal(exc)))
        return
    except (ItemNotFound, ItemNotOpen, NotDebt) as exc:
        await call.reply(error_reply(escape(str(exc))))
        return
    await call.reply({"response_type": "in_channel", **text_reply(
        f"<@{call.user_id}> quantified *{item.ref}* {clip(escape(item.title), 80)}: it costs "
        f"*{hours:g} hours a week*."
    )})


async def show(call: Invocation) -> None:
    args = call.sub.args
    if args and args[0].lower() == "decision" and len(args) <= 2:
        await show_decision(call, args[1] if len(args) == 2 else None)
        return
    ref = _ref(call.sub.args[0] if len(call.sub.args) == 1 else None)
    if ref is None:
        await call.reply(error_reply("Say which item: `/tradeoff show D-3`."))
        return
    try:
        item, changes = await item_record(call.runtime.store, team_id=call.team_id, ref=ref)
    except ItemNotFound as exc:
        await call.reply(error_reply(escape(str(exc))))
        return
    await call.reply(item_record_reply(item, changes, datetime.now(UTC)))


async def health(call: Invocation) -> None:
    report, roles = await backlog_health(
        call.runtime.store, team_id=call.team_id, channel_id=call.channel_id
    )
    await call.reply(health_reply(report, roles))
