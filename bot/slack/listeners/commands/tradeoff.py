"""`/tradeoff <sub-command>`: runs the handler the sub-command table names."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks.replies import error_reply
from bot.slack.command_text import parse_subcommand
from bot.slack.context import SlackContext
from bot.slack.listeners.commands.invocation import Invocation
from bot.slack.listeners.commands.subcommands import find, help_text
from bot.slack.listeners.guard import guarded
from bot.slack.text import clip, escape


def register(app: AsyncApp, runtime: SlackContext) -> None:
    @guarded
    async def handle_tradeoff(
        ack: AsyncAck, respond: AsyncRespond, body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        sub = parse_subcommand(body.get("text", ""))
        spec = find(sub.name)
        if spec is None:
            name = clip(escape(sub.name), 50)
            await ack(**error_reply(f"Unknown command `{name}`.", usage=help_text()))
            return
        await spec.handler(Invocation(runtime, sub, body, client, ack))

    app.command("/tradeoff")(handle_tradeoff)
