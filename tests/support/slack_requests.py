"""Requests to the bot, built from real Slack payload shapes and signed exactly as Slack signs."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

FIXTURES = Path(__file__).parent.parent / "fixtures"
SIGNING_SECRET = "test-signing-secret-0123456789abcdef"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def signed_headers(
    body: bytes, content_type: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": ts,
        "x-slack-signature": signature,
    }


class SlackSender:
    """Posts signed slash commands and interactivity payloads to a running bot."""

    def __init__(
        self, http: httpx.AsyncClient, events_url: str, response_url: str, team_id: str
    ) -> None:
        self.http = http
        self.events_url = events_url
        self.response_url = response_url
        self.team_id = team_id
        self.channel_id = "C111"
        self.user_id = "U111"

    async def post_signed(
        self, body: bytes, content_type: str, **header_kwargs: Any
    ) -> httpx.Response:
        headers = signed_headers(body, content_type, **header_kwargs)
        return await self.http.post(self.events_url, content=body, headers=headers)

    def command_body(self, command: str, text: str, **fields: str) -> bytes:
        payload = fixture("slash_command.json")
        payload.pop("enterprise_id")
        payload.pop("enterprise_name")
        payload.update(
            command=command,
            text=text,
            team_id=self.team_id,
            channel_id=self.channel_id,
            user_id=self.user_id,
            response_url=self.response_url,
            trigger_id=f"{time.time_ns()}.111.abc",
            api_app_id="A111",
            is_enterprise_install="false",
        )
        payload.update(fields)
        return urlencode(payload).encode()

    async def command(self, command: str, text: str = "", **fields: str) -> httpx.Response:
        body = self.command_body(command, text, **fields)
        return await self.post_signed(body, "application/x-www-form-urlencoded")

    async def interaction(self, payload: dict[str, Any]) -> httpx.Response:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self.post_signed(body, "application/x-www-form-urlencoded")

    def view_submission(self, view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        """A view_submission payload for `view` (as the bot opened it) with these field values.

        `values` maps block ids to a text value, or to ("select", value) for a select.
        """
        payload = fixture("view_submission.json")
        payload["team"] = {"id": self.team_id, "domain": "workspace-domain"}
        payload["user"] = {"id": self.user_id, "name": "lead", "team_id": self.team_id}
        submitted = copy.deepcopy(view)
        submitted.update(id="V123", team_id=self.team_id, hash="1596530361.3wRYuk3R")
        state: dict[str, Any] = {}
        for block_id, value in values.items():
            if isinstance(value, tuple):
                option = {"text": {"type": "plain_text", "text": value[1]}, "value": value[1]}
                state[block_id] = {"value": {"type": "static_select", "selected_option": option}}
            else:
                state[block_id] = {"value": {"type": "plain_text_input", "value": value}}
        submitted["state"] = {"values": state}
        payload["view"] = submitted
        return payload


def reply_text(response: httpx.Response) -> str:
    """Everything a user sees in an ack body: the text and every section's text."""
    data = response.json()
    parts = [data.get("text") or ""]
    for block in data.get("blocks", []):
        if "text" in block:
            parts.append(block["text"]["text"])
    return "\n".join(parts)
