"""`/tradeoff <sub-command>`: dispatches to one handler per sub-command."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks.replies import error_reply, usage_reply
from bot.slack.command_text import parse_subcommand
from bot.slack.listeners.commands import (
    tradeoff_care,
    tradeoff_export,
    tradeoff_items,
    tradeoff_people,
    tradeoff_schedule,
    tradeoff_settings,
    tradeoff_trends,
)
from bot.slack.listeners.commands.invocation import Invocation, SubCommandHandler
from bot.slack.listeners.guard import guarded
from bot.slack.text import clip, escape

if TYPE_CHECKING:
    from bot.runtime import Runtime


async def _usage(call: Invocation) -> None:
    await call.reply(usage_reply())


SUBCOMMANDS: dict[str, SubCommandHandler] = {
    "": _usage,
    "help": _usage,
    "list": tradeoff_items.list_items,
    "done": tradeoff_items.close,
    "drop": tradeoff_items.close,
    "schedule": tradeoff_schedule.schedule,
    "digest": tradeoff_schedule.digest,
    "budget": tradeoff_settings.budget,
    "capacity": tradeoff_settings.capacity,
    "settings": tradeoff_settings.settings,
    "merge": tradeoff_items.merge,
    "role": tradeoff_people.role,
    "roles": tradeoff_people.roles,
    "history": tradeoff_people.history,
    "export": tradeoff_export.export,
    "estimate": tradeoff_care.estimate,
    "interest": tradeoff_care.interest,
    "show": tradeoff_care.show,
    "health": tradeoff_care.health,
    "trends": tradeoff_trends.trends,
}


def register(app: AsyncApp, runtime: Runtime) -> None:
    @guarded
    async def handle_tradeoff(
        ack: AsyncAck, respond: AsyncRespond, body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        sub = parse_subcommand(body.get("text", ""))
        handler = SUBCOMMANDS.get(sub.name)
        if handler is None:
            name = clip(escape(sub.name), 50)
            await ack(**error_reply(f"Unknown command `{name}`.", with_usage=True))
            return
        await handler(Invocation(runtime, sub, body, client, ack))

    app.command("/tradeoff")(handle_tradeoff)
