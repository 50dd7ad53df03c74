"""Checking that nothing the bot sends could ping anyone on a user's behalf."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

# Slack turns these into notifications: broadcasts, user groups, users, and disguised links.
_LIVE_TOKEN = re.compile(r"<(?:!|@|#|https?:|mailto:)[^>]*>")
# An `&` that does not start one of mrkdwn's three entities shows up as something else.
_BARE_AMPERSAND = re.compile(r"&(?!amp;|lt;|gt;)")
# Keys whose strings Slack never renders as mrkdwn: ids, values handed back to the bot, form
# contents shown in an input box, and file contents.
_NOT_RENDERED = frozenset({
    "action_id", "block_id", "callback_id", "value", "initial_value", "private_metadata",
    "url", "type", "style", "channel", "thread_ts", "ts", "user", "trigger_id", "view_id",
    "response_type", "filename", "title", "content", "file", "file_uploads",
})


def live_tokens(payload: Any, *, allowed: Iterable[str] = ("<@U111>",)) -> list[str]:
    """Every `<...>` token in the payload's text, except the ones the bot builds itself from ids
    it trusts (by default `<@U111>`, the test user, whom replies mention)."""
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    permitted = set(allowed)
    return [t for t in _LIVE_TOKEN.findall(text) if t not in permitted]


def rendered_texts(payload: Any) -> Iterator[str]:
    """The strings of a message, view or API call that Slack renders as mrkdwn.

    `plain_text` objects, input values and ids are left out: Slack shows them verbatim, so a
    `<!channel>` there is text, not a ping (the item modal puts the title typed back into its
    input box, as it must).
    """
    if isinstance(payload, str):
        yield payload
    elif isinstance(payload, list):
        for element in payload:
            yield from rendered_texts(element)
    elif isinstance(payload, dict):
        if payload.get("type") == "plain_text":
            return
        for key, value in payload.items():
            if key in _NOT_RENDERED or key.endswith("_id"):
                continue
            yield from rendered_texts(value)


def live_rendered_tokens(payload: Any, *, allowed: Iterable[str] = ()) -> list[str]:
    """Live tokens in what Slack renders as mrkdwn, other than `allowed`."""
    permitted = set(allowed)
    return [
        token
        for text in rendered_texts(payload)
        for token in _LIVE_TOKEN.findall(text)
        if token not in permitted
    ]


def bare_ampersands(payload: Any) -> list[str]:
    """Rendered texts holding an `&` that is not an entity: Slack would show them garbled."""
    return [text for text in rendered_texts(payload) if _BARE_AMPERSAND.search(text)]
