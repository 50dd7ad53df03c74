"""Modal submissions."""

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners.views import log_item_submission
from bot.store.unit_of_work import Store


def register(app: AsyncApp, store: Store) -> None:
    log_item_submission.register(app, store)
