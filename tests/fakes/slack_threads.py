"""The messages the fake Slack took, kept per channel and thread, so `conversations.replies`
can answer with what was really posted (message metadata included) a page at a time."""

from __future__ import annotations

import copy
import threading
from typing import Any

_TRUE = ("1", "true", True)


class Threads:
    """Every message `chat.postMessage` took, by channel and thread (a parent is its own
    thread). Safe to use from the fake's server threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._threads: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.scopes_missing = False  # True: answer as for an install without history scopes
        # The most messages a page holds whatever `limit` asks (Slack caps some apps at 15).
        self.page_cap = 1000

    def add(self, channel: str, message: dict[str, Any]) -> None:
        root = str(message.get("thread_ts") or message["ts"])
        with self._lock:
            self._threads.setdefault((channel, root), []).append(copy.deepcopy(message))

    def messages(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        """The thread's parent and replies, oldest first (a copy)."""
        with self._lock:
            return copy.deepcopy(self._threads.get((channel, thread_ts), []))

    def replies(self, params: dict[str, Any]) -> dict[str, Any]:
        """conversations.replies: the parent first, then its replies, oldest first; `cursor` is
        the next offset. Metadata is only shown with `include_all_metadata`, as on Slack."""
        if self.scopes_missing:
            return {"ok": False, "error": "missing_scope",
                    "needed": "channels:history,groups:history", "provided": "chat:write"}
        channel, ts = str(params.get("channel", "")), str(params.get("ts", ""))
        thread = self.messages(channel, ts)
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        limit = max(1, min(int(params.get("limit") or 1000), 1000, self.page_cap))
        start = int(params.get("cursor") or 0)
        page = thread[start:start + limit]
        if params.get("include_all_metadata") not in _TRUE:
            for message in page:
                message.pop("metadata", None)
        more = start + limit < len(thread)
        return {"ok": True, "messages": page, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}
