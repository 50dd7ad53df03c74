"""Printing the side-by-side view in a terminal (for `tradeoff demo`), two columns wide."""

from __future__ import annotations

import shutil
import textwrap
from datetime import datetime
from itertools import zip_longest

from bot.domain.items import Item
from bot.domain.side_by_side import SideBySide, age_label, votes_label

GUTTER = " │ "


def render_side_by_side(view: SideBySide, *, channel: str, now: datetime) -> str:
    width = max(80, min(140, shutil.get_terminal_size((110, 24)).columns))
    column = (width - len(GUTTER)) // 2
    left = _column("TECH DEBT · business impact", view.debt, column, now)
    right = _column("FEATURE REQUESTS · user value", view.features, column, now)
    title = f"Tradeoff · {channel} · week of {now.date().isoformat()}"
    lines = [title, "═" * width]
    lines += [
        f"{a:<{column}}{GUTTER}{b}".rstrip() for a, b in zip_longest(left, right, fillvalue="")
    ]
    lines.append("═" * width)
    lines.append(
        f"{len(view.debt)} debt items and {len(view.features)} feature requests open; "
        "ranked by votes, then urgency, then age."
    )
    return "\n".join(lines)


def _column(heading: str, items: list[Item], width: int, now: datetime) -> list[str]:
    lines = [heading, "─" * width]
    if not items:
        lines.append("(nothing open)")
    for item in items:
        lines += textwrap.wrap(f"{item.ref}  {item.title}", width) or [str(item.ref)]
        lines += textwrap.wrap(
            item.impact, width, initial_indent="    ", subsequent_indent="    "
        )
        facts = [
            votes_label(item.votes),
            f"size {item.size.value}" if item.size else "unsized",
            f"{item.urgency.value} urgency" if item.urgency else "",
            age_label(item.created_at, now),
        ]
        lines.append("    " + " · ".join(f for f in facts if f))
        lines.append("")
    return lines
