"""`/tradeoff show decision <n>`: one decision's full record, the why included."""

from __future__ import annotations

from bot.domain.decisions import Decision
from bot.services.decision_why import decision_by_number
from bot.slack.blocks.decision_record import alternatives_text, decision_title, rationale_text
from bot.slack.blocks.elements import section
from bot.slack.blocks.replies import Reply, error_reply
from bot.slack.command_text import whole_number
from bot.slack.listeners.commands.invocation import Invocation
from bot.slack.text import clip, escape

SHOW_DECISION_EXAMPLE = "`/tradeoff show decision 3`"


async def show_decision(call: Invocation, number_text: str | None) -> None:
    number = whole_number(number_text or "", 1, 2**31 - 1)
    if number is None:
        await call.reply(error_reply(
            f"Say which decision by its number: {SHOW_DECISION_EXAMPLE} "
            "(`/tradeoff history` lists them)."
        ))
        return
    decision = await decision_by_number(
        call.runtime.store, team_id=call.team_id, channel_id=call.channel_id, number=number
    )
    if decision is None:
        await call.reply(error_reply(
            f"This channel has no decision {number}; `/tradeoff history` lists its decisions."
        ))
        return
    await call.reply(decision_reply(decision))


def decision_reply(decision: Decision) -> Reply:
    head = [
        f"*{decision_title(decision)}*, {decision.decided_at:%d %b %Y %H:%M} UTC, agreed by "
        f"<@{decision.lead_id}> (tech lead) and <@{decision.pm_id}> (product manager); "
        f"capacity {decision.capacity} points, debt budget {decision.budget_pct}%.",
        *(f"• *{i.ref}* {clip(escape(i.title), 80)} — {i.size_points} pts, score {i.score:g}"
          for i in decision.items),
    ]
    texts = ["\n".join(head), alternatives_text(decision),
             rationale_text(decision) or "No why recorded yet."]
    blocks = [section(t) for t in texts if t]
    return {"text": f"{decision_title(decision)}", "blocks": blocks}
