"""Items to and from their rows: the one mapping between ItemRow and the domain's Item."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from bot.domain.items import Confidence, Item, ItemRef, Kind, Severity, Size, Status, Urgency
from bot.store.models import ItemRow


def item_from_row(row: ItemRow | Row[Any], votes: int, voters: list[str] | None = None) -> Item:
    """The Item a stored row (or a new ORM object) stands for, with its votes."""
    # Rows are read by key: a Row's attribute access costs more than the rest of this per
    # item, and a list reads hundreds of them.
    values: Any = row._mapping if isinstance(row, Row) else _ByAttribute(row)
    size, urgency = values["size"], values["urgency"]
    merged_into, confidence = values["merged_into"], values["size_confidence"]
    severity = values["severity"]
    return Item(
        ref=ItemRef(Kind(values["kind"]), values["number"]),
        team_id=values["team_id"],
        channel_id=values["channel_id"],
        title=values["title"],
        impact=values["impact"],
        author_id=values["author_id"],
        status=Status(values["status"]),
        created_at=values["created_at"],
        updated_at=values["updated_at"],
        size=Size(size) if size else None,
        urgency=Urgency(urgency) if urgency else None,
        area=values["area"],
        link=values["link"],
        closed_at=values["closed_at"],
        closed_by=values["closed_by"],
        interest=values["interest"],
        merged_into=ItemRef.parse(merged_into) if merged_into else None,
        size_confidence=Confidence(confidence) if confidence else None,
        severity=Severity(severity) if severity else None,
        affected_per_week=values["affected_per_week"],
        tracker_ref=values["tracker_ref"],
        votes=int(votes),
        voters=voters or [],
    )


class _ByAttribute:
    """An ORM object read like a row mapping (unset attributes of a new object are None)."""

    def __init__(self, row: ItemRow) -> None:
        self._row = row

    def __getitem__(self, key: str) -> Any:
        return getattr(self._row, key)


def size_text(size: Size | None, confidence: Confidence | None) -> str | None:
    """A size as the audit trail writes it: `M`, or `M (high confidence)`."""
    if size is None:
        return None
    return f"{size.value} ({confidence.value} confidence)" if confidence else size.value
