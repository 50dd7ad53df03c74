"""The message metadata a digest reply carries: the one thing that tells, after a crash, which
replies Slack took before the poster could record them (chat.postMessage has no idempotency
key, so the thread itself is the only witness)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.services.ports import ReplyKey

EVENT_TYPE = "tradeoff_digest_reply"


def reply_metadata(key: ReplyKey) -> dict[str, Any]:
    """The `metadata` argument of chat.postMessage for the reply planned as `key`."""
    return {"event_type": EVENT_TYPE,
            "event_payload": {"run": key.run_id, "message": key.message_id}}


def reply_key(message: Mapping[str, Any]) -> ReplyKey | None:
    """The key a message of conversations.replies carries, or None when it is not a digest
    reply of ours (people's replies, the parent, other apps' metadata)."""
    metadata = message.get("metadata")
    if not isinstance(metadata, Mapping) or metadata.get("event_type") != EVENT_TYPE:
        return None
    payload = metadata.get("event_payload")
    if not isinstance(payload, Mapping):
        return None
    run, planned = payload.get("run"), payload.get("message")
    if type(run) is not int or type(planned) is not int:  # bool is an int too; not ours
        return None
    return ReplyKey(run, planned)
