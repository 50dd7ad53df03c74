"""Connecting a channel to Jira Cloud from Slack's modal and from the command line: the
e-mail and API token are checked with the fake Jira before anything is stored, a refusal is
one line saying what failed, and what is stored is sealed."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.store.models import TrackerConnectionRow
from bot.store.unit_of_work import Store
from tests.fakes.jira_api import FakeJira
from tests.support.jira_trackers import JIRA_API_TOKEN, JIRA_EMAIL, PROJECT
from tests.support.processes import TRADEOFF, clean_env
from tests.support.trackers import TrackerBot


async def connections(store: Store, team_id: str) -> list[TrackerConnectionRow]:
    async with store.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(TrackerConnectionRow).where(TrackerConnectionRow.team_id == team_id))
        return list(rows)


async def opened_modal(bot: TrackerBot, jira: FakeJira, project: str = PROJECT) -> dict[str, Any]:
    answer = await bot.slack.command("/tradeoff", f"connect jira <{jira.site}> {project}")
    assert answer.status_code == 200
    [opened] = await bot.fake.wait_for("views.open")
    view: dict[str, Any] = opened.params["view"]
    return view


def problem_line(view: dict[str, Any]) -> str:
    text = str(view["blocks"][0]["text"]["text"])
    assert text.startswith(":warning: Not connected: ") and "\n" not in text
    return text


async def test_the_modal_checks_email_and_token_and_stores_them_sealed(
    bot: TrackerBot, jira: FakeJira
) -> None:
    view = await opened_modal(bot, jira)
    block_ids = [b.get("block_id") for b in view["blocks"]]
    assert {"email", "token", "labels"} <= set(block_ids)
    assert f"{PROJECT} on {jira.site}" in str(view["blocks"])

    payload = bot.slack.view_submission(view, {
        "email": JIRA_EMAIL, "token": JIRA_API_TOKEN, "labels": "tech-debt, Tech Debt"})
    ack = await bot.slack.interaction(payload)
    assert "Checking the token with Jira" in str(ack.json()["view"]["blocks"])
    [done] = await bot.fake.wait_for("views.update")
    assert "Connected" in str(done.params["view"]["title"])
    assert "polling" in str(done.params["view"]["blocks"])
    [row] = await connections(bot.store, bot.team_id)
    assert (row.kind, row.target, row.project, row.debt_labels, row.state) == (
        "jira", jira.site, PROJECT, "tech-debt,Tech Debt", "active")
    assert JIRA_API_TOKEN not in row.credentials and JIRA_EMAIL not in row.credentials
    [announced] = await bot.fake.wait_for("chat.postMessage")
    assert "Jira *Shop*" in announced.params["text"]
    # The check asked who the account is, then for the project.
    assert [c.path for c in jira.calls] == ["/rest/api/3/myself", f"/rest/api/3/project/{PROJECT}"]
    text = str((await bot.slack.command("/tradeoff", "connections")).json())
    assert f"Jira *{PROJECT} on {jira.site}*: active" in text and JIRA_API_TOKEN not in text


async def test_a_missing_email_or_a_bad_token_is_refused_and_nothing_is_stored(
    bot: TrackerBot, jira: FakeJira
) -> None:
    view = await opened_modal(bot, jira)
    ack = await bot.slack.interaction(bot.slack.view_submission(
        view, {"token": JIRA_API_TOKEN, "labels": "tech-debt"}))
    assert ack.json() == {"response_action": "errors",
                          "errors": {"email": "Give the account's e-mail."}}
    assert jira.calls == []  # nothing is asked of Jira without the e-mail

    payload = bot.slack.view_submission(view, {
        "email": JIRA_EMAIL, "token": "ATATT-not-the-token", "labels": "tech-debt"})
    await bot.slack.interaction(payload)
    [refused] = await bot.fake.wait_for("views.update")
    line = problem_line(refused.params["view"])
    assert "Jira refused the e-mail and API token (401)" in line
    assert "ATATT-not-the-token" not in str(refused.params["view"])
    assert await connections(bot.store, bot.team_id) == []


async def test_a_project_that_does_not_exist_is_refused_in_one_line(
    bot: TrackerBot, jira: FakeJira
) -> None:
    view = await opened_modal(bot, jira, "NOPE")
    payload = bot.slack.view_submission(view, {"email": JIRA_EMAIL, "token": JIRA_API_TOKEN,
                                               "labels": "tech-debt"})
    await bot.slack.interaction(payload)
    [refused] = await bot.fake.wait_for("views.update")
    assert "Jira has no project NOPE that this account can see (404)" in problem_line(
        refused.params["view"])
    assert await connections(bot.store, bot.team_id) == []


def run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own executable
        [str(TRADEOFF), *args], cwd=cwd, env=clean_env(**env), capture_output=True, text=True,
        timeout=120, check=False,
    )


def readme_lines() -> list[str]:
    """The command lines of the README's Jira walk-through, as printed."""
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    section = readme.split("\n### Jira Cloud", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


@pytest.mark.slow  # two processes of the CLI, about 3 s each
def test_the_readmes_jira_commands_connect_and_import_as_printed(
    tmp_path: Path, jira: FakeJira, database_url: str, team_id: str
) -> None:
    jira.add_issue(PROJECT, "Flaky deploys", "Costs an hour a day.", issue_type="Tech Debt")
    jira.add_issue(PROJECT, "Dark mode", "")
    lines = readme_lines()
    assert [shlex.split(line)[:2] for line in lines] == [["tradeoff", "connect"],
                                                         ["tradeoff", "import"]]
    # As printed, but for the fake's site and this test's workspace.
    commands = [shlex.split(line.replace("https://acme.atlassian.net", jira.site)
                            .replace("T0123ABCD", team_id))[1:] for line in lines]
    env = {"JIRA_EMAIL": JIRA_EMAIL, "JIRA_API_TOKEN": JIRA_API_TOKEN,
           "TRADEOFF_SECRET_KEY": Fernet.generate_key().decode(), "DATABASE_URL": database_url}

    done = run(*commands[0], cwd=tmp_path, **env)
    assert done.returncode == 0, done.stderr
    assert f"connected C0123ABCD to Jira Shop ({PROJECT} on {jira.site})" in done.stdout
    imported = run(*commands[1], cwd=tmp_path, **env)
    assert imported.returncode == 0, imported.stderr
    assert f"imported 2 from {PROJECT} on {jira.site} (D-1, F-1), 0 already linked" in (
        imported.stdout)
