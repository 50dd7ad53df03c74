"""The messages the fake Slack took, kept per channel and thread, so `conversations.replies`
and `conversations.history` can answer with what was really posted (message metadata
included) a page at a time."""

from __future__ import annotations

import copy
import threading
from decimal import Decimal
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

    def history(self, params: dict[str, Any]) -> dict[str, Any]:
        """conversations.history: the channel's top-level messages (a thread's parent, not its
        replies), newest first, after `oldest` and before `latest` (both left out unless
        `inclusive`); `cursor` is the next offset."""
        if self.scopes_missing:
            return self._missing_scope()
        channel = str(params.get("channel", ""))
        inclusive = params.get("inclusive") in _TRUE
        oldest, latest = Decimal(str(params.get("oldest") or 0)), params.get("latest")
        newest = Decimal(str(latest)) if latest else None

        def within(ts: Decimal) -> bool:
            after = ts >= oldest if inclusive else ts > oldest
            before = newest is None or (ts <= newest if inclusive else ts < newest)
            return after and before

        with self._lock:
            parents = [copy.deepcopy(thread[0]) for (chan, root), thread in self._threads.items()
                       if chan == channel and thread[0]["ts"] == root]
        shown = sorted((m for m in parents if within(Decimal(m["ts"]))),
                       key=lambda m: Decimal(m["ts"]), reverse=True)
        return self._page(shown, params)

    def replies(self, params: dict[str, Any]) -> dict[str, Any]:
        """conversations.replies: the parent first, then its replies, oldest first; `cursor` is
        the next offset. Metadata is only shown with `include_all_metadata`, as on Slack."""
        if self.scopes_missing:
            return self._missing_scope()
        channel, ts = str(params.get("channel", "")), str(params.get("ts", ""))
        thread = self.messages(channel, ts)
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        return self._page(thread, params)

    def _page(self, messages: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
        limit = max(1, min(int(params.get("limit") or 1000), 1000, self.page_cap))
        start = int(params.get("cursor") or 0)
        page = messages[start:start + limit]
        if params.get("include_all_metadata") not in _TRUE:
            for message in page:
                message.pop("metadata", None)
        more = start + limit < len(messages)
        return {"ok": True, "messages": page, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    @staticmethod
    def _missing_scope() -> dict[str, Any]:
        return {"ok": False, "error": "missing_scope",
                "needed": "channels:history,groups:history", "provided": "chat:write"}
