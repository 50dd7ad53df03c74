"""Domain values built in memory, for tests of rules and builders that need no database.

A test names only what it is about; everything else gets a plain default.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.items import Confidence, Item, ItemRef, Kind, Severity, Size, Status, Urgency

BUILT_AT = datetime(2026, 1, 1, tzinfo=UTC)


def an_item(
    kind: Kind = Kind.DEBT,
    number: int = 1,
    *,
    title: str = "An item",
    impact: str = "It matters",
    status: Status = Status.OPEN,
    created_at: datetime = BUILT_AT,
    size: Size | None = None,
    urgency: Urgency | None = None,
    interest: float | None = None,
    severity: Severity | None = None,
    affected_per_week: float | None = None,
    votes: int = 0,
    voters: list[str] | None = None,
    area: str | None = None,
    size_confidence: Confidence | None = None,
    merged_into: ItemRef | None = None,
    closed_at: datetime | None = None,
    closed_by: str | None = None,
    team_id: str = "T1",
    channel_id: str = "C1",
    author_id: str = "UAUTHOR",
) -> Item:
    """An item as the store would hand it out, last changed when it was created."""
    return Item(
        ref=ItemRef(kind, number), team_id=team_id, channel_id=channel_id, title=title,
        impact=impact, author_id=author_id, status=status, created_at=created_at,
        updated_at=created_at, size=size, urgency=urgency, area=area, closed_at=closed_at,
        closed_by=closed_by, interest=interest, merged_into=merged_into,
        size_confidence=size_confidence, severity=severity, affected_per_week=affected_per_week,
        votes=votes, voters=list(voters or []),
    )
