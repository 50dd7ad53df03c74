"""The "log tech debt" / "log a feature request" modal and reading its submission back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.domain.items import AREA_MAX, IMPACT_MAX, TITLE_MAX, Kind, Size, Urgency

CALLBACK_ID = "log_item"
ACTION = "value"

_TITLES = {Kind.DEBT: "Log tech debt", Kind.FEATURE: "Log a feature request"}
_IMPACT_HINTS = {
    Kind.DEBT: "What does this cost the business? Incidents, slower delivery, churn, hours lost.",
    Kind.FEATURE: "Who gets what out of it? Users helped, deals unblocked, churn avoided.",
}


@dataclass(frozen=True)
class ModalContext:
    """What the submission needs to know about where the modal was opened."""

    kind: Kind
    channel_id: str
    response_url: str | None = None

    def to_metadata(self) -> str:
        data = {"kind": self.kind, "channel_id": self.channel_id, "url": self.response_url}
        return json.dumps(data)

    @classmethod
    def from_metadata(cls, metadata: str) -> ModalContext:
        data = json.loads(metadata)
        return cls(Kind(data["kind"]), data["channel_id"], data.get("url"))


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool, hint: str | None = None
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": {**element, "action_id": ACTION},
        "optional": optional,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def _text_input(max_length: int, initial: str, *, multiline: bool = False) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "max_length": max_length,
        "multiline": multiline,
    }
    if initial:
        element["initial_value"] = initial[:max_length]
    return element


def _select(options: list[tuple[str, str]], placeholder: str) -> dict[str, Any]:
    return {
        "type": "static_select",
        "placeholder": {"type": "plain_text", "text": placeholder},
        "options": [
            {"text": {"type": "plain_text", "text": text}, "value": value}
            for value, text in options
        ],
    }


def item_modal(
    context: ModalContext, *, title: str = "", impact: str = "", notice: str | None = None
) -> dict[str, Any]:
    """The modal view; `notice` (plain text) explains why it opened, e.g. a missing impact."""
    kind = context.kind
    blocks: list[dict[str, Any]] = []
    if notice:
        blocks.append({"type": "section", "text": {"type": "plain_text", "text": notice}})
    blocks += [
        _input("title", "Title", _text_input(TITLE_MAX, title), optional=False),
        _input(
            "impact",
            kind.impact_label.capitalize(),
            _text_input(IMPACT_MAX, impact, multiline=True),
            optional=False,
            hint=_IMPACT_HINTS[kind],
        ),
        _input(
            "size",
            "Size / effort",
            _select([(s.value, s.value) for s in Size], "How big is it?"),
            optional=True,
        ),
        _input(
            "urgency",
            "Urgency",
            _select([(u.value, u.value.capitalize()) for u in Urgency], "How soon?"),
            optional=True,
        ),
        _input("area", "Affected area", _text_input(AREA_MAX, ""), optional=True),
        _input("link", "Link", {"type": "url_text_input"}, optional=True),
    ]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": context.to_metadata(),
        "title": {"type": "plain_text", "text": _TITLES[kind]},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def submitted_values(view: dict[str, Any]) -> dict[str, str | None]:
    """Field name → what the user entered (None when left empty), from a view_submission."""
    values: dict[str, Any] = view.get("state", {}).get("values", {})
    result: dict[str, str | None] = {}
    for block_id in ("title", "impact", "size", "urgency", "area", "link"):
        state = values.get(block_id, {}).get(ACTION, {})
        selected = state.get("selected_option")
        result[block_id] = selected["value"] if selected else state.get("value")
    return result
