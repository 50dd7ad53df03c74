"""The digest in a terminal (`tradeoff demo`, `tradeoff digest --dry-run`): two columns."""

from __future__ import annotations

import shutil
import textwrap
from itertools import zip_longest

from bot.domain.digest import Digest
from bot.domain.items import Item, Kind
from bot.domain.labels import affected_label, age_label, severity_label, votes_label
from bot.domain.scoring import Ranked

GUTTER = " │ "


def render_digest(digest: Digest, *, channel: str) -> str:
    width = max(80, min(140, shutil.get_terminal_size((110, 24)).columns))
    column = (width - len(GUTTER)) // 2
    lines = [f"Tradeoff digest · {channel} · week of {digest.week_of:%d %b %Y}", "═" * width]
    if digest.is_empty:
        return "\n".join([*lines, "Nothing is open. Log items with /debt, /bug and /feature."])
    left = _column("TECH DEBT & BUGS · business or user impact", digest.shown_debt, column, digest)
    right = _column("FEATURE REQUESTS · user value", digest.shown_features, column, digest)
    lines += [
        f"{a:<{column}}{GUTTER}{b}".rstrip() for a, b in zip_longest(left, right, fillvalue="")
    ]
    lines.append("═" * width)
    if digest.hidden_count:
        lines.append(f"…and {digest.hidden_count} more open items (/tradeoff list).")
    plan = digest.plan
    lines.append(
        f"Recommended for the next cycle (capacity {plan.capacity} points, debt budget "
        f"{plan.budget_pct}% = {plan.debt_budget:g} points):"
    )
    lines += [
        f"  • {r.item.ref} {r.item.title} ({r.score.size_points} pts, score {r.score.value:g})"
        for r in plan.picked
    ] or ["  (nothing fits the capacity)"]
    idle = plan.idle_reason()
    if idle:
        lines.append(f"  {idle}")
    lines.append(f"  debt {plan.debt_points} pts · features {plan.feature_points} pts")
    lines += textwrap.wrap(digest.why(), width)
    return "\n".join(lines)


def _column(heading: str, ranked: list[Ranked], width: int, digest: Digest) -> list[str]:
    lines = [heading, "─" * width]
    if not ranked:
        lines.append("(nothing open)")
    for entry in ranked:
        item = entry.item
        lines += textwrap.wrap(f"{entry.rank}. {item.ref}  {item.title}", width)
        lines += textwrap.wrap(
            item.impact, width, initial_indent="    ", subsequent_indent="    "
        )
        facts = [
            f"size {item.size.value}" if item.size else "unsized",
            age_label(item.created_at, digest.now),
            votes_label(item.votes),
            f"{item.interest:g} h/week" if item.interest is not None else "",
            *_bug_facts(item),
            entry.score.label(),
        ]
        lines += textwrap.wrap(
            " · ".join(f for f in facts if f), width, initial_indent="    ",
            subsequent_indent="    ",
        )
        lines.append("")
    return lines


def _bug_facts(item: Item) -> list[str]:
    if item.kind is not Kind.BUG:
        return []
    affected = item.affected_per_week
    return [severity_label(item.severity), "" if affected is None else affected_label(affected)]
