"""The "Add the why" modal: the rationale of one decision, in the lead's or PM's words."""

from __future__ import annotations

import json
from typing import Any

from bot.domain.decisions import RATIONALE_MAX_CHARS, Decision
from bot.slack.blocks.decision_record import decision_title

WHY_CALLBACK_ID = "decision_why"
WHY_BLOCK = "why"
_INPUT = "value"  # the action id the other forms use for their inputs


def why_modal(decision: Decision) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input", "action_id": _INPUT, "multiline": True,
        # One more than allowed, so an over-long text reaches us and is answered in the form
        # rather than cut silently by the client.
        "max_length": RATIONALE_MAX_CHARS + 1,
        "placeholder": {"type": "plain_text", "text": "What made this the right pick?"},
    }
    if decision.rationale:
        element["initial_value"] = decision.rationale.text
    return {
        "type": "modal",
        "callback_id": WHY_CALLBACK_ID,
        "private_metadata": json.dumps({"decision": decision.id}),
        "title": {"type": "plain_text", "text": f"Why: {decision_title(decision)}"[:24]},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [{
            "type": "input", "block_id": WHY_BLOCK, "element": element,
            "label": {"type": "plain_text",
                      "text": f"Why this pick (up to {RATIONALE_MAX_CHARS:,} characters)"},
        }],
    }


def submitted_why(view: dict[str, Any]) -> tuple[int | None, str]:
    """The decision the form was opened for and the text typed (never None)."""
    try:
        decision_id = json.loads(view.get("private_metadata") or "{}").get("decision")
    except ValueError:
        decision_id = None
    values = view.get("state", {}).get("values", {})
    text = values.get(WHY_BLOCK, {}).get(_INPUT, {}).get("value") or ""
    return (decision_id if isinstance(decision_id, int) else None), str(text)
