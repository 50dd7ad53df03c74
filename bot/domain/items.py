"""Debt items, bugs and feature requests: what they hold and the rules a new one must satisfy."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

# Kind is re-exported: most of the bot imports it from here, with the items it classifies.
from bot.domain.kinds import KIND_BY_PREFIX
from bot.domain.kinds import Kind as Kind

TITLE_MAX = 200
IMPACT_MAX = 2000
AREA_MAX = 100
LINK_MAX = 500
# A week has 168 hours; more than that per week is a typo, not an estimate.
INTEREST_MAX = 168.0
# Users (or occurrences) a bug hurts per week; beyond a billion it is a typo.
AFFECTED_MAX = 1_000_000_000.0


class Status(StrEnum):
    OPEN = "open"
    PLANNED = "planned"  # chosen by a shared decision; no longer voted on
    DONE = "done"
    DROPPED = "dropped"
    MERGED = "merged"  # a duplicate; its votes moved to `merged_into`


class Size(StrEnum):
    XS = "XS"
    S = "S"
    M = "M"
    L = "L"
    XL = "XL"


class Confidence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Urgency(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Severity(StrEnum):
    """How badly a bug hurts; it takes the place of urgency in a bug's score."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


_ID_PATTERN = re.compile(rf"^#?([{''.join(KIND_BY_PREFIX)}])-?(\d{{1,9}})$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class ItemRef:
    """The public id of an item, `D-<n>`, `B-<n>` or `F-<n>`, unique within one workspace."""

    kind: Kind
    number: int

    def __str__(self) -> str:
        return f"{self.kind.prefix}-{self.number}"

    @classmethod
    def parse(cls, text: str) -> ItemRef | None:
        """Read `D-12`, `d12` or `#F-3`; None when the text is not an item id."""
        match = _ID_PATTERN.match(text.strip())
        if match is None:
            return None
        kind = KIND_BY_PREFIX[match.group(1).upper()]
        number = int(match.group(2))
        return cls(kind, number) if number > 0 else None


def merge_refusal(duplicate: ItemRef, into: ItemRef) -> str | None:
    """Why `duplicate` cannot be merged into `into`, or None when it can. A bug is non-feature
    work: it merges into debt or another bug, never into a feature request (nor one into it)."""
    kinds = {duplicate.kind, into.kind}
    if Kind.BUG in kinds and Kind.FEATURE in kinds:
        return (
            f"{duplicate} is a {duplicate.kind.noun} and {into} a {into.kind.noun}: a bug "
            "merges only into a bug or a tech debt item, which are non-feature work too."
        )
    return None


_E = TypeVar("_E", bound=StrEnum)


class ItemValidationError(ValueError):
    """A draft that cannot be stored; `errors` maps each bad field to a message for the user."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class ItemDraft:
    """A validated new item, ready to be stored."""

    kind: Kind
    title: str
    impact: str
    size: Size | None = None
    urgency: Urgency | None = None
    area: str | None = None
    link: str | None = None
    interest: float | None = None
    severity: Severity | None = None
    affected_per_week: float | None = None


def _clean(text: str | None) -> str:
    # PostgreSQL text cannot hold NUL, and no one means to type one.
    return (text or "").replace("\x00", "").strip()


def make_draft(
    kind: Kind,
    title: str | None,
    impact: str | None,
    *,
    size: str | None = None,
    urgency: str | None = None,
    area: str | None = None,
    link: str | None = None,
    interest: str | None = None,
    severity: str | None = None,
    affected: str | None = None,
) -> ItemDraft:
    """Check every field of a new item and return the draft, or raise ItemValidationError."""
    errors: dict[str, str] = {}
    clean_title, clean_impact = _clean(title), _clean(impact)
    clean_area, clean_link = _clean(area), _clean(link)
    if not clean_title:
        errors["title"] = "The title is empty: say in a few words what the item is."
    elif len(clean_title) > TITLE_MAX:
        errors["title"] = (
            f"The title is {len(clean_title)} characters long; keep it to {TITLE_MAX} "
            f"and put the detail in the {kind.impact_label}."
        )
    if not clean_impact:
        errors["impact"] = f"The {kind.impact_label} is missing: say why this matters."
    elif len(clean_impact) > IMPACT_MAX:
        errors["impact"] = (
            f"The {kind.impact_label} is {len(clean_impact)} characters long; "
            f"the limit is {IMPACT_MAX}."
        )
    if len(clean_area) > AREA_MAX:
        errors["area"] = f"The affected area is limited to {AREA_MAX} characters."
    if clean_link and (
        len(clean_link) > LINK_MAX or not re.match(r"^https?://\S+$", clean_link)
    ):
        errors["link"] = f"The link must be an http(s) URL of at most {LINK_MAX} characters."
    parsed_interest = parse_interest(interest, errors) if kind is Kind.DEBT else None
    parsed_size = _parse_enum(Size, size, "size", errors)
    # A bug's severity stands in for urgency, so a bug never carries both.
    is_bug = kind is Kind.BUG
    parsed_urgency = None if is_bug else _parse_enum(Urgency, urgency, "urgency", errors)
    parsed_severity = _parse_enum(Severity, severity, "severity", errors) if is_bug else None
    parsed_affected = parse_affected(affected, errors) if is_bug else None
    if errors:
        raise ItemValidationError(errors)
    return ItemDraft(
        kind=kind,
        title=clean_title,
        impact=clean_impact,
        size=parsed_size,
        urgency=parsed_urgency,
        area=clean_area or None,
        link=clean_link or None,
        interest=parsed_interest,
        severity=parsed_severity,
        affected_per_week=parsed_affected,
    )


def parse_interest(raw: str | None, errors: dict[str, str]) -> float | None:
    """Hours per week a debt item costs, `6`, `2.5` or `6h`; records an error when not a number."""
    text = _clean(raw).lower().removesuffix("h").strip().replace(",", ".")
    if not text:
        return None
    try:
        hours = float(text)
    except ValueError:
        hours = -1.0
    if not 0 <= hours <= INTEREST_MAX or hours != hours:  # the last test rejects NaN
        errors["interest"] = (
            f"The interest is the hours this debt costs per week, a number from 0 to "
            f"{INTEREST_MAX:g}, e.g. 6."
        )
        return None
    return abs(round(hours, 1))  # abs: "-0" would otherwise read as minus nothing


_AFFECTED = re.compile(r"\d{1,3}(,\d{3})+|\d+(\.\d+)?")


def parse_affected(raw: str | None, errors: dict[str, str]) -> float | None:
    """Users a bug hurts (or times it happens) per week, `120`, `1,500` or `2.5`; records an
    error when not such a number."""
    text = _clean(raw).lower().removesuffix("/week").removesuffix("per week").strip()
    if not text:
        return None
    if _AFFECTED.fullmatch(text) is None or float(text.replace(",", "")) > AFFECTED_MAX:
        errors["affected"] = (
            "Affected users are how many users this bug hurts, or how often it happens, per "
            "week: a whole or decimal number, e.g. 120."
        )
        return None
    return round(float(text.replace(",", "")), 1)


def _parse_enum(
    enum: type[_E], raw: str | None, name: str, errors: dict[str, str]
) -> _E | None:
    if raw is None or not raw.strip():
        return None
    for member in enum:
        if member.value.lower() == raw.strip().lower():
            return member
    errors[name] = f"Unknown {name} '{raw}': use one of {', '.join(m.value for m in enum)}."
    return None


@dataclass
class Item:
    """A stored debt item, bug or feature request, as the rest of the bot sees it."""

    ref: ItemRef
    team_id: str
    channel_id: str
    title: str
    impact: str
    author_id: str
    status: Status
    created_at: datetime
    updated_at: datetime
    size: Size | None = None
    urgency: Urgency | None = None
    area: str | None = None
    link: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    interest: float | None = None
    merged_into: ItemRef | None = None
    size_confidence: Confidence | None = None
    severity: Severity | None = None
    affected_per_week: float | None = None
    tracker_ref: str | None = None  # `owner/repo#12` or `PROJ-7`; `link` is then its URL
    votes: int = 0
    voters: list[str] = field(default_factory=list)

    @property
    def kind(self) -> Kind:
        return self.ref.kind

    @property
    def weekly_cost(self) -> float | None:
        """What waiting costs each week: a debt's interest in hours, or the users a bug hurts;
        None when not known (and always for features)."""
        return self.affected_per_week if self.kind is Kind.BUG else self.interest

    @property
    def is_open(self) -> bool:
        return self.status is Status.OPEN


@dataclass(frozen=True)
class ItemChange:
    """One entry of an item's audit trail."""

    field: str
    old_value: str | None
    new_value: str | None
    changed_by: str
    changed_at: datetime
