"""The sign-off under a digest's pick: the Agree button, who agreed, and the recorded decision."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.decisions import Agreement, Decision, Role
from bot.domain.digest import Digest
from bot.domain.labels import non_feature_label, votes_label
from bot.slack.blocks.decision_record import decision_title, record_blocks
from bot.slack.blocks.elements import context, section
from bot.slack.text import clip, escape

Names = Mapping[str, str]
AGREE_ACTION = "agree_pick"


def display_name(user_id: str, names: Names) -> str:
    """A person's name as text; a mention would notify them every time the digest changes."""
    return escape(names.get(user_id) or "someone")


def sign_off_blocks(digest: Digest, names: Names) -> list[dict[str, Any]]:
    if digest.decision is not None:
        return [section(decided_text(digest.decision, names))]
    if digest.run_id is None or not digest.plan.picked:
        return []
    button = {
        "type": "button",
        "action_id": AGREE_ACTION,
        "text": {"type": "plain_text", "text": "Agree to this pick"},
        "style": "primary",
        "value": str(digest.run_id),
    }
    return [
        {"type": "actions", "block_id": "sign_off", "elements": [button]},
        context(agreement_status(digest, names)),
    ]


def agreement_status(digest: Digest, names: Names) -> str:
    plan = tuple(r.item.ref for r in digest.plan.picked)
    current = [a for a in digest.agreements if a.plan == plan]
    stale = [a for a in digest.agreements if a.plan != plan]
    parts = ["The decision is recorded when a tech lead and a product manager both agree."]
    if current:
        parts.append("Agreed: " + ", ".join(_who(a, names) for a in current) + ".")
    if stale:
        parts.append(
            "The pick changed since " + ", ".join(_who(a, names) for a in stale)
            + " agreed; please agree again."
        )
    missing = {Role.LEAD, Role.PM} - {a.role for a in current}
    if missing:
        parts.append("Waiting for " + " and ".join(f"a {r.label}" for r in sorted(missing)) + ".")
    return " ".join(parts)


def _who(agreement: Agreement, names: Names) -> str:
    return f"{display_name(agreement.user_id, names)} ({agreement.role.label})"


def decided_text(decision: Decision, names: Names) -> str:
    picked = ", ".join(f"*{i.ref}*" for i in decision.items)
    return (
        f":white_check_mark: *Decided* {decision.decided_at:%d %b %Y %H:%M} UTC by "
        f"{display_name(decision.lead_id, names)} (tech lead) and "
        f"{display_name(decision.pm_id, names)} (product manager): {picked}. "
        "These items are now planned."
    )


def decision_thread_message(decision: Decision) -> dict[str, Any]:
    """Posted in the digest thread when the decision is made: what, why, who, when; redrawn
    when the why is added."""
    lines = [
        f":white_check_mark: *Decision recorded: {decision_title(decision)}* on "
        f"{decision.decided_at:%d %b %Y %H:%M} UTC, "
        f"agreed by <@{decision.lead_id}> (tech lead) and <@{decision.pm_id}> (product manager).",
        f"Planned for the next cycle (capacity {decision.capacity} points, debt budget "
        f"{decision.budget_pct}%):",
    ]
    lines += [
        f"• *{i.ref}* {clip(escape(i.title), 120)} — {i.size_points} pts, "
        f"{votes_label(i.votes)}, score {i.score:g}"
        for i in decision.items
    ]
    with_bugs = bool(decision.bug_points)
    lines.append(
        f"{non_feature_label(with_bugs).capitalize()} {'are' if with_bugs else 'is'} "
        f"{decision.debt_share_pct}% of the planned size ({decision.debt_points} of "
        f"{decision.total_points} points)."
    )
    return {
        "text": f"Decision recorded: {decision_title(decision)}",
        "blocks": [section("\n".join(lines)), *record_blocks(decision)],
    }
