"""One `/tradeoff <sub-command>` call: what a sub-command handler gets to work with."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.command_text import SubCommand

if TYPE_CHECKING:
    from bot.runtime import Runtime


@dataclass(frozen=True)
class Invocation:
    runtime: Runtime
    sub: SubCommand
    body: dict[str, Any]
    client: AsyncWebClient
    ack: AsyncAck
    respond: AsyncRespond

    @property
    def team_id(self) -> str:
        return str(self.body["team_id"])

    @property
    def channel_id(self) -> str:
        return str(self.body["channel_id"])

    @property
    def user_id(self) -> str:
        return str(self.body["user_id"])

    async def reply(self, message: dict[str, Any]) -> None:
        """Answer in the ack: ephemeral unless the message says in_channel."""
        await self.ack(**message)

    async def reply_later(self, message: dict[str, Any]) -> None:
        """Answer after the ack, through the command's response_url."""
        await self.respond(**{"response_type": "ephemeral", **message})


SubCommandHandler = Callable[[Invocation], Awaitable[None]]
