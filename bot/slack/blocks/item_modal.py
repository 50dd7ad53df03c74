"""The "log tech debt" / "log a bug" / "log a feature request" modal and reading its
submission back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.items import (
    AREA_MAX,
    IMPACT_MAX,
    TITLE_MAX,
    ItemDraft,
    Kind,
    Severity,
    Size,
    Urgency,
    make_draft,
)

CALLBACK_ID = "log_item"
EDIT_CALLBACK_ID = "edit_item"
ACTION = "value"
CHANNEL_BLOCK = "channel"

_TITLES = {
    Kind.DEBT: "Log tech debt", Kind.BUG: "Log a bug", Kind.FEATURE: "Log a feature request",
}
_IMPACT_HINTS = {
    Kind.DEBT: "What does this cost the business? Incidents, slower delivery, churn, hours lost.",
    Kind.BUG: "Who is hurt, and how? What they cannot do, errors they see, workarounds.",
    Kind.FEATURE: "Who gets what out of it? Users helped, deals unblocked, churn avoided.",
}


@dataclass(frozen=True)
class ModalContext:
    """What the submission needs to know about where the modal was opened."""

    kind: Kind
    channel_id: str  # empty: opened from the App Home, the form asks for the channel
    response_url: str | None = None
    ref: str | None = None  # set when the form edits an existing item
    home: bool = False  # opened from the App Home, which is redrawn after saving

    def to_metadata(self) -> str:
        data = {"kind": self.kind, "channel_id": self.channel_id, "url": self.response_url,
                "ref": self.ref, "home": self.home}
        return json.dumps(data)

    @classmethod
    def from_metadata(cls, metadata: str) -> ModalContext:
        data = json.loads(metadata)
        return cls(Kind(data["kind"]), data["channel_id"], data.get("url"), data.get("ref"),
                   bool(data.get("home")))


@dataclass(frozen=True)
class Prefill:
    """What the form shows when it opens: typed in a command, taken from a message, or the
    item being edited."""

    title: str = ""
    impact: str = ""
    urgency: str | None = None
    area: str = ""
    link: str = ""
    severity: str | None = None  # bugs only
    affected: str = ""  # bugs only


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


def _select(
    options: list[tuple[str, str]], placeholder: str, initial: str | None = None
) -> dict[str, Any]:
    choices = [
        {"text": {"type": "plain_text", "text": text}, "value": value} for value, text in options
    ]
    element: dict[str, Any] = {
        "type": "static_select",
        "placeholder": {"type": "plain_text", "text": placeholder},
        "options": choices,
    }
    chosen = [c for c in choices if c["value"] == initial]
    if chosen:
        element["initial_option"] = chosen[0]
    return element


def _url_input(initial: str) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "url_text_input"}
    if initial:
        element["initial_value"] = initial
    return element


def item_modal(
    context: ModalContext,
    *,
    title: str = "",
    impact: str = "",
    notice: str | None = None,
    prefill: Prefill | None = None,
) -> dict[str, Any]:
    """The modal view; `notice` (plain text) explains why it opened, e.g. a missing impact."""
    kind = context.kind
    fill = prefill or Prefill(title=title, impact=impact)
    blocks: list[dict[str, Any]] = []
    if notice:
        blocks.append({"type": "section", "text": {"type": "plain_text", "text": notice}})
    if not context.channel_id:
        blocks.append(_input(
            CHANNEL_BLOCK,
            "Channel",
            {"type": "conversations_select",
             "placeholder": {"type": "plain_text", "text": "Whose backlog is it?"},
             "filter": {"include": ["public", "private"], "exclude_bot_users": True}},
            optional=False,
            hint="Its digest lists the item; Tradeoff must be a member of the channel.",
        ))
    blocks += [
        _input("title", "Title", _text_input(TITLE_MAX, fill.title), optional=False),
        _input(
            "impact",
            kind.impact_label.capitalize(),
            _text_input(IMPACT_MAX, fill.impact, multiline=True),
            optional=False,
            hint=_IMPACT_HINTS[kind],
        ),
    ]
    if context.ref is None:
        # Sizing is the lead's call once an item exists: `/tradeoff estimate`.
        blocks.append(_input(
            "size",
            "Size / effort",
            _select([(s.value, s.value) for s in Size], "How big is it?"),
            optional=True,
        ))
    blocks += _bug_inputs(fill) if kind is Kind.BUG else [_urgency_input(fill)]
    blocks += [
        _input("area", "Affected area", _text_input(AREA_MAX, fill.area), optional=True),
        _input("link", "Link", _url_input(fill.link), optional=True),
    ]
    heading = _TITLES[kind] if context.ref is None else f"Edit {context.ref}"
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID if context.ref is None else EDIT_CALLBACK_ID,
        "private_metadata": context.to_metadata(),
        "title": {"type": "plain_text", "text": heading},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def submitted_draft(kind: Kind, values: Mapping[str, str | None]) -> ItemDraft:
    """The item the log or edit form describes, from `submitted_values`; raises
    ItemValidationError with each error under the block it belongs to."""
    return make_draft(
        kind, values["title"], values["impact"], size=values["size"],
        urgency=values["urgency"], area=values["area"], link=values["link"],
        severity=values.get("severity"), affected=values.get("affected"),
    )

def _urgency_input(fill: Prefill) -> dict[str, Any]:
    options = [(u.value, u.value.capitalize()) for u in Urgency]
    return _input("urgency", "Urgency", _select(options, "How soon?", fill.urgency),
                  optional=True)


def _bug_inputs(fill: Prefill) -> list[dict[str, Any]]:
    """A bug's severity (in place of urgency) and how many it hurts each week."""
    options = [(s.value, s.value.capitalize()) for s in Severity]
    return [
        _input("severity", "Severity", _select(options, "How bad is it?", fill.severity),
               optional=True, hint="Left empty, the bug shows as not triaged."),
        _input("affected", "Affected users or occurrences per week",
               _text_input(20, fill.affected), optional=True,
               hint="A number, e.g. 120; it counts like debt's hours per week in the score."),
    ]


FIELDS = ("title", "impact", "size", "urgency", "severity", "affected", "area", "link")


def submitted_values(view: dict[str, Any]) -> dict[str, str | None]:
    """Field name → what the user entered (None when left empty), from a view_submission."""
    values: dict[str, Any] = view.get("state", {}).get("values", {})
    result: dict[str, str | None] = {}
    for block_id in (*FIELDS, CHANNEL_BLOCK):
        state = values.get(block_id, {}).get(ACTION, {})
        selected = state.get("selected_option")
        result[block_id] = (
            selected["value"] if selected
            else state.get("selected_conversation") or state.get("value")
        )
    return result
