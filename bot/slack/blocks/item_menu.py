"""The "⋯" menu on an item, in its digest reply and on the App Home: edit, done, drop."""

from __future__ import annotations

from typing import Any

from bot.domain.items import ItemRef

ITEM_MENU_ACTION = "item_menu"
_CHOICES = (("edit", "Edit"), ("done", "Mark done"), ("drop", "Drop"))


def item_menu(ref: ItemRef) -> dict[str, Any]:
    return {
        "type": "overflow",
        "action_id": ITEM_MENU_ACTION,
        "options": [
            {"text": {"type": "plain_text", "text": label}, "value": f"{choice}:{ref}"}
            for choice, label in _CHOICES
        ],
    }


def chosen(value: str) -> tuple[str, ItemRef] | None:
    """The menu choice and item from an option's value; None for anything we did not build."""
    choice, _, ref_text = value.partition(":")
    ref = ItemRef.parse(ref_text)
    if choice not in {c for c, _ in _CHOICES} or ref is None:
        return None
    return choice, ref
