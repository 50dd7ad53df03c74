"""How counts and ages are written everywhere the bot shows items."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


def age_label(created_at: datetime, now: datetime) -> str:
    days = max(0, (now - created_at).days)
    if days == 0:
        return "new today"
    if days < 14:
        return f"{days} day{'s' if days != 1 else ''} old"
    return f"{days // 7} weeks old"


def weeks_label(span: timedelta) -> str:
    """`8 weeks`: a span of whole weeks, as the rules that use one write it."""
    return plural(span.days // 7, "week")


def plural(count: int, noun: str) -> str:
    """`1 item`, `3 items`."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def votes_label(count: int) -> str:
    """`1 vote`, `3 votes`: how vote counts are written everywhere."""
    return plural(count, "vote")


def severity_label(severity: StrEnum | None) -> str:
    """A bug's `high severity`, shown where other items show urgency; `not triaged` unset."""
    return f"{severity.value} severity" if severity else "not triaged"


def affected_label(per_week: float) -> str:
    """`120 affected/week`: a bug's weekly cost, shown where debt shows its interest."""
    return f"{per_week:g} affected/week"


def non_feature_label(with_bugs: bool) -> str:
    """`debt`, or `debt and bugs` once bugs are among them: what a debt share counts."""
    return "debt and bugs" if with_bugs else "debt"
