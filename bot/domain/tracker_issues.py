"""Issues as a tracker (GitHub Issues, Jira) holds them, and how one becomes an item."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.domain.items import IMPACT_MAX, TITLE_MAX, Kind

# What an imported debt says when its issue's body is empty.
IMPACT_NOT_QUANTIFIED = "impact not quantified"
VALUE_NOT_STATED = "value not stated"


@dataclass(frozen=True)
class TrackerIssue:
    ref: str  # as users write it: "owner/repo#12" (GitHub) or "PROJ-7" (Jira)
    title: str
    body: str  # plain text
    url: str  # browser URL
    labels: tuple[str, ...]
    issue_type: str | None  # Jira issue type name; None on GitHub
    is_open: bool
    updated_at: datetime  # timezone-aware UTC
    closed_by: str | None = None
    # Closed as "not planned" (GitHub's state_reason, Jira's Won't Do resolutions): the
    # team decided against it, so its item is dropped rather than done.
    not_planned: bool = False
    is_pull_request: bool = False


def first_paragraph(body: str) -> str:
    """The body's first non-empty paragraph (blank-line separated), on one line."""
    for paragraph in re.split(r"\n\s*\n", body.replace("\r\n", "\n")):
        text = " ".join(paragraph.split())
        if text:
            return text
    return ""


def is_debt(issue: TrackerIssue, debt_markers: Iterable[str]) -> bool:
    """Debt when the issue carries a debt label (or, on Jira, has a debt issue type)."""
    markers = {marker.strip().lower() for marker in debt_markers if marker.strip()}
    names = {label.lower() for label in issue.labels}
    if issue.issue_type:
        names.add(issue.issue_type.lower())
    return bool(markers & names)


@dataclass(frozen=True)
class ImportedFields:
    kind: Kind
    title: str
    impact: str


def imported_fields(issue: TrackerIssue, debt_markers: Iterable[str]) -> ImportedFields:
    """The item an issue becomes: its kind, a title and impact within the item limits."""
    kind = Kind.DEBT if is_debt(issue, debt_markers) else Kind.FEATURE
    impact = first_paragraph(issue.body)
    if not impact:
        impact = IMPACT_NOT_QUANTIFIED if kind is Kind.DEBT else VALUE_NOT_STATED
    title = " ".join(issue.title.split()) or issue.ref
    return ImportedFields(kind, _cut(title, TITLE_MAX), _cut(impact, IMPACT_MAX))


def _cut(text: str, limit: int) -> str:
    text = text.replace("\x00", "")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_label_list(text: str) -> tuple[str, ...]:
    """`tech-debt, debt` as typed in a form: the labels, trimmed, duplicates dropped."""
    seen: dict[str, None] = {}
    for part in text.split(","):
        if part.strip():
            seen.setdefault(part.strip(), None)
    return tuple(seen)
