"""Shortcuts: the message menu's "Log as tech debt", "Log as bug" and "Log as feature
request"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners.shortcuts import log_from_message

if TYPE_CHECKING:
    from bot.runtime import Runtime


def register(app: AsyncApp, runtime: Runtime) -> None:
    log_from_message.register(app, runtime)
