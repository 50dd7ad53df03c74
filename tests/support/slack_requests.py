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

from bot.domain.votes import is_vote

FIXTURES = Path(__file__).parent.parent / "fixtures"
SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_USER_ID = "UBOT"  # what the fake Slack's auth.test says the bot is


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
        self.sent_event_ids: list[str] = []

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

    async def reaction(
        self,
        message_ts: str,
        *,
        added: bool = True,
        reaction: str = "+1",
        user_id: str | None = None,
        event_id: str | None = None,
        event_ts: str | None = None,
        retry_num: int | None = None,
    ) -> httpx.Response:
        """A signed Events API delivery of reaction_added/removed on a message of the channel."""
        envelope = fixture("event_reaction_added.json")
        envelope["team_id"] = self.team_id
        envelope["authorizations"][0]["team_id"] = self.team_id
        envelope["event_id"] = event_id or f"Ev{time.time_ns()}"
        if is_vote(reaction) and user_id != BOT_USER_ID:
            # Bolt drops the bot's own events and other emoji end before the database.
            self.sent_event_ids.append(envelope["event_id"])
        envelope["event"].update(
            type="reaction_added" if added else "reaction_removed",
            user=user_id or self.user_id,
            reaction=reaction,
            item={"type": "message", "channel": self.channel_id, "ts": message_ts},
            event_ts=event_ts or f"{time.time():.6f}",
        )
        body = json.dumps(envelope).encode()
        headers = signed_headers(body, "application/json")
        if retry_num is not None:
            headers |= {"x-slack-retry-num": str(retry_num), "x-slack-retry-reason": "http_timeout"}
        return await self.http.post(self.events_url, content=body, headers=headers)

    async def event(self, event: dict[str, Any], *, event_id: str | None = None) -> httpx.Response:
        """A signed Events API delivery of `event` in this sender's workspace."""
        envelope = fixture("event_reaction_added.json")
        envelope["team_id"] = self.team_id
        envelope["authorizations"][0]["team_id"] = self.team_id
        envelope["event_id"] = event_id or f"Ev{time.time_ns()}"
        envelope["event"] = {"event_ts": f"{time.time():.6f}", **event}
        body = json.dumps(envelope).encode()
        return await self.post_signed(body, "application/json")

    def block_action(
        self, action_id: str, value: str, message_ts: str, *, user_id: str | None = None
    ) -> dict[str, Any]:
        """A block_actions payload: `user_id` pressed the button on the message at `message_ts`."""
        payload = fixture("block_actions_button.json")
        payload["user"] = {"id": user_id or self.user_id}
        payload["team"] = {"id": self.team_id}
        payload["channel"] = {"id": self.channel_id}
        payload["container"].update(message_ts=message_ts, channel_id=self.channel_id)
        payload["message"].update(ts=message_ts, team=self.team_id)
        payload["response_url"] = self.response_url
        payload["actions"] = [{
            "action_id": action_id, "block_id": "sign_off", "value": value, "type": "button",
            "text": {"type": "plain_text", "text": "Agree to this pick"},
            "action_ts": f"{time.time():.6f}",
        }]
        return payload

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
