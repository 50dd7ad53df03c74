"""Shortcuts: the message menu's "Log as tech debt", "Log as bug" and "Log as feature
request"."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.context import SlackContext
from bot.slack.listeners.shortcuts import log_from_message


def register(app: AsyncApp, runtime: SlackContext) -> None:
    log_from_message.register(app, runtime)
