"""`/bug`: a tech lead logs a bug with who it hurts and how often."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.domain.items import Kind
from bot.slack.context import SlackContext
from bot.slack.listeners.commands.log_command import make_log_command


def register(app: AsyncApp, runtime: SlackContext) -> None:
    app.command(Kind.BUG.command)(make_log_command(Kind.BUG, runtime.store))
