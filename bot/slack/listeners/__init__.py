"""One folder per Slack surface; `register_listeners` wires every listener to the app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners import actions, commands, events, shortcuts, views

if TYPE_CHECKING:
    from bot.runtime import Runtime


def register_listeners(app: AsyncApp, runtime: Runtime) -> None:
    commands.register(app, runtime)
    events.register(app, runtime)
    actions.register(app, runtime)
    views.register(app, runtime)
    shortcuts.register(app, runtime)

