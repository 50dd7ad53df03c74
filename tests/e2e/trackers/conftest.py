"""The tracker bridge's end-to-end tests: the bot served against the fake Slack and a fake
GitHub holding one repository (the Jira tests add a fake Jira holding one project), the
channel's lead and PM set, on a database of each test's own (polls and write-backs serve
every workspace of the database at once, so no other test's connections may be there)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bot.store.unit_of_work import Store
from tests.fakes.github_api import FakeGitHub
from tests.fakes.jira_api import FakeJira
from tests.fakes.slack_api import FakeSlack
from tests.support.jira_trackers import JIRA_API_TOKEN, JIRA_EMAIL, PROJECT
from tests.support.trackers import (
    CHANNEL,
    GITHUB_TOKEN,
    LEAD,
    REPO,
    TrackerBot,
    give_roles,
    tracker_bot,
    tracker_settings,
)


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(token=GITHUB_TOKEN) as fake:
        fake.add_repo(REPO)
        yield fake


@pytest.fixture
def database_url(fresh_database_url: str) -> str:
    return fresh_database_url


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    own = Store(database_url)
    yield own
    await own.close()


@pytest.fixture
async def bot(
    database_url: str, store: Store, fake_slack: FakeSlack, github: FakeGitHub, team_id: str
) -> AsyncIterator[TrackerBot]:
    settings = tracker_settings(database_url, fake_slack, github)
    async with tracker_bot(settings, store, fake_slack, github, team_id) as running:
        await give_roles(store, team_id, CHANNEL)
        running.slack.user_id = LEAD
        yield running


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    with FakeJira(JIRA_EMAIL, JIRA_API_TOKEN) as fake:
        fake.add_project(PROJECT, "Shop")
        yield fake
