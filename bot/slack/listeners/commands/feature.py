"""`/feature`: a product manager logs a feature request with its user value."""

from slack_bolt.async_app import AsyncApp

from bot.domain.items import Kind
from bot.slack.listeners.commands.log_command import make_log_command
from bot.store.unit_of_work import Store


def register(app: AsyncApp, store: Store) -> None:
    app.command("/feature")(make_log_command(Kind.FEATURE, store))
