"""Which adapter serves which kind of connection, with the process's settings."""

from __future__ import annotations

from bot.config import Settings
from bot.domain.tracker_connections import TrackerConnection, TrackerCredentials, TrackerKind
from bot.services.ports import Tracker, TrackerFailure
from bot.services.tracker_access import TrackerFactory
from bot.trackers.github import GitHubTracker
from bot.trackers.jira import JiraTracker


def tracker_factory(settings: Settings) -> TrackerFactory:
    def open_tracker(connection: TrackerConnection, credentials: TrackerCredentials) -> Tracker:
        if connection.kind is TrackerKind.GITHUB:
            return GitHubTracker(settings.github_api_url, connection.target, credentials.token)
        if connection.kind is TrackerKind.JIRA and connection.project and credentials.email:
            return JiraTracker(connection.target, connection.project, credentials.email,
                               credentials.token)
        if connection.kind is TrackerKind.JIRA:
            raise TrackerFailure("invalid", "the Jira connection lacks its project key or "
                                            "e-mail; connect again")
        raise TrackerFailure("invalid", f"this version of the bot has no {connection.kind.label} "
                                        "adapter")

    return open_tracker
