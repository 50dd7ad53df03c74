"""`/tradeoff role`, `roles` and `history`: who signs off, and what they signed."""

from __future__ import annotations

import re

from bot.domain.channel_roles import ChannelRoles
from bot.domain.decisions import Decision, Role
from bot.domain.labels import non_feature_label
from bot.services.history import DEFAULT_HISTORY, MAX_HISTORY, recent_decisions
from bot.services.roles import RoleChangeRefused, list_roles, set_role
from bot.slack.blocks.decision_record import decision_title
from bot.slack.blocks.people import holders
from bot.slack.blocks.replies import error_reply, text_reply
from bot.slack.command_text import whole_number
from bot.slack.listeners.commands.invocation import Invocation
from bot.slack.text import clip, escape

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_ROLE_WORDS = {"lead": Role.LEAD, "pm": Role.PM, "none": None}
ROLE_EXAMPLE = "`/tradeoff role @jo lead` (or `pm`, or `none` to remove)"


async def role(call: Invocation) -> None:
    args = call.sub.args
    match = _MENTION.match(args[0]) if args else None
    word = args[1].lower() if len(args) == 2 else ""
    if match is None or word not in _ROLE_WORDS:
        await call.reply(error_reply(f"Mention the person and the role: {ROLE_EXAMPLE}."))
        return
    user_id, new_role = match.group(1), _ROLE_WORDS[word]
    try:
        await set_role(
            call.runtime.store, team_id=call.team_id, channel_id=call.channel_id,
            by_user=call.user_id, user_id=user_id, role=new_role,
        )
    except RoleChangeRefused:
        current = await list_roles(
            call.runtime.store, team_id=call.team_id, channel_id=call.channel_id
        )
        await call.reply(error_reply(
            "Only this channel's tech leads and product managers can change its roles. "
            + roles_text(current)
        ))
        return
    what = f"is now a {new_role.label}" if new_role else "no longer has a role"
    # In the channel only the person concerned is mentioned, so nobody else is pinged.
    await call.reply({
        "response_type": "in_channel",
        **text_reply(f"<@{user_id}> {what} in this channel (set by <@{call.user_id}>)."),
    })


async def roles(call: Invocation) -> None:
    current = await list_roles(
        call.runtime.store, team_id=call.team_id, channel_id=call.channel_id
    )
    await call.reply(text_reply(roles_text(current)))


def roles_text(current: ChannelRoles) -> str:
    if not current.any_set:
        return f"No roles yet. A lead and a PM sign off decisions; set them with {ROLE_EXAMPLE}."
    return (
        f"Tech leads: {holders(current, Role.LEAD)}. "
        f"Product managers: {holders(current, Role.PM)}."
    )


async def history(call: Invocation) -> None:
    args = call.sub.args
    count = whole_number(args[0], 1, MAX_HISTORY) if args else DEFAULT_HISTORY
    if count is None:
        await call.reply(
            error_reply(
                f"Say how many decisions, 1 to {MAX_HISTORY}: "
                f"`/tradeoff history {DEFAULT_HISTORY}`."
            )
        )
        return
    decisions = await recent_decisions(
        call.runtime.store, team_id=call.team_id, channel_id=call.channel_id,
        limit=count,
    )
    if not decisions:
        await call.reply(text_reply(
            "No decisions recorded in this channel yet. They are made from the digest: "
            "a lead and a PM both press *Agree to this pick*."
        ))
        return
    await call.reply(text_reply("\n".join(_history_line(d) for d in decisions)))


def _history_line(decision: Decision) -> str:
    items = ", ".join(f"{i.ref} {clip(escape(i.title), 40)}" for i in decision.items)
    share_of = non_feature_label(bool(decision.bug_points))
    line = (
        f"*{decision.decided_at:%d %b %Y}* · {decision_title(decision)} · {items} · "
        f"{share_of} {decision.debt_share_pct}% of "
        f"{decision.total_points} pts (budget {decision.budget_pct}%) · "
        f"<@{decision.lead_id}> and <@{decision.pm_id}>"
    )
    if decision.rationale is None:
        return line
    # One line per decision: the why is flattened and clipped; `show decision <n>` has it all.
    why = " ".join(decision.rationale.text.split())
    return f"{line} · why: {clip(escape(why), 160)}"
