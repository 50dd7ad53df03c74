"""Block actions: buttons on the bot's messages."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.context import SlackContext
from bot.slack.listeners.actions import (
    agree,
    decision_why,
    estimate,
    home_buttons,
    item_menu,
    merge_duplicate,
)


def register(app: AsyncApp, runtime: SlackContext) -> None:
    agree.register(app, runtime)
    decision_why.register(app, runtime)
    estimate.register(app, runtime)
    merge_duplicate.register(app, runtime)
    item_menu.register(app, runtime)
    home_buttons.register(app, runtime)
