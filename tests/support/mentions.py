"""Checking that nothing the bot sends could ping anyone on a user's behalf."""

from __future__ import annotations

import json
import re
from typing import Any

# Slack turns these into notifications: broadcasts, user groups, users, and disguised links.
_LIVE_TOKEN = re.compile(r"<(?:!|@|#|https?:|mailto:)[^>]*>")


def live_tokens(payload: Any) -> list[str]:
    """Every `<...>` token in the payload's text, except `<@U…>` the bot writes itself."""
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return [t for t in _LIVE_TOKEN.findall(text) if not t.startswith("<@U111>")]
