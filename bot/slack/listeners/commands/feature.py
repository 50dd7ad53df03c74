"""`/feature`: a product manager logs a feature request with its user value."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.domain.items import Kind
from bot.slack.context import SlackContext
from bot.slack.listeners.commands.log_command import make_log_command


def register(app: AsyncApp, runtime: SlackContext) -> None:
    app.command("/feature")(make_log_command(Kind.FEATURE, runtime.store))

