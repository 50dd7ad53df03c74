"""One folder per Slack surface; `register_listeners` wires every listener to the app."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.context import SlackContext
from bot.slack.listeners import actions, commands, events, shortcuts, views


def register_listeners(app: AsyncApp, runtime: SlackContext) -> None:
    commands.register(app, runtime)
    events.register(app, runtime)
    actions.register(app, runtime)
    views.register(app, runtime)
    shortcuts.register(app, runtime)

