"""The side-by-side tradeoff view: debt in one column, features in the other, best first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.domain.items import Item, Kind, Urgency

_URGENCY_RANK = {Urgency.HIGH: 0, Urgency.MEDIUM: 1, Urgency.LOW: 2, None: 3}


def view_order(items: Iterable[Item]) -> list[Item]:
    """Most votes first, then the more urgent, then the oldest (it has waited longest)."""
    return sorted(items, key=lambda i: (-i.votes, _URGENCY_RANK[i.urgency], i.created_at))


@dataclass(frozen=True)
class SideBySide:
    debt: list[Item]
    features: list[Item]


def side_by_side(items: Iterable[Item]) -> SideBySide:
    ordered = view_order(items)
    return SideBySide(
        debt=[i for i in ordered if i.kind is Kind.DEBT],
        features=[i for i in ordered if i.kind is Kind.FEATURE],
    )


def age_label(created_at: datetime, now: datetime) -> str:
    days = max(0, (now - created_at).days)
    if days == 0:
        return "new today"
    if days < 14:
        return f"{days} day{'s' if days != 1 else ''} old"
    return f"{days // 7} weeks old"


def votes_label(count: int) -> str:
    """`1 vote`, `3 votes`: how vote counts are written everywhere."""
    return f"{count} vote" if count == 1 else f"{count} votes"
