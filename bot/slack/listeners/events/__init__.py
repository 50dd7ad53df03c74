"""Events API listeners."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.context import SlackContext
from bot.slack.listeners.events import app_home, reactions, uninstall


def register(app: AsyncApp, runtime: SlackContext) -> None:
    reactions.register(app, runtime)
    uninstall.register(app, runtime)
    app_home.register(app, runtime)
