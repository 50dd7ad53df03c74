"""A channel on GitHub and Jira at once: one tracker refusing us never keeps the other's
issues out of `/tradeoff import`."""

from __future__ import annotations

from sqlalchemy import select

from bot.domain.tracker_connections import ConnectionState
from bot.store.models import ItemRow
from tests.fakes.github_api import FakeGitHub
from tests.fakes.jira_api import FakeJira
from tests.support.jira_trackers import PROJECT, connect_jira
from tests.support.slack_requests import reply_text
from tests.support.trackers import CHANNEL, REPO, TrackerBot, connect_github


async def imported_refs(bot: TrackerBot) -> set[str]:
    async with bot.store.unit_of_work() as uow:
        return set(await uow.session.scalars(
            select(ItemRow.tracker_ref).where(ItemRow.team_id == bot.team_id)))


async def import_answer(bot: TrackerBot) -> str:
    before = len(bot.fake.calls_to("response_url"))
    assert "Importing" in reply_text(await bot.slack.command("/tradeoff", "import"))
    answers = await bot.fake.wait_for("response_url", count=before + 1)
    return str(answers[-1].params["text"])


async def test_a_refused_tracker_is_told_and_the_other_one_is_imported(
    bot: TrackerBot, github: FakeGitHub, jira: FakeJira
) -> None:
    github.add_issue(REPO, "Flaky deploys", "CI costs an hour a day", labels=("tech-debt",))
    jira.add_issue(PROJECT, "Dark mode", "Asked by 40 customers")
    github_id = await connect_github(bot, CHANNEL)
    await connect_jira(bot, jira, CHANNEL)

    github.fail("GET", f"/repos/{REPO}/issues", 401, message="Bad credentials")
    answer = await import_answer(bot)
    lines = answer.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"GitHub *{REPO}*: Nothing imported:") and "401" in lines[0]
    assert lines[1].startswith(f"Imported *1* from Jira *{PROJECT} on {jira.site}* (F-1)")
    assert await imported_refs(bot) == {f"{PROJECT}-1"}
    async with bot.store.unit_of_work() as uow:
        sealed = await uow.trackers.get_by_id(github_id)
    assert sealed is not None and sealed.connection.state is ConnectionState.PAUSED

    # Paused now: it is named with its reason, and Jira's issue is not imported twice.
    again = (await import_answer(bot)).splitlines()
    assert again[0].startswith("GitHub *acme/shop*: The GitHub connection is paused:")
    assert again[1].startswith("Imported *0* from Jira") and "1 already linked" in again[1]


async def test_when_every_tracker_is_refused_the_import_says_so_once(
    bot: TrackerBot, jira: FakeJira
) -> None:
    jira.add_issue(PROJECT, "Dark mode", "Asked by 40 customers")
    await connect_jira(bot, jira, CHANNEL)
    jira.fail("POST", "/rest/api/3/search/jql", 401)
    answer = await import_answer(bot)
    # One tracker, refused: the one warning it always was, not a list of one.
    assert answer == (":warning: Nothing imported: Jira refused the e-mail and API token (401): "
                      "they are wrong, or the token expired or was revoked; connect again with "
                      "a valid one.")
    assert await imported_refs(bot) == set()
