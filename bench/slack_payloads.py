"""Slash-command and Events API bodies in the shapes Slack sends (tests/fixtures), as bytes."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from bench.loadgen import FORM, JSON, Request


def slash_command(
    command: str, text: str, *, team_id: str, channel_id: str, user_id: str, response_url: str,
    n: int,
) -> Request:
    payload = {
        "token": "verification_token",
        "team_id": team_id,
        "team_domain": "bench-domain",
        "channel_id": channel_id,
        "channel_name": "bench",
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": "A111",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": f"{n}.111.bench",
    }
    return Request(urlencode(payload).encode(), FORM)


def reaction_event(
    *, added: bool, team_id: str, channel_id: str, message_ts: str, user_id: str,
    reaction: str, event_id: str, event_ts: str,
) -> Request:
    envelope = {
        "token": "XXYYZZ",
        "team_id": team_id,
        "api_app_id": "A111",
        "event": {
            "type": "reaction_added" if added else "reaction_removed",
            "user": user_id,
            "reaction": reaction,
            "item_user": "UBOT",
            "item": {"type": "message", "channel": channel_id, "ts": message_ts,
                     "channel_type": "channel"},
            "event_ts": event_ts,
        },
        "type": "event_callback",
        "authorizations": [{"team_id": team_id, "user_id": "UBOT", "is_bot": True,
                            "is_enterprise_install": False}],
        "event_id": event_id,
        "event_time": int(float(event_ts)),
    }
    return Request(json.dumps(envelope).encode(), JSON)
