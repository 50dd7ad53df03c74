"""One structured log line per Slack request: what it was, for whom, how fast, how it ended."""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

logger = logging.getLogger("bot.requests")

# Listeners run in tasks spawned during dispatch; they inherit this box and can say how the
# request really ended (a 200 can still be "the database was down, nothing saved").
_outcome: ContextVar[dict[str, str] | None] = ContextVar("request_outcome", default=None)

_STATUS_OUTCOMES = {200: "ok", 401: "rejected", 404: "unhandled"}


def note_outcome(outcome: str) -> None:
    """Called by listeners that answered Slack fine but could not do the work."""
    box = _outcome.get()
    if box is not None:
        box["outcome"] = outcome


class LoggedApp(AsyncApp):
    """Bolt's AsyncApp, timing every dispatch: HTTP and Socket Mode both come through here.

    Bolt's global middleware cannot do this: its `next()` returns before the listener runs.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._authorize_apology = kwargs.get("user_facing_authorize_error_message")

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        box: dict[str, str] = {}
        token = _outcome.set(box)
        started = time.perf_counter()
        try:
            response = await super().async_dispatch(req)
        finally:
            _outcome.reset(token)
        if (
            response.status == 200
            and req.body.get("type") == "event_callback"
            and response.body == self._authorize_apology
        ):
            # Bolt could not check the token (auth.test failing) and apologised with a 200,
            # which for an event means "received": a vote would be acknowledged and never
            # stored. 503 makes Slack deliver it again.
            response = BoltResponse(status=503, body="")
            box.setdefault("outcome", "unauthorized_retry")
        latency_ms = round((time.perf_counter() - started) * 1000, 1)
        outcome = box.get("outcome") or _STATUS_OUTCOMES.get(response.status, "error")
        fields = describe(req.body)
        fields.update(
            team=req.context.team_id, channel=req.context.channel_id, user=req.context.user_id,
            latency_ms=latency_ms, status=response.status, outcome=outcome,
        )
        shown = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
        level = logging.INFO if outcome in ("ok", "unhandled") else logging.WARNING
        logger.log(level, "request %s", shown, extra=fields)
        return response


def describe(body: dict[str, Any]) -> dict[str, Any]:
    """The request's kind and name: never its free text, which may hold anything."""
    if "command" in body:
        return {"kind": "command", "command": body.get("command")}
    payload_type = body.get("type")
    if payload_type == "event_callback":
        event = body.get("event") or {}
        return {"kind": "event", "event": event.get("type")}
    if payload_type == "block_actions":
        actions = body.get("actions") or [{}]
        return {"kind": "action", "action": actions[0].get("action_id")}
    if payload_type in ("view_submission", "view_closed"):
        view = body.get("view") or {}
        return {"kind": payload_type, "callback_id": view.get("callback_id")}
    if payload_type in ("message_action", "shortcut"):
        return {"kind": "shortcut", "callback_id": body.get("callback_id")}
    return {"kind": str(payload_type or "unknown")}
