"""Editing an item: which fields changed (ChannelRoles says who may change them)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.items import Item, ItemDraft

# The fields a person edits in the form; size and interest have their own routines (and roles).
# A bug's form has severity and affected users where other kinds have urgency.
EDITABLE = ("title", "impact", "urgency", "severity", "affected_per_week", "area", "link")


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str | None  # as the audit trail shows it
    new: str | None
    value: str | float | None  # what the item's field is set to


def changes(item: Item, draft: ItemDraft) -> list[FieldChange]:
    """What the edit changes, in form order; empty when it changes nothing."""
    found = []
    for name in EDITABLE:
        value = getattr(draft, name)
        old, new = _text(getattr(item, name)), _text(value)
        if old != new:
            found.append(FieldChange(name, old, new, getattr(value, "value", value)))
    return found


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return f"{value:g}"
    return str(getattr(value, "value", value))
