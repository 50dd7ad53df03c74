"""Slash commands: `/debt`, `/feature` and `/tradeoff`."""

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners.commands import debt, feature, tradeoff
from bot.store.unit_of_work import Store

COMMANDS = ("/debt", "/feature", "/tradeoff")


def register(app: AsyncApp, store: Store) -> None:
    debt.register(app, store)
    feature.register(app, store)
    tradeoff.register(app, store)
