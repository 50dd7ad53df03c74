"""Events API listeners."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners.events import app_home, reactions, uninstall

if TYPE_CHECKING:
    from bot.runtime import Runtime


def register(app: AsyncApp, runtime: Runtime) -> None:
    reactions.register(app, runtime)
    uninstall.register(app, runtime)
    app_home.register(app, runtime)
