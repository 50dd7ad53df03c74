"""Shared decisions: who may agree, when a decision is made, and what the channel decided."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.domain.items import ItemRef, Kind
from bot.domain.passed_over import NotPickedReason, PassedOver

SPLIT_WINDOW = 4  # the digest shows the split of the channel's last four decisions
RATIONALE_MAX_CHARS = 2000


class Role(StrEnum):
    LEAD = "lead"
    PM = "pm"

    @property
    def label(self) -> str:
        return "tech lead" if self is Role.LEAD else "product manager"


@dataclass(frozen=True)
class Agreement:
    role: Role
    user_id: str
    plan: tuple[ItemRef, ...]
    agreed_at: datetime


def plan_key(refs: Sequence[ItemRef]) -> str:
    """The pick as stored with an agreement: `D-1,F-2`, in pick order."""
    return ",".join(str(ref) for ref in refs)


def parse_plan_key(key: str) -> tuple[ItemRef, ...]:
    refs = (ItemRef.parse(part) for part in key.split(",") if part)
    return tuple(ref for ref in refs if ref is not None)


def agreements_complete(agreements: Sequence[Agreement], current: Sequence[ItemRef]) -> bool:
    """A decision is made once a lead and a PM have both agreed to the pick as it is now."""
    roles = {a.role for a in agreements if a.plan == tuple(current)}
    return roles == {Role.LEAD, Role.PM}


def debt_share_pct(debt_points: int, total_points: int) -> int | None:
    """The share of planned size points that went to debt, in whole percent; None when nothing
    was planned, since a share of nothing is no number (each caller says what it shows then)."""
    return round(100 * debt_points / total_points) if total_points else None


@dataclass(frozen=True)
class DecidedItem:
    ref: ItemRef
    title: str
    size_points: int
    votes: int
    score: float

    @property
    def kind(self) -> Kind:
        return self.ref.kind


@dataclass(frozen=True)
class Alternative:
    """An item the decision weighed and passed over, as it stood then."""

    ref: ItemRef
    title: str
    score: float | None  # None: unsized, so it had no score
    reason: NotPickedReason


def alternatives_from(passed_over: Sequence[PassedOver]) -> tuple[Alternative, ...]:
    return tuple(
        Alternative(
            p.ranked.item.ref, p.ranked.item.title,
            p.ranked.score.value if p.ranked.score.estimated else None, p.reason,
        )
        for p in passed_over
    )


@dataclass(frozen=True)
class Rationale:
    """Why the decision was made, in the words of the lead or PM who wrote it."""

    text: str
    by: str
    at: datetime


@dataclass(frozen=True)
class Decision:
    id: int
    team_id: str
    channel_id: str
    lead_id: str
    pm_id: str
    capacity: int
    budget_pct: int
    decided_at: datetime
    items: tuple[DecidedItem, ...]
    number: int = 0  # "Decision 3" of its channel
    alternatives: tuple[Alternative, ...] = ()
    rationale: Rationale | None = None
    post_ts: str | None = None  # the thread post that shows it

    @property
    def debt_points(self) -> int:
        """Non-feature points: debt and bugs together, as the budget counts them."""
        return sum(i.size_points for i in self.items if not i.kind.is_feature)

    @property
    def bug_points(self) -> int:
        return sum(i.size_points for i in self.items if i.kind is Kind.BUG)

    @property
    def total_points(self) -> int:
        return sum(i.size_points for i in self.items)

    @property
    def debt_share_pct(self) -> int:
        return debt_share_pct(self.debt_points, self.total_points) or 0


class PlannedCycle(Protocol):
    """What the split and the catch-up read of a decision: when, its budget, its points."""

    @property
    def id(self) -> int: ...
    @property
    def decided_at(self) -> datetime: ...
    @property
    def budget_pct(self) -> int: ...
    @property
    def debt_points(self) -> int: ...
    @property
    def total_points(self) -> int: ...


@dataclass(frozen=True)
class CyclePoints:
    """A decision as a cycle's planned points by kind, without its items' details: all a
    digest needs of the channel's last decisions."""

    id: int
    decided_at: datetime
    budget_pct: int
    points_by_kind: Mapping[Kind, int]

    @property
    def debt_points(self) -> int:
        """Non-feature points, as Decision.debt_points counts them."""
        return sum(points for kind, points in self.points_by_kind.items() if not kind.is_feature)

    @property
    def total_points(self) -> int:
        return sum(self.points_by_kind.values())


@dataclass(frozen=True)
class DecisionSplit:
    """What the channel actually planned over its last decisions, in size points."""

    decisions: int
    debt_points: int
    total_points: int

    @property
    def debt_share_pct(self) -> int:
        return debt_share_pct(self.debt_points, self.total_points) or 0


def decision_split(decisions: Sequence[PlannedCycle]) -> DecisionSplit:
    """The debt share of planned size over the most recent SPLIT_WINDOW decisions."""
    recent = sorted(decisions, key=lambda d: d.decided_at)[-SPLIT_WINDOW:]
    return DecisionSplit(
        decisions=len(recent),
        debt_points=sum(d.debt_points for d in recent),
        total_points=sum(d.total_points for d in recent),
    )
