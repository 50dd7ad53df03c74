"""What a planned item's issue is told when a decision is recorded."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.decisions import Decision
from bot.domain.items import ItemRef


@dataclass(frozen=True)
class WritebackNote:
    marker: str  # one per decision and item: what makes the comment exactly-once
    lines: tuple[str, ...]
    link_text: str
    link_url: str


def writeback_marker(decision_id: int, item: ItemRef) -> str:
    return f"decision-{decision_id}-{item}"


def writeback_note(
    decision: Decision, item: ItemRef, *, lead: str, pm: str, thread_url: str
) -> WritebackNote:
    """The comment: when it was planned, who agreed, its score, the cycle's debt share."""
    decided = next((i for i in decision.items if i.ref == item), None)
    score = f"{decided.score:.1f}" if decided else "n/a"
    points = f", {decided.size_points} points" if decided else ""
    return WritebackNote(
        marker=writeback_marker(decision.id, item),
        lines=(
            f"Planned in Tradeoff on {decision.decided_at:%Y-%m-%d} as {item}{points}.",
            f"Agreed by the tech lead {lead} and the PM {pm}.",
            f"Score {score}; debt and bugs take {decision.debt_share_pct}% of this cycle's "
            f"{decision.total_points} planned points (budget {decision.budget_pct}%).",
        ),
        link_text="The decision's Slack thread",
        link_url=thread_url,
    )
