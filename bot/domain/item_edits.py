"""Editing an item: which fields changed (ChannelRoles says who may change them)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.items import Item, ItemDraft

# The fields a person edits in the form; size and interest have their own routines (and roles).
EDITABLE = ("title", "impact", "urgency", "area", "link")


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str | None
    new: str | None


def changes(item: Item, draft: ItemDraft) -> list[FieldChange]:
    """What the edit changes, in form order; empty when it changes nothing."""
    found = []
    for name in EDITABLE:
        old, new = _text(getattr(item, name)), _text(getattr(draft, name))
        if old != new:
            found.append(FieldChange(name, old, new))
    return found


def _text(value: object) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "value", value))
