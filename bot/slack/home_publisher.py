"""Drawing someone's App Home: their channels from Slack, their backlog from the database."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.app_home import HomeData, home_data
from bot.slack.blocks.home import home_view
from bot.slack.errors import slack_error_code
from bot.store.errors import StoreUnavailable
from bot.store.unit_of_work import Store

logger = logging.getLogger(__name__)

# users.conversations pages hold up to 1,000; five pages cover anyone's channel list.
_PAGE_SIZE = 1000
_MAX_PAGES = 5
HOME_STORE_DOWN = "Tradeoff can't reach its database right now. Open this tab again in a minute."
NO_CHANNEL_LIST = (
    "Tradeoff could not read your channel list, so no channel's backlog is shown here. "
    "An admin can reinstall the app to grant it channels:read and groups:read."
)


async def member_channels(client: AsyncWebClient, user_id: str) -> list[str] | None:
    """The channels the person is in (the private ones only where the bot is too); None
    when Slack would not say."""
    channels: list[str] = []
    cursor = None
    for _page in range(_MAX_PAGES):
        try:
            answer = await client.users_conversations(
                user=user_id, types="public_channel,private_channel", exclude_archived=True,
                limit=_PAGE_SIZE, cursor=cursor,
            )
        except SlackApiError as exc:
            logger.warning("users.conversations for %s failed: %s", user_id,
                           slack_error_code(exc))
            return None
        channels += [c["id"] for c in answer.get("channels") or [] if c.get("id")]
        cursor = (answer.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    return channels


async def publish_home(
    store: Store, client: AsyncWebClient, *, team_id: str, user_id: str,
    notice: str | None = None,
) -> None:
    """Redraw the person's Home; `notice` (plain words) heads it, e.g. why an action failed."""
    channels = await member_channels(client, user_id)
    try:
        data = await home_data(
            store, team_id=team_id, user_id=user_id, channel_ids=channels or []
        )
    except StoreUnavailable as exc:
        logger.warning("Home of %s drawn without data: %s", user_id, exc)
        data, notice = HomeData([], 0, []), HOME_STORE_DOWN
    if channels is None:
        notice = f"{notice} {NO_CHANNEL_LIST}" if notice else NO_CHANNEL_LIST
    view = home_view(data, notice=notice)
    try:
        await client.views_publish(user_id=user_id, view=view)
    except SlackApiError as exc:
        logger.warning("views.publish for %s failed: %s", user_id, slack_error_code(exc))
