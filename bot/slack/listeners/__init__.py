"""One folder per Slack surface; `register_listeners` wires every listener to the app."""

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners import commands, views
from bot.store.unit_of_work import Store


def register_listeners(app: AsyncApp, store: Store) -> None:
    commands.register(app, store)
    views.register(app, store)
