"""The `tradeoff` command as a user runs it: a real subprocess, a clean environment, exit codes
and exactly what it prints."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.fakes.slack_api import FakeSlack
from tests.support.cli import assert_one_line_error, run_tradeoff
from tests.support.db import sqlite_table_names
from tests.support.processes import clean_env

BASE_URL = "https://tradeoff.example.com"
EVENTS_URL = f"{BASE_URL}/slack/events"


def walk(node: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair in a JSON document, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def count_items(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        (count,) = conn.execute("SELECT COUNT(*) FROM items").fetchone()
    finally:
        conn.close()
    return int(count)


# --- manifest ---------------------------------------------------------------------------------


def test_manifest_for_http_points_every_surface_at_the_events_url(tmp_path: Path) -> None:
    result = run_tradeoff("manifest", "--url", BASE_URL, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    manifest = json.loads(result.stdout)
    commands = manifest["features"]["slash_commands"]
    assert sorted(c["command"] for c in commands) == ["/bug", "/debt", "/feature", "/tradeoff"]
    for command in commands:
        assert command["url"] == EVENTS_URL
        assert command["should_escape"] is True
    interactivity = manifest["settings"]["interactivity"]
    assert interactivity == {"is_enabled": True, "request_url": EVENTS_URL}
    assert manifest["settings"]["socket_mode_enabled"] is False
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert {"commands", "chat:write"} <= set(scopes)
    long_description = manifest["display_information"]["long_description"]
    assert 174 <= len(long_description) <= 4000


def test_manifest_for_oauth_adds_the_redirect_url_the_bot_serves(tmp_path: Path) -> None:
    result = run_tradeoff("manifest", "--url", BASE_URL, "--oauth", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    manifest = json.loads(result.stdout)
    assert manifest["oauth_config"]["redirect_urls"] == [f"{BASE_URL}/slack/oauth_redirect"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


def test_manifest_url_with_trailing_slash_gives_the_same_events_url(tmp_path: Path) -> None:
    result = run_tradeoff("manifest", "--url", BASE_URL + "/", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    manifest = json.loads(result.stdout)
    urls = {c["url"] for c in manifest["features"]["slash_commands"]}
    assert urls == {EVENTS_URL}


def test_manifest_for_socket_mode_has_no_request_urls(tmp_path: Path) -> None:
    result = run_tradeoff("manifest", "--socket", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    manifest = json.loads(result.stdout)
    assert manifest["settings"]["socket_mode_enabled"] is True
    keys = {key for key, _ in walk(manifest)}
    assert "url" not in keys
    assert "request_url" not in keys
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    commands = manifest["features"]["slash_commands"]
    assert sorted(c["command"] for c in commands) == ["/bug", "/debt", "/feature", "/tradeoff"]


# --- missing or wrong settings ----------------------------------------------------------------


def test_serve_without_any_slack_setting_names_the_bot_token(tmp_path: Path) -> None:
    result = run_tradeoff("serve", cwd=tmp_path)

    assert result.returncode == 2
    line = assert_one_line_error(result)
    assert "SLACK_BOT_TOKEN" in line
    assert line.startswith("tradeoff: error:")


def test_serve_without_signing_secret_names_it(tmp_path: Path) -> None:
    result = run_tradeoff("serve", cwd=tmp_path, env=clean_env(SLACK_BOT_TOKEN="xoxb-x"))

    assert result.returncode == 2
    line = assert_one_line_error(result)
    assert "SLACK_SIGNING_SECRET" in line
    assert "SLACK_BOT_TOKEN" not in line


def test_socket_without_app_token_names_it(tmp_path: Path) -> None:
    result = run_tradeoff("socket", cwd=tmp_path, env=clean_env(SLACK_BOT_TOKEN="xoxb-x"))

    assert result.returncode == 2
    line = assert_one_line_error(result)
    assert "SLACK_APP_TOKEN" in line


def test_config_errors_do_not_touch_the_working_directory(tmp_path: Path) -> None:
    run_tradeoff("serve", cwd=tmp_path)

    assert list(tmp_path.iterdir()) == []


def test_python_dash_m_bot_is_the_same_cli(tmp_path: Path) -> None:
    as_script = run_tradeoff("serve", cwd=tmp_path)
    as_module = run_tradeoff("serve", cwd=tmp_path, module=True)

    assert as_module.returncode == as_script.returncode == 2
    assert as_module.stderr == as_script.stderr
    assert "SLACK_BOT_TOKEN" in assert_one_line_error(as_module)


def test_serve_with_an_unknown_log_level_names_the_setting(tmp_path: Path) -> None:
    with FakeSlack() as fake:
        env = clean_env(
            SLACK_BOT_TOKEN="xoxb-test-token",
            SLACK_SIGNING_SECRET="secret",
            SLACK_API_URL=fake.base_url,
            DATABASE_URL=f"sqlite:///{tmp_path / 't.db'}",
            HOST="127.0.0.1",
            PORT="1",  # never bound: the setting must be refused before serving
            LOG_LEVEL="verbose",
        )
        result = run_tradeoff("serve", cwd=tmp_path, env=env, timeout=60)

    assert result.returncode == 2
    line = assert_one_line_error(result)
    assert "LOG_LEVEL" in line


def test_migrate_rejects_an_unsupported_database(tmp_path: Path) -> None:
    result = run_tradeoff("migrate", cwd=tmp_path, env=clean_env(DATABASE_URL="mysql://x"))

    assert result.returncode == 2
    line = assert_one_line_error(result)
    assert "DATABASE_URL" in line


def test_migrate_against_unreachable_postgres_hides_the_password(tmp_path: Path) -> None:
    url = "postgresql://u:secretpw@127.0.0.1:1/nope"
    result = run_tradeoff("migrate", cwd=tmp_path, env=clean_env(DATABASE_URL=url))

    assert result.returncode != 0
    line = assert_one_line_error(result)
    assert "secretpw" not in result.stdout + result.stderr
    assert "127.0.0.1:1/nope" in line


def test_migrate_against_unreachable_postgres_without_password(tmp_path: Path) -> None:
    url = "postgresql://postgres@127.0.0.1:1/nope"
    result = run_tradeoff("migrate", cwd=tmp_path, env=clean_env(DATABASE_URL=url))

    assert result.returncode != 0
    line = assert_one_line_error(result)
    assert "nope" in line


# --- demo and migrate -------------------------------------------------------------------------


def test_demo_works_from_an_empty_directory(tmp_path: Path) -> None:
    result = run_tradeoff("demo", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    db = tmp_path / "tradeoff-demo.db"
    assert db.is_file()
    out = result.stdout
    for text in ("TECH DEBT", "FEATURE REQUESTS", "D-1", "F-1"):
        assert text in out
    assert re.search(r"\b5 votes\b", out)
    assert re.search(r"\b1 vote\b(?!s)", out)
    assert "1 votes" not in out
    assert count_items(db) > 0


def test_demo_twice_reseeds_instead_of_duplicating(tmp_path: Path) -> None:
    first = run_tradeoff("demo", cwd=tmp_path)
    db = tmp_path / "tradeoff-demo.db"
    rows_after_first = count_items(db)
    second = run_tradeoff("demo", cwd=tmp_path)

    assert first.returncode == second.returncode == 0, second.stderr
    first_ids = re.findall(r"\b[DF]-\d+\b", first.stdout)
    second_ids = re.findall(r"\b[DF]-\d+\b", second.stdout)
    assert first_ids
    assert sorted(second_ids) == sorted(first_ids)
    assert "D-1" in second_ids
    assert count_items(db) == rows_after_first


def test_demo_database_url_option_is_honoured(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "mine.db"
    target.parent.mkdir()
    result = run_tradeoff("demo", "--database-url", f"sqlite:///{target}", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert target.is_file()
    assert not (tmp_path / "tradeoff-demo.db").exists()
    assert count_items(target) > 0


def test_migrate_creates_the_schema_from_any_directory(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    db = tmp_path / "x.db"
    env = clean_env(DATABASE_URL=f"sqlite:///{db}")

    result = run_tradeoff("migrate", cwd=elsewhere, env=env)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert {"items", "votes", "item_counters", "alembic_version"} <= sqlite_table_names(db)
    assert list(elsewhere.iterdir()) == []

    again = run_tradeoff("migrate", cwd=elsewhere, env=env)
    assert again.returncode == 0, again.stderr


# --- help and healthcheck ---------------------------------------------------------------------


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = run_tradeoff("--help", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    for command in ("demo", "manifest", "migrate", "serve", "socket", "healthcheck"):
        assert re.search(rf"\b{command}\b", result.stdout), command


def test_no_command_is_a_usage_error(tmp_path: Path) -> None:
    result = run_tradeoff(cwd=tmp_path)

    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert "usage:" in result.stderr


def test_healthcheck_with_nothing_listening_is_unhealthy(tmp_path: Path) -> None:
    url = "http://127.0.0.1:1/healthz"
    result = run_tradeoff("healthcheck", "--url", url, cwd=tmp_path)

    assert result.returncode == 1
    line = assert_one_line_error(result)
    assert url in line
    assert "unhealthy" in line


def test_half_an_oauth_setup_names_the_missing_half(tmp_path: Path) -> None:
    env = clean_env(SLACK_CLIENT_ID="1111.2222", SLACK_SIGNING_SECRET="s")
    result = run_tradeoff("serve", cwd=tmp_path, env=env)

    assert result.returncode == 2
    line = assert_one_line_error(result)
    assert "SLACK_CLIENT_SECRET" in line and "SLACK_CLIENT_ID" in line


def test_oauth_mode_needs_no_bot_token_but_still_the_signing_secret(tmp_path: Path) -> None:
    env = clean_env(SLACK_CLIENT_ID="1111.2222", SLACK_CLIENT_SECRET="client-secret-xyz")
    result = run_tradeoff("serve", cwd=tmp_path, env=env)

    assert result.returncode == 2
    line = assert_one_line_error(result)
    assert "SLACK_SIGNING_SECRET" in line
    assert "client-secret-xyz" not in result.stderr


def test_socket_mode_refuses_oauth_settings_in_one_line(tmp_path: Path) -> None:
    env = clean_env(SLACK_CLIENT_ID="1111.2222", SLACK_CLIENT_SECRET="x", SLACK_APP_TOKEN="xapp-1")
    result = run_tradeoff("socket", cwd=tmp_path, env=env)

    assert result.returncode == 2
    assert "tradeoff serve" in assert_one_line_error(result)


def test_an_unknown_log_format_names_the_setting(tmp_path: Path) -> None:
    env = clean_env(SLACK_BOT_TOKEN="xoxb-x", SLACK_SIGNING_SECRET="s", LOG_FORMAT="xml")
    result = run_tradeoff("serve", cwd=tmp_path, env=env)

    assert result.returncode == 2
    assert "LOG_FORMAT" in assert_one_line_error(result)


def test_serve_against_an_unreachable_database_stops_with_one_line(tmp_path: Path) -> None:
    env = clean_env(SLACK_BOT_TOKEN="xoxb-x", SLACK_SIGNING_SECRET="s",
                    DATABASE_URL="postgresql://u:pw-hidden@127.0.0.1:1/tradeoff")
    result = run_tradeoff("serve", cwd=tmp_path, env=env)

    assert result.returncode == 1
    line = assert_one_line_error(result)
    assert "127.0.0.1:1/tradeoff" in line and "pw-hidden" not in result.stderr
