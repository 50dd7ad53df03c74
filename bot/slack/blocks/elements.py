"""The few Block Kit pieces every builder uses, each clipped to Slack's text limit."""

from __future__ import annotations

from typing import Any

from bot.slack.blocks.limits import MAX_SECTION_TEXT
from bot.slack.text import clip


def mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(clip(text, MAX_SECTION_TEXT))}


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(clip(text, MAX_SECTION_TEXT))]}


def text_length(payload: Any) -> int:
    """The characters of every text in `payload`: what Slack's cap on a whole message counts."""
    if isinstance(payload, list):
        return sum(text_length(element) for element in payload)
    if not isinstance(payload, dict):
        return 0
    own = len(payload["text"]) if isinstance(payload.get("text"), str) else 0
    return own + sum(text_length(value) for key, value in payload.items() if key != "text")
