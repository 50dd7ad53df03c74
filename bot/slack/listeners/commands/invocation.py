"""One `/tradeoff <sub-command>` call: what a sub-command handler gets to work with."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks.replies import error_reply
from bot.slack.command_text import SubCommand
from bot.slack.context import SlackContext
from bot.slack.listeners.guard import STORE_DOWN_NOTHING_SAVED, UNEXPECTED
from bot.slack.responses import send_response
from bot.store.errors import StoreUnavailable

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Invocation:
    runtime: SlackContext
    sub: SubCommand
    body: dict[str, Any]
    client: AsyncWebClient
    ack: AsyncAck

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
        """Answer after the ack, through the command's response_url (retried, logged)."""
        url = self.body.get("response_url")
        if url:
            await send_response(str(url), {"response_type": "ephemeral", **message})

    def after_ack(self, work: Callable[[Invocation], Awaitable[None]]) -> None:
        """Run `work` once Slack has its answer; its failures still reach the user."""
        self.runtime.spawn(self._reporting_failures(work))

    async def _reporting_failures(self, work: Callable[[Invocation], Awaitable[None]]) -> None:
        try:
            await work(self)
        except StoreUnavailable as exc:
            logger.warning("store unavailable after ack: %s", exc)
            await self.reply_later(error_reply(STORE_DOWN_NOTHING_SAVED))
        except Exception:
            logger.exception("/tradeoff %s failed after the ack", self.sub.name)
            await self.reply_later(error_reply(UNEXPECTED))


SubCommandHandler = Callable[[Invocation], Awaitable[None]]
