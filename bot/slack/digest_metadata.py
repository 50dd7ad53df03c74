"""The message metadata a digest's parent and replies carry: the one thing that tells, after a
crash or a post that timed out, which messages Slack took before the poster could record them
(chat.postMessage has no idempotency key, so the channel itself is the only witness)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from bot.services.ports import ReplyKey

REPLY_EVENT = "tradeoff_digest_reply"
PARENT_EVENT = "tradeoff_digest"


def reply_metadata(key: ReplyKey) -> dict[str, Any]:
    """The `metadata` argument of chat.postMessage for the reply planned as `key`."""
    return {"event_type": REPLY_EVENT,
            "event_payload": {"run": key.run_id, "message": key.message_id}}


def parent_metadata(run_id: int) -> dict[str, Any]:
    """The `metadata` argument of chat.postMessage for the parent of digest run `run_id`."""
    return {"event_type": PARENT_EVENT, "event_payload": {"run": run_id}}


def reply_key(message: Mapping[str, Any]) -> ReplyKey | None:
    """The key a message of conversations.replies carries, or None when it is not a digest
    reply of ours (people's replies, the parent, other apps' metadata)."""
    payload = _payload(message, REPLY_EVENT)
    run, planned = payload.get("run"), payload.get("message")
    if not (_is_id(run) and _is_id(planned)):
        return None
    return ReplyKey(run, planned)


def parent_run(message: Mapping[str, Any]) -> int | None:
    """The digest run a message of conversations.history is the parent of, or None when it is
    not a digest parent of ours."""
    run = _payload(message, PARENT_EVENT).get("run")
    return run if _is_id(run) else None


def _payload(message: Mapping[str, Any], event_type: str) -> Mapping[str, Any]:
    metadata = message.get("metadata")
    if not isinstance(metadata, Mapping) or metadata.get("event_type") != event_type:
        return {}
    payload = metadata.get("event_payload")
    return payload if isinstance(payload, Mapping) else {}


def _is_id(value: object) -> TypeGuard[int]:
    return type(value) is int  # bool is an int too; not ours
