"""The record parts of a decision post: its number, what was passed over, and the why."""

from __future__ import annotations

from typing import Any

from bot.domain.decisions import Decision
from bot.slack.blocks.elements import context, section
from bot.slack.text import clip, escape, quote

ADD_WHY_ACTION = "add_decision_why"


def decision_title(decision: Decision) -> str:
    """`Decision 3`, as the thread, the history and the export call it."""
    return f"Decision {decision.number}"


def alternatives_text(decision: Decision) -> str | None:
    """The best-ranked items the pick left out, with their score and why; None when none."""
    if not decision.alternatives:
        return None
    lines = ["*Alternatives considered* (not picked):"]
    for alt in decision.alternatives:
        scored = "no score" if alt.score is None else f"score {alt.score:g}"
        lines.append(f"• *{alt.ref}* {clip(escape(alt.title), 80)} — {scored}, {alt.reason}")
    return "\n".join(lines)


def rationale_text(decision: Decision) -> str | None:
    """The why, quoted, and who wrote it; None while nobody has."""
    if decision.rationale is None:
        return None
    why = decision.rationale
    return f"*Why* (written by <@{why.by}>):\n{quote(why.text)}"


def record_blocks(decision: Decision) -> list[dict[str, Any]]:
    """Alternatives, the why (or an invitation to add it), and the button that edits it."""
    blocks: list[dict[str, Any]] = []
    alternatives = alternatives_text(decision)
    if alternatives:
        blocks.append(section(alternatives))
    why = rationale_text(decision)
    blocks.append(section(why) if why else context(
        "No why recorded yet: the channel's tech lead or product manager can add it."
    ))
    label = "Edit the why" if decision.rationale else "Add the why"
    blocks.append({
        "type": "actions", "block_id": "decision_why",
        "elements": [{
            "type": "button", "action_id": ADD_WHY_ACTION, "value": str(decision.id),
            "text": {"type": "plain_text", "text": label},
        }],
    })
    return blocks
