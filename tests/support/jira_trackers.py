"""The bot under test connected to the fake Jira: its account, project and a connected channel."""

from __future__ import annotations

from bot.domain.tracker_connections import TrackerCredentials, TrackerKind
from bot.services.connect_tracker import ConnectRequest, connect_tracker
from bot.trackers.factory import tracker_factory
from tests.fakes.jira_api import FakeJira
from tests.support.trackers import LEAD, TrackerBot

JIRA_EMAIL = "lena@acme.example"
JIRA_API_TOKEN = "ATATT3xFfGF0-jira-e2e-token"
PROJECT = "SHOP"
DEBT_MARKERS = ("tech-debt", "Tech Debt")  # a label, and an issue type


async def connect_jira(
    bot: TrackerBot, jira: FakeJira, channel_id: str, *,
    markers: tuple[str, ...] = DEBT_MARKERS,
) -> int:
    """Connect the channel directly through the use case; the connection's id."""
    connected = await connect_tracker(
        bot.store, bot.box, tracker_factory(bot.settings),
        ConnectRequest(team_id=bot.team_id, channel_id=channel_id, kind=TrackerKind.JIRA,
                       target=jira.site, project=PROJECT,
                       credentials=TrackerCredentials(JIRA_API_TOKEN, JIRA_EMAIL),
                       webhook_secret=None, debt_labels=markers, by_user=LEAD),
        check_role=False,
    )
    return connected.connection.id
