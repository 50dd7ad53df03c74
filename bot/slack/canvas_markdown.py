"""The channel canvas "Tradeoff" as canvas markdown: the open backlog side by side and the
decision log, newest first, with the why."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.domain.decisions import Decision
from bot.domain.scoring import Ranked
from bot.slack.blocks.decision_record import decision_title

CANVAS_TITLE = "Tradeoff"
CANVAS_ROWS = 15  # of each kind: the canvas is a summary, `/tradeoff list` has the rest
CANVAS_DECISIONS = 10
# Canvas markdown turns `![](@U123)` into a mention and `<!here>`-like text or a link into
# live elements; a backslash before each of these characters keeps user text literal.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>@~&])")


def canvas_escape(text: str) -> str:
    """User text as literal canvas markdown: no mention, link or formatting survives."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _cell(ranked: Ranked | None) -> str:
    if ranked is None:
        return " "
    item = ranked.item
    return f"**{item.ref}** {canvas_escape(item.title)} ({ranked.score.label()})"


def canvas_markdown(
    debt: Sequence[Ranked], features: Sequence[Ranked], decisions: Sequence[Decision]
) -> str:
    """The whole canvas: a two-column table of the backlog, then the decisions."""
    lines = [f"# {CANVAS_TITLE}", "", "## Open backlog", "",
             "| Debt and bugs | Features |", "| --- | --- |"]
    shown_debt, shown_features = list(debt[:CANVAS_ROWS]), list(features[:CANVAS_ROWS])
    for row in range(max(len(shown_debt), len(shown_features))):
        left = shown_debt[row] if row < len(shown_debt) else None
        right = shown_features[row] if row < len(shown_features) else None
        lines.append(f"| {_cell(left)} | {_cell(right)} |")
    if not shown_debt and not shown_features:
        lines.append("| Nothing open | Nothing open |")
    lines += ["", "## Decision log", ""]
    if not decisions:
        lines.append("No decisions yet.")
    for decision in decisions[:CANVAS_DECISIONS]:
        picked = ", ".join(f"{i.ref} {canvas_escape(i.title)}" for i in decision.items)
        lines.append(
            f"### {decision_title(decision)}, {decision.decided_at:%d %b %Y}"
        )
        lines.append(f"Planned: {picked or 'nothing'}.")
        why = decision.rationale.text if decision.rationale else None
        lines.append(f"Why: {canvas_escape(why)}" if why else "Why: not written yet.")
        lines.append("")
    return "\n".join(lines)
