"""What a decision weighed and did not pick, and why: its own module, because both the planning
rule (which finds them) and the decision record (which keeps them) need it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.scoring import Ranked

PASSED_OVER_SHOWN = 3  # a decision lists this many of the best items it did not pick


class NotPickedReason(StrEnum):
    """Why the planning rule left an item out, in the words the decision post uses."""

    OVER_BUDGET = "over budget"  # debt bigger than the debt budget, and no room was left
    OVER_CAPACITY = "over capacity"  # better-ranked items took the room it needed
    UNSIZED = "unsized"  # nobody can plan work of unknown size


@dataclass(frozen=True)
class PassedOver:
    ranked: Ranked
    reason: NotPickedReason
