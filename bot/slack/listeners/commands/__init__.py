"""Slash commands: `/debt`, `/bug`, `/feature` and `/tradeoff`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.context import SlackContext
from bot.slack.listeners.commands import bug, debt, feature, tradeoff


def register(app: AsyncApp, runtime: SlackContext) -> None:
    debt.register(app, runtime)
    bug.register(app, runtime)
    feature.register(app, runtime)
    tradeoff.register(app, runtime)

