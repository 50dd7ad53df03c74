"""`tradeoff secret-key`, `tradeoff connect github` and `tradeoff import` as an operator runs
them: a real subprocess against the fake GitHub and a real database."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from bot.store.unit_of_work import Store
from tests.fakes.github_api import FakeGitHub
from tests.support.processes import TRADEOFF, clean_env

REPO = "acme/shop"
TOKEN = "github_pat_cli_test"
KEY = Fernet.generate_key().decode()


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(token=TOKEN) as fake:
        fake.add_repo(REPO)
        yield fake


def run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own executable
        [str(TRADEOFF), *args], cwd=cwd, env=clean_env(**env), capture_output=True, text=True,
        timeout=120, check=False,
    )


def stored(database_url: str, sql: str, **params: str) -> list[tuple[object, ...]]:
    async def query() -> list[tuple[object, ...]]:
        store = Store(database_url)
        try:
            async with store.engine.connect() as conn:
                return [tuple(row) for row in await conn.execute(text(sql), params)]
        finally:
            await store.close()

    return asyncio.run(query())


def test_secret_key_prints_a_fernet_key(tmp_path: Path) -> None:
    done = run("secret-key", cwd=tmp_path)
    assert done.returncode == 0
    Fernet(done.stdout.strip().encode())  # a valid key, or this raises


def test_connect_and_import_from_the_command_line(
    tmp_path: Path, github: FakeGitHub, database_url: str, team_id: str
) -> None:
    github.add_issue(REPO, "Flaky deploys", "Costs an hour a day.\n\nMore detail", labels=("debt",))
    github.add_issue(REPO, "Dark mode", "")
    github.add_issue(REPO, "A PR", pull_request=True)
    where = ("--team", team_id, "--channel", "CCLI", "--database-url", database_url)
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": github.api_url, "TRADEOFF_SECRET_KEY": KEY}

    missing_key = run("connect", "github", *where, "--repo", REPO, cwd=tmp_path,
                      GITHUB_TOKEN=TOKEN, GITHUB_API_URL=github.api_url)
    assert missing_key.returncode == 2
    assert missing_key.stderr.count("\n") == 1 and "TRADEOFF_SECRET_KEY" in missing_key.stderr

    bad = run("connect", "github", *where, "--repo", REPO, cwd=tmp_path,
              **{**env, "GITHUB_TOKEN": "github_pat_wrong"})
    assert bad.returncode == 1 and "401" in bad.stderr and "github_pat_wrong" not in bad.stderr
    assert stored(database_url, "SELECT id FROM tracker_connections WHERE team_id = :t",
                  t=team_id) == []

    done = run("connect", "github", *where, "--repo", REPO, "--webhook-secret", "s3cret",
               cwd=tmp_path, **env)
    assert done.returncode == 0, done.stderr
    assert f"connected CCLI to GitHub {REPO}" in done.stdout
    assert "/github/webhook" in done.stdout
    [(credentials, secret)] = stored(
        database_url,
        "SELECT credentials, webhook_secret FROM tracker_connections WHERE team_id = :t",
        t=team_id)
    assert TOKEN not in str(credentials) and "s3cret" not in str(secret)
    assert TOKEN in Fernet(KEY.encode()).decrypt(str(credentials).encode()).decode()

    imported = run("import", *where, cwd=tmp_path, **env)
    assert imported.returncode == 0, imported.stderr
    assert "imported 2 from acme/shop" in imported.stdout
    assert "0 already linked" in imported.stdout
    items = stored(database_url, "SELECT kind, title, impact, tracker_ref FROM items "
                   "WHERE team_id = :t ORDER BY title", t=team_id)
    assert items == [
        ("feature", "Dark mode", "value not stated", f"{REPO}#2"),
        ("debt", "Flaky deploys", "Costs an hour a day.", f"{REPO}#1"),
    ]
    again = run("import", *where, cwd=tmp_path, **env)
    assert "imported 0 from acme/shop, 2 already linked" in again.stdout


def test_the_readmes_tracker_commands_run_as_printed(
    tmp_path: Path, github: FakeGitHub, database_url: str
) -> None:
    import re
    import shlex

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Connect your tracker", 1)[1].split("\n## ", 1)[0]
    section = section.split("\n### Jira Cloud", 1)[0]  # Jira's: test_jira_connect.py
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    lines = [line for block in blocks for line in block.splitlines() if line.strip()]
    assert [shlex.split(line)[1] for line in lines] == ["secret-key", "connect", "import"]
    github.add_issue(REPO, "From the README", "It works")
    key = run(*shlex.split(lines[0])[1:], cwd=tmp_path).stdout.strip()
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": github.api_url, "TRADEOFF_SECRET_KEY": key,
           "DATABASE_URL": database_url}
    for line in lines[1:]:
        done = run(*shlex.split(line)[1:], cwd=tmp_path, **env)
        assert done.returncode == 0, (line, done.stderr)
    assert "imported 1 from acme/shop" in done.stdout
