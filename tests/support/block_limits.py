"""Slack's Block Kit limits, checked on any message payload or modal view the bot builds.

`limit_violations` is the quick check the older tests use; `message_violations` and
`view_violations` check every limit of /work/shared/slack-platform.md §7 that our builders can
reach, down to buttons, options and inputs, because Slack refuses the whole payload
(`invalid_blocks`) when any single one is broken.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from bot.slack.blocks.limits import (
    MAX_BLOCKS_PER_MESSAGE,
    MAX_BLOCKS_PER_VIEW,
    MAX_FALLBACK_TEXT,
    MAX_HEADER_TEXT,
    MAX_MESSAGE_TEXT,
    MAX_PRIVATE_METADATA,
    MAX_SECTION_TEXT,
    MAX_VIEW_TITLE,
)

MAX_FIELD_TEXT = 2000
MAX_FIELDS_PER_SECTION = 10
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ID = 255  # action_id, block_id, callback_id
MAX_INPUT_LABEL = 2000
MAX_INPUT_HINT = 2000
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_OPTIONS = 100
MAX_OVERFLOW_OPTIONS = 5
MAX_PLACEHOLDER = 150
MAX_TEXT_INPUT = 3000


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


def message_violations(message: dict[str, Any], *, posted: bool = False) -> list[str]:
    """Every limit a chat message (or an ack / response_url body) breaks; [] when Slack takes it.

    `posted`: the message goes out with chat.postMessage or chat.update, where Slack also caps
    the texts of all blocks together (MAX_MESSAGE_TEXT).
    """
    problems: list[str] = []
    text = message.get("text")
    if not isinstance(text, str) or not 1 <= len(text) <= MAX_FALLBACK_TEXT:
        # A message with blocks still needs its fallback: notifications and screen readers.
        problems.append(f"fallback text of {len(text or '')} chars")
    blocks = message.get("blocks", [])
    if not 1 <= len(blocks) <= MAX_BLOCKS_PER_MESSAGE:
        problems.append(f"{len(blocks)} blocks")
    problems += _blocks_violations(blocks, in_view=False)
    total = blocks_text_length(blocks)
    if posted and total > MAX_MESSAGE_TEXT:
        problems.append(f"blocks hold {total} characters of text in all")
    return problems


def blocks_text_length(payload: Any) -> int:
    """The characters of every text object in `payload`, the measure Slack's overall cap uses."""
    if isinstance(payload, list):
        return sum(blocks_text_length(element) for element in payload)
    if not isinstance(payload, dict):
        return 0
    own = len(payload["text"]) if isinstance(payload.get("text"), str) else 0
    return own + sum(blocks_text_length(v) for k, v in payload.items() if k != "text")


def view_violations(view: dict[str, Any]) -> list[str]:
    """Every limit a modal or App Home view breaks."""
    problems: list[str] = []
    if view.get("type") not in ("modal", "home"):
        problems.append(f"view type {view.get('type')!r}")
    for key in ("title", "submit", "close"):
        if key in view or (key == "title" and view.get("type") == "modal"):
            problems += _plain_text(view.get(key), f"view {key}", MAX_VIEW_TITLE)
    if len(view.get("callback_id", "")) > MAX_ID:
        problems.append("callback_id too long")
    if len(view.get("private_metadata", "")) > MAX_PRIVATE_METADATA:
        problems.append(f"private_metadata of {len(view['private_metadata'])} chars")
    blocks = view.get("blocks", [])
    if not 1 <= len(blocks) <= MAX_BLOCKS_PER_VIEW:
        problems.append(f"{len(blocks)} blocks in a view")
    if any(b.get("type") == "input" for b in blocks) and "submit" not in view:
        problems.append("input blocks without a submit button")
    problems += _blocks_violations(blocks, in_view=True)
    return problems


def _blocks_violations(blocks: list[dict[str, Any]], *, in_view: bool) -> list[str]:
    problems: list[str] = []
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    problems += [f"block_id {b!r} repeated" for b, n in Counter(block_ids).items() if n > 1]
    for index, block in enumerate(blocks):
        where = f"block {index} ({block.get('type')})"
        if len(block.get("block_id", "")) > MAX_ID:
            problems.append(f"{where}: block_id too long")
        problems += [f"{where}: {p}" for p in _block_violations(block, in_view)]
    return problems


def _block_violations(block: dict[str, Any], in_view: bool) -> list[str]:
    kind = block.get("type")
    if kind == "header":
        return _plain_text(block.get("text"), "header", MAX_HEADER_TEXT)
    if kind == "divider":
        return []
    if kind == "section":
        problems: list[str] = []
        fields = block.get("fields")
        if "text" not in block and not fields:
            problems.append("section with neither text nor fields")
        if "text" in block:
            problems += _text_object(block["text"], "section text", MAX_SECTION_TEXT)
        if fields is not None:
            if not 1 <= len(fields) <= MAX_FIELDS_PER_SECTION:
                problems.append(f"{len(fields)} fields")
            for field in fields:
                problems += _text_object(field, "field", MAX_FIELD_TEXT)
        if "accessory" in block:
            problems += _element_violations(block["accessory"])
        return problems
    if kind == "context":
        elements = block.get("elements", [])
        problems = [] if 1 <= len(elements) <= MAX_CONTEXT_ELEMENTS else [f"{len(elements)} els"]
        for element in elements:
            problems += _text_object(element, "context text", MAX_SECTION_TEXT)
        return problems
    if kind == "actions":
        elements = block.get("elements", [])
        problems = [] if 1 <= len(elements) <= MAX_ACTIONS_ELEMENTS else [f"{len(elements)} els"]
        action_ids = [e.get("action_id") for e in elements if "action_id" in e]
        if len(action_ids) != len(set(action_ids)):
            problems.append("action_id repeated within one actions block")
        for element in elements:
            problems += _element_violations(element)
        return problems
    if kind == "input" and in_view:
        problems = _plain_text(block.get("label"), "input label", MAX_INPUT_LABEL)
        if "hint" in block:
            problems += _plain_text(block["hint"], "input hint", MAX_INPUT_HINT)
        return problems + _element_violations(block.get("element", {}))
    return [f"unexpected block type {kind!r}"]


def _element_violations(element: dict[str, Any]) -> list[str]:
    kind = element.get("type")
    problems: list[str] = []
    if len(element.get("action_id", "")) > MAX_ID:
        problems.append(f"{kind}: action_id too long")
    if kind == "button":
        problems += _plain_text(element.get("text"), "button text", MAX_BUTTON_TEXT)
        if len(element.get("value", "")) > MAX_BUTTON_VALUE:
            problems.append("button value too long")
        if element.get("style") not in (None, "primary", "danger"):
            problems.append(f"button style {element.get('style')!r}")
        return problems
    if kind == "static_select":
        options = element.get("options", [])
        if not 1 <= len(options) <= MAX_OPTIONS:
            problems.append(f"{len(options)} options")
        for option in options:
            problems += _option_violations(option)
        if "placeholder" in element:
            problems += _plain_text(element["placeholder"], "placeholder", MAX_PLACEHOLDER)
        initial = element.get("initial_option")
        if initial is not None and initial not in options:
            problems.append("initial_option is not one of the options")
        return problems
    if kind == "overflow":
        options = element.get("options", [])
        if not 1 <= len(options) <= MAX_OVERFLOW_OPTIONS:
            problems.append(f"{len(options)} overflow options")
        for option in options:
            problems += _option_violations(option)
        return problems
    if kind in ("conversations_select", "channels_select", "users_select"):
        if "placeholder" in element:
            problems += _plain_text(element["placeholder"], "placeholder", MAX_PLACEHOLDER)
        return problems
    if kind == "plain_text_input":
        max_length = element.get("max_length", MAX_TEXT_INPUT)
        if not 1 <= max_length <= MAX_TEXT_INPUT:
            problems.append(f"max_length {max_length}")
        if len(element.get("initial_value", "")) > max_length:
            problems.append("initial_value longer than max_length")
        return problems
    if kind == "url_text_input":
        return problems
    return [f"unexpected element type {kind!r}"]


def _option_violations(option: dict[str, Any]) -> list[str]:
    problems = _plain_text(option.get("text"), "option text", MAX_OPTION_TEXT)
    if not 1 <= len(option.get("value", "")) <= MAX_OPTION_VALUE:
        problems.append("option value length")
    return problems


def _plain_text(obj: Any, what: str, limit: int) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") != "plain_text":
        return [f"{what} is not a plain_text object"]
    return _text_object(obj, what, limit)


def _text_object(obj: Any, what: str, limit: int) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        return [f"{what} is not a text object"]
    text = obj.get("text")
    # Slack refuses an empty text object as well as an overlong one.
    if not isinstance(text, str) or not 1 <= len(text) <= limit:
        return [f"{what} of {len(text) if isinstance(text, str) else text!r} chars (max {limit})"]
    return []
