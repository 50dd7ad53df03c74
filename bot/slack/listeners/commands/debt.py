"""`/debt`: a tech lead logs a tech debt item with its business impact."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.domain.items import Kind
from bot.slack.context import SlackContext
from bot.slack.listeners.commands.log_command import make_log_command


def register(app: AsyncApp, runtime: SlackContext) -> None:
    app.command("/debt")(make_log_command(Kind.DEBT, runtime.store))

