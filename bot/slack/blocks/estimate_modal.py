"""The small "Estimate" modal a lead opens from an item's thread reply."""

from __future__ import annotations

import json
from typing import Any

from bot.domain.items import Confidence, Item, ItemRef, Size

ESTIMATE_ACTION = "estimate_item"
CALLBACK_ID = "estimate_item"
_ACTION = "value"


def estimate_button(ref: ItemRef) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": ESTIMATE_ACTION,
        "text": {"type": "plain_text", "text": "Estimate"},
        "value": str(ref),
    }


def _select(block_id: str, label: str, options: list[str], initial: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": _ACTION,
        "options": [{"text": {"type": "plain_text", "text": o}, "value": o} for o in options],
    }
    if initial:
        element["initial_option"] = {
            "text": {"type": "plain_text", "text": initial}, "value": initial
        }
    return {"type": "input", "block_id": block_id, "element": element,
            "label": {"type": "plain_text", "text": label}}


def estimate_modal(item: Item) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": json.dumps({"ref": str(item.ref)}),
        "title": {"type": "plain_text", "text": f"Estimate {item.ref}"[:24]},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {"type": "section", "text": {"type": "plain_text", "text": item.title[:2900]}},
            _select("size", "Size", [s.value for s in Size],
                    item.size.value if item.size else None),
            _select("confidence", "Confidence", [c.value for c in Confidence],
                    item.size_confidence.value if item.size_confidence else None),
        ],
    }


Estimate = tuple[ItemRef | None, Size | None, Confidence | None]


def submitted_estimate(view: dict[str, Any]) -> Estimate:
    values = view.get("state", {}).get("values", {})

    def chosen(block_id: str) -> str | None:
        option = values.get(block_id, {}).get(_ACTION, {}).get("selected_option")
        return option["value"] if option else None

    ref = ItemRef.parse(json.loads(view.get("private_metadata") or "{}").get("ref", ""))
    size = next((s for s in Size if s.value == chosen("size")), None)
    confidence = next((c for c in Confidence if c.value == chosen("confidence")), None)
    return ref, size, confidence
