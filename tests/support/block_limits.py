"""Slack's Block Kit limits, checked on any message payload the bot builds."""

from __future__ import annotations

from typing import Any

from bot.slack.blocks.limits import (
    MAX_BLOCKS_PER_MESSAGE,
    MAX_FALLBACK_TEXT,
    MAX_HEADER_TEXT,
    MAX_SECTION_TEXT,
)


def limit_violations(message: dict[str, Any]) -> list[str]:
    problems = []
    blocks = message.get("blocks", [])
    if len(blocks) > MAX_BLOCKS_PER_MESSAGE:
        problems.append(f"{len(blocks)} blocks")
    if len(message.get("text", "")) > MAX_FALLBACK_TEXT:
        problems.append("fallback text too long")
    for block in blocks:
        text = block.get("text", {}).get("text", "")
        if block["type"] == "section" and len(text) > MAX_SECTION_TEXT:
            problems.append(f"section of {len(text)} chars")
        if block["type"] == "header" and len(text) > MAX_HEADER_TEXT:
            problems.append(f"header of {len(text)} chars")
    return problems
