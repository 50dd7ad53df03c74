"""A new user's first hour with the `tradeoff` command, each step a real subprocess: the demo's
"Try next" commands work as printed, read-only commands never create a database, migrate says
what it did, and every mistake gets one precise line."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from alembic import command
from sqlalchemy.engine import make_url

from bot.store.migrate import alembic_config, head_revision
from tests.conftest import BOT_TOKEN
from tests.fakes.slack_api import FakeSlack
from tests.support.cli import assert_one_line_error, run_tradeoff
from tests.support.db import sqlite_table_names
from tests.support.processes import TRADEOFF, clean_env

PG_URL = os.environ.get("TEST_DATABASE_URL")
needs_pg = pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """One `tradeoff demo` run in an empty directory, shared by the tests that read it."""
    cwd = tmp_path_factory.mktemp("demo")
    result = run_tradeoff("demo", cwd=cwd)
    assert result.returncode == 0, result.stderr
    yield cwd, result.stdout


def try_next(stdout: str) -> list[list[str]]:
    """The commands the demo's "Try next" list prints, split as a shell would."""
    listed = stdout[stdout.index("Try next:"):].splitlines()[1:]
    return [shlex.split(line) for line in listed if line.startswith("  tradeoff ")]


def run_printed(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    assert argv[0] == "tradeoff"
    return run_tradeoff(*argv[1:], cwd=cwd)


# --- the demo's "Try next" --------------------------------------------------------------------


def test_demo_names_its_workspace_channel_and_database(demo_dir: tuple[Path, str]) -> None:
    _, out = demo_dir
    assert "Demo data is in sqlite:///./tradeoff-demo.db, workspace TDEMO, channel CDEMO." in out
    subcommands = [argv[1] for argv in try_next(out)]
    assert subcommands == ["digest", "trends", "serve"]


def test_the_printed_digest_command_prints_the_demo_digest(demo_dir: tuple[Path, str]) -> None:
    cwd, out = demo_dir
    [digest] = [argv for argv in try_next(out) if argv[1] == "digest"]
    assert "--dry-run" in digest

    result = run_printed(digest, cwd)

    assert result.returncode == 0, result.stderr
    assert "Tradeoff digest · CDEMO" in result.stdout
    assert "1. D-1  Flaky checkout integration tests" in result.stdout
    assert "Recommended for the next cycle" in result.stdout


def test_the_printed_trends_command_writes_the_chart(demo_dir: tuple[Path, str]) -> None:
    cwd, out = demo_dir
    [trends] = [argv for argv in try_next(out) if argv[1] == "trends"]
    chart = cwd / trends[trends.index("--out") + 1]

    result = run_printed(trends, cwd)

    assert result.returncode == 0, result.stderr
    assert chart.read_bytes().startswith(b"\x89PNG")
    assert f"Chart written to {chart.name}" in result.stdout
    assert "in 3 decisions" in result.stdout


def test_the_printed_serve_command_names_all_it_still_needs(demo_dir: tuple[Path, str]) -> None:
    cwd, out = demo_dir
    [serve] = [argv for argv in try_next(out) if argv[1] == "serve"]
    assert "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET" in out

    result = run_printed(serve, cwd)

    assert result.returncode == 2
    line = assert_one_line_error(result)
    assert "SLACK_BOT_TOKEN is not set" in line and "SLACK_SIGNING_SECRET is not set" in line
    assert ".env.example" in line


def test_demo_reads_database_url_like_every_command(tmp_path: Path) -> None:
    db = tmp_path / "from-env.db"
    env = clean_env(DATABASE_URL=f"sqlite:///{db}")

    demo = run_tradeoff("demo", cwd=tmp_path, env=env)

    assert demo.returncode == 0, demo.stderr
    assert db.is_file() and not (tmp_path / "tradeoff-demo.db").exists()
    # DATABASE_URL is set in this shell, so the printed commands need no --database-url.
    [digest, *_] = try_next(demo.stdout)
    assert "--database-url" not in digest
    by_env = run_tradeoff(*digest[1:], cwd=tmp_path, env=env)
    by_option = run_tradeoff(*digest[1:], "--database-url", f"sqlite:///{db}", cwd=tmp_path)
    assert by_env.returncode == by_option.returncode == 0, by_option.stderr
    assert by_env.stdout == by_option.stdout


def test_demo_data_is_consistent(demo_dir: tuple[Path, str]) -> None:
    cwd, out = demo_dir
    conn = sqlite3.connect(cwd / "tradeoff-demo.db")
    try:
        decided = conn.execute(
            "SELECT i.status FROM decision_items d JOIN decisions c ON c.id = d.decision_id "
            "JOIN items i ON i.team_id = c.team_id AND i.kind = d.item_kind "
            "AND i.number = d.item_number"
        ).fetchall()
        runs = conn.execute("SELECT status FROM digest_runs").fetchall()
    finally:
        conn.close()
    assert len(decided) == 5
    assert {status for (status,) in decided} == {"planned"}
    assert runs and {status for (status,) in runs} == {"complete"}
    # The pick fills the 20 points: the 5 the features leave go to debt.
    assert "debt 8 pts · features 12 pts" in out
    assert "unused" not in out


# --- read-only commands never create a database -----------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("digest", "--team", "T1", "--channel", "C1", "--dry-run"),
        ("trends", "--team", "T1", "--channel", "C1", "--out", "chart.png"),
    ],
)
def test_read_only_commands_on_a_missing_database_say_so(tmp_path: Path, args: tuple[str]) -> None:
    result = run_tradeoff(*args, cwd=tmp_path)

    assert result.returncode == 1
    line = assert_one_line_error(result)
    assert "no database at sqlite:///./tradeoff.db" in line and "tradeoff migrate" in line
    assert list(tmp_path.iterdir()) == []


def test_read_only_commands_leave_an_unmigrated_database_alone(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    sqlite3.connect(db).close()
    url = f"sqlite:///{db}"

    result = run_tradeoff("trends", "--database-url", url, "--team", "T", "--channel", "C",
                          "--out", "x.png", cwd=tmp_path)

    assert result.returncode == 1
    assert "has no Tradeoff schema" in assert_one_line_error(result)
    assert sqlite_table_names(db) == set()


def test_read_only_commands_ask_for_a_migration_of_an_old_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0003")

    result = run_tradeoff("digest", "--database-url", url, "--team", "T", "--channel", "C",
                          "--dry-run", cwd=tmp_path)

    assert result.returncode == 1
    line = assert_one_line_error(result)
    assert f"is at schema revision 0003, this version needs {head_revision()}" in line
    assert "run 'tradeoff migrate'" in line


# --- migrate says which database and what it did ----------------------------------------------


def test_migrate_says_it_created_upgraded_or_did_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    head = head_revision()

    created = run_tradeoff("migrate", "--database-url", url, cwd=tmp_path)
    again = run_tradeoff("migrate", cwd=tmp_path, env=clean_env(DATABASE_URL=url))

    assert created.stdout == f"tradeoff: created the schema (revision {head}) in {url}\n"
    assert again.stdout == f"tradeoff: {url} is already at revision {head}; nothing to do\n"

    old = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(old), "0003")
    upgraded = run_tradeoff("migrate", "--database-url", old, cwd=tmp_path)
    assert upgraded.stdout == f"tradeoff: upgraded {old} from revision 0003 to {head}\n"


@pytest.fixture
def empty_pg_database() -> Iterator[str]:
    """A PostgreSQL database with nothing in it, reached with a password trust auth ignores."""
    assert PG_URL
    name = f"tradeoff_first_hour_{uuid.uuid4().hex[:8]}"
    admin = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)

    async def execute(sql: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(execute(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(PG_URL).set(database=name, password="pw-hidden-123")
        yield url.render_as_string(hide_password=False)
    finally:
        asyncio.run(execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@needs_pg
def test_on_postgresql_read_only_commands_create_nothing_and_migrate_masks_the_password(
    empty_pg_database: str, tmp_path: Path,
) -> None:
    env = clean_env(DATABASE_URL=empty_pg_database)
    shown = make_url(empty_pg_database).render_as_string(hide_password=True)

    trends = run_tradeoff("trends", "--team", "T", "--channel", "C", "--out", "x.png",
                          cwd=tmp_path, env=env)
    migrated = run_tradeoff("migrate", cwd=tmp_path, env=env)

    assert trends.returncode == 1
    assert f"the database at {shown} has no Tradeoff schema" in assert_one_line_error(trends)
    assert migrated.returncode == 0, migrated.stderr
    assert migrated.stdout == f"tradeoff: created the schema (revision {head_revision()}) " \
        f"in {shown}\n"
    assert "pw-hidden-123" not in trends.stderr + migrated.stdout + migrated.stderr
    assert list(tmp_path.iterdir()) == []


@needs_pg
def test_demo_on_postgresql_says_where_its_chart_went(
    empty_pg_database: str, tmp_path: Path,
) -> None:
    result = run_tradeoff("demo", "--database-url", empty_pg_database, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "Trends chart: tradeoff-demo-trends.png" in result.stdout
    assert (tmp_path / "tradeoff-demo-trends.png").is_file()
    assert "pw-hidden-123" not in result.stdout
    assert "Put your database password back where the URLs show ***." in result.stdout


# --- one precise line for each mistake --------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://tradeoff.example.com", "tradeoff.example.com", "https://", "https://a b"]
)
def test_manifest_refuses_a_url_slack_cannot_call(tmp_path: Path, url: str) -> None:
    result = run_tradeoff("manifest", "--url", url, cwd=tmp_path)

    assert result.returncode == 2
    line = assert_one_line_error(result)
    assert f"got '{url}'" in line and "https://host" in line


def test_manifest_refuses_socket_mode_with_oauth(tmp_path: Path) -> None:
    result = run_tradeoff("manifest", "--socket", "--oauth", cwd=tmp_path)

    assert result.returncode == 2
    line = assert_one_line_error(result)
    assert "--oauth" in line and "Socket Mode" in line


def test_manifest_without_url_says_its_urls_are_placeholders(tmp_path: Path) -> None:
    placeholder = run_tradeoff("manifest", cwd=tmp_path)
    with_url = run_tradeoff("manifest", "--url", "https://tradeoff.example.com", cwd=tmp_path)
    socket = run_tradeoff("manifest", "--socket", cwd=tmp_path)

    assert placeholder.returncode == 0
    assert "YOUR-HOST" in placeholder.stdout
    assert "placeholders" in placeholder.stderr and "--url" in placeholder.stderr
    assert with_url.stderr == socket.stderr == ""


def test_serve_names_every_missing_and_invalid_setting_at_once(tmp_path: Path) -> None:
    env = clean_env(LOG_LEVEL="loud", PORT="http")

    result = run_tradeoff("serve", cwd=tmp_path, env=env)

    assert result.returncode == 2
    line = assert_one_line_error(result)
    for named in ("LOG_LEVEL", "PORT", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        assert named in line
    assert list(tmp_path.iterdir()) == []


def test_socket_names_both_tokens_it_lacks(tmp_path: Path) -> None:
    result = run_tradeoff("socket", cwd=tmp_path)

    assert result.returncode == 2
    line = assert_one_line_error(result)
    assert "SLACK_BOT_TOKEN is not set" in line and "SLACK_APP_TOKEN is not set" in line


def test_a_chart_path_that_cannot_be_written_gets_one_line(demo_dir: tuple[Path, str]) -> None:
    cwd, _ = demo_dir
    out = cwd / "missing" / "dir" / "x.png"

    result = run_tradeoff("trends", "--database-url", "sqlite:///./tradeoff-demo.db", "--team",
                          "TDEMO", "--channel", "CDEMO", "--out", str(out), cwd=cwd)

    assert result.returncode == 1
    assert result.stderr == f"tradeoff: error: cannot write {out}: No such file or directory\n"


def test_a_reader_that_goes_away_ends_the_output_quietly(tmp_path: Path) -> None:
    proc = subprocess.Popen(  # noqa: S603 - our own executable, fixed arguments
        [str(TRADEOFF), "manifest", "--url", "https://tradeoff.example.com"], cwd=tmp_path,
        env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # as `| head` does once it has read enough: before the bot writes
    stderr = proc.stderr.read().decode()
    proc.wait(timeout=60)

    assert stderr == ""
    assert proc.returncode == 1


def test_socket_logs_its_database_and_schema_revision_once_at_start(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    line = f"database sqlite:///{db} at schema revision {head_revision()}"
    log_path = tmp_path / "socket.log"
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        env = clean_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN="xapp-1-test",
                        SLACK_API_URL=fake.base_url, DATABASE_URL=f"sqlite:///{db}",
                        LOG_FORMAT="text", PYTHONUNBUFFERED="1")
        with log_path.open("wb") as log:
            proc = subprocess.Popen(  # noqa: S603 - our own executable, fixed arguments
                [str(TRADEOFF), "socket"], cwd=tmp_path, env=env, stdout=log, stderr=log
            )
        try:
            deadline = time.monotonic() + 30
            while line not in log_path.read_text() and proc.poll() is None:
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.1)
        finally:
            proc.kill()
            proc.wait(timeout=10)

    assert log_path.read_text().count(line) == 1, log_path.read_text()


# --- the README stays true --------------------------------------------------------------------

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_relative_link_in_the_readme_exists_in_a_clone() -> None:
    text = README.read_text()
    targets = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text)
    local = [t for t in targets if not t.startswith(("http://", "https://", "mailto:"))]
    assert local
    for target in local:
        assert not target.startswith(".."), f"{target} is outside the repository"
        assert (README.parent / target).exists(), target
    assert "../" not in text


def test_the_readmes_digest_and_trends_examples_run_on_the_demo(
    demo_dir: tuple[Path, str],
) -> None:
    cwd, _ = demo_dir
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(), flags=re.DOTALL)
    examples = [shlex.split(line) for block in blocks for line in block.splitlines()
                if line.startswith(("tradeoff digest", "tradeoff trends", "tradeoff report"))]
    assert {argv[1] for argv in examples} == {"digest", "trends", "report"}
    for argv in examples:
        assert "--dry-run" in argv or argv[1] in ("trends", "report"), (
            "the README must not post to Slack"
        )
        result = run_printed(argv, cwd)
        assert result.returncode == 0, (argv, result.stderr)
        assert ("CDEMO" in result.stdout or "Chart written" in result.stdout
                or "Report written" in result.stdout or '"format_version": 1' in result.stdout)


def test_env_example_holds_every_setting_the_readme_lists() -> None:
    example = (README.parent / ".env.example").read_text()
    documented = set(re.findall(r"^\| `([A-Z_]+)`", README.read_text(), flags=re.MULTILINE))
    documented |= {"SLACK_CLIENT_SECRET", "PORT"}  # table rows that name two variables
    in_example = set(re.findall(r"^#? ?([A-Z_]+)=", example, flags=re.MULTILINE))
    assert documented <= in_example, documented - in_example
    # Docker's --env-file takes values literally: no quotes, no `export`.
    for line in example.splitlines():
        if "=" in line and not line.startswith("#"):
            assert not line.startswith("export ") and '"' not in line and "'" not in line
