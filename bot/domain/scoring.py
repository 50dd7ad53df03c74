"""How items are ranked: WSJF-style cost of delay divided by size, with debt interest counted.

score = cost of delay / size points, where
  cost of delay = votes + urgency weight + interest (hours the debt costs per week)
  urgency weight: low 1, medium 3, high 5 (unset counts as low)
  size points:    XS 1, S 2, M 3, L 5, XL 8
A bug is scored by the same rule, its severity (low 1, medium 3, high 5, critical 8; unset
counts as low) in place of urgency and the users it hurts per week in place of interest.
Higher scores first; a tie goes to the older item, which has waited longer. An unsized item has
no score: it is ranked after every estimated one and never picked, until a lead estimates it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from bot.domain.items import Item, Kind, Severity, Size, Urgency
from bot.domain.labels import votes_label

SIZE_POINTS = {Size.XS: 1, Size.S: 2, Size.M: 3, Size.L: 5, Size.XL: 8}
ASSUMED_SIZE = Size.M
URGENCY_WEIGHT = {Urgency.LOW: 1, Urgency.MEDIUM: 3, Urgency.HIGH: 5}
SEVERITY_WEIGHT = {Severity.LOW: 1, Severity.MEDIUM: 3, Severity.HIGH: 5, Severity.CRITICAL: 8}



_Scaled = TypeVar("_Scaled", bound=StrEnum)


def scale_text(weights: Mapping[_Scaled, int]) -> str:
    """`low 1, medium 3, high 5`: what each value counts for, as users read it."""
    return ", ".join(f"{value.value} {points}" for value, points in weights.items())


SIZE_SCALE = scale_text(SIZE_POINTS)
RULE = (
    "score = cost of delay ÷ size, where cost of delay = votes + urgency "
    f"({scale_text(URGENCY_WEIGHT)}) + interest (hours lost per week)"
)
BUG_RULE = (
    "A bug counts its severity (low 1, medium 3, high 5, critical 8) for urgency and the "
    "users it affects per week for interest"
)


@dataclass(frozen=True)
class Score:
    """An item's score and the parts it was made of, so the digest can show its working."""

    votes: int
    urgency_weight: int
    interest: float
    size_points: int
    size_assumed: bool
    weight_name: str = "urgency"  # a bug's weight is its severity
    cost_unit: str = "h/week"  # a bug's weekly cost is the users it affects

    @property
    def cost_of_delay(self) -> float:
        return self.votes + self.urgency_weight + self.interest

    @property
    def value(self) -> float:
        return round(self.cost_of_delay / self.size_points, 1)

    @property
    def estimated(self) -> bool:
        return not self.size_assumed

    def label(self) -> str:
        """`score 5.3`, or why there is none yet."""
        return f"score {self.value:g}" if self.estimated else "needs an estimate"

    def explain(self) -> str:
        """E.g. `(5 votes + 5 urgency + 6 h/week) ÷ 3 = 5.3`."""
        parts = [votes_label(self.votes), f"{self.urgency_weight} {self.weight_name}"]
        if self.interest:
            parts.append(f"{self.interest:g} {self.cost_unit}")
        if self.size_assumed:
            return f"({' + '.join(parts)}) ÷ size: not scored until a lead estimates its size"
        return f"({' + '.join(parts)}) ÷ {self.size_points} = {self.value:g}"


def score(item: Item, *, count_votes: bool = True) -> Score:
    """The item's score; without its votes while a channel hides tallies until the decision."""
    bug = item.kind is Kind.BUG
    return Score(
        votes=item.votes if count_votes else 0,
        urgency_weight=(
            SEVERITY_WEIGHT[item.severity or Severity.LOW] if bug
            else URGENCY_WEIGHT[item.urgency or Urgency.LOW]
        ),
        interest=item.weekly_cost or 0.0,
        size_points=SIZE_POINTS[item.size or ASSUMED_SIZE],
        size_assumed=item.size is None,
        weight_name="severity" if bug else "urgency",
        cost_unit="affected/week" if bug else "h/week",
    )


@dataclass(frozen=True)
class Ranked:
    item: Item
    score: Score
    rank: int


def rank(items: Iterable[Item], *, count_votes: bool = True) -> list[Ranked]:
    """Estimated items best first by score, ties to the oldest, then the unsized ones by age;
    ranks start at 1."""
    scored = [(item, score(item, count_votes=count_votes)) for item in items]
    scored.sort(
        key=lambda pair: (
            pair[1].size_assumed,
            -pair[1].cost_of_delay / pair[1].size_points if pair[1].estimated else 0,
            pair[0].created_at,
        )
    )
    return [Ranked(item, s, position) for position, (item, s) in enumerate(scored, start=1)]
