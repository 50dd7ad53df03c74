"""The README's "Connect to Slack" path for real: `tradeoff serve` as a separate process, talking
to the fake Slack, answering signed requests on a loopback port."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from tests.fakes.slack_api import FakeSlack
from tests.support.processes import TRADEOFF, clean_env, free_port
from tests.support.slack_requests import SIGNING_SECRET, fixture, signed_headers

BOT_TOKEN = "xoxb-test-token"
STARTUP_TIMEOUT_S = 20.0
EXIT_TIMEOUT_S = 10.0
FORM = "application/x-www-form-urlencoded"


def serve_env(fake: FakeSlack, db: Path, port: int) -> dict[str, str]:
    return clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.base_url,
        DATABASE_URL=f"sqlite:///{db}",
        PORT=str(port),
        HOST="127.0.0.1",
    )


@dataclass
class Served:
    proc: subprocess.Popen[bytes]
    fake: FakeSlack
    url: str
    port: int
    db: Path
    env: dict[str, str]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Make sure the process is gone, however the test ended."""
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=EXIT_TIMEOUT_S)


def wait_until_healthy(served: Served) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    last = "no answer yet"
    with httpx.Client(timeout=2.0) as http:
        while time.monotonic() < deadline:
            if served.proc.poll() is not None:
                pytest.fail(f"tradeoff serve exited with {served.proc.returncode}:\n{served.log()}")
            try:
                response = http.get(f"{served.url}/healthz")
            except httpx.TransportError as exc:
                last = repr(exc)
            else:
                if response.status_code == 200:
                    return
                last = f"HTTP {response.status_code}: {response.text}"
            time.sleep(0.1)
    pytest.fail(f"/healthz not 200 within {STARTUP_TIMEOUT_S}s ({last}):\n{served.log()}")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """`tradeoff serve` running against a fresh SQLite file and the fake Slack."""
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        port = free_port()
        db = tmp_path / "t.db"
        env = serve_env(fake, db, port)
        log_path = tmp_path / "serve.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(  # noqa: S603 - our own executable, fixed arguments
                [str(TRADEOFF), "serve"], cwd=tmp_path, env=env, stdout=log, stderr=log
            )
        try:
            server = Served(proc, fake, f"http://127.0.0.1:{port}", port, db, env, log_path)
            wait_until_healthy(server)
            yield server
        finally:
            stop(proc)


def command_body(command: str, text: str, response_url: str) -> bytes:
    payload = fixture("slash_command.json")
    payload.pop("enterprise_id")
    payload.pop("enterprise_name")
    payload.update(
        command=command,
        text=text,
        team_id="T111",
        channel_id="C111",
        user_id="U111",
        response_url=response_url,
        trigger_id=f"{time.time_ns()}.111.abc",
        api_app_id="A111",
        is_enterprise_install="false",
    )
    return urlencode(payload).encode()


def stored_items(db: Path) -> list[tuple[str, str, int, str, str, str, str, str]]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT team_id, kind, number, title, impact, channel_id, author_id, status"
            " FROM items ORDER BY id"
        ).fetchall()
    finally:
        conn.close()
    return [tuple(row) for row in rows]


def test_serve_checks_the_token_with_slack_on_start(served: Served) -> None:
    [call] = served.fake.calls_to("auth.test")
    assert call.token == BOT_TOKEN


def test_serve_logs_its_database_and_schema_revision_once_at_start(served: Served) -> None:
    from bot.store.migrate import head_revision

    line = f"database sqlite:///{served.db} at schema revision {head_revision()}"
    messages = [json.loads(entry)["message"] for entry in served.log().splitlines()
                if entry.startswith("{")]
    assert messages.count(line) == 1, served.log()


def test_healthcheck_command_finds_the_running_bot_through_port(served: Served) -> None:
    env = clean_env(PORT=str(served.port))
    result = subprocess.run(  # noqa: S603 - our own executable, fixed arguments
        [str(TRADEOFF), "healthcheck"],
        cwd=served.db.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "healthy" in result.stdout
    assert "unhealthy" not in result.stdout + result.stderr


def test_signed_debt_command_is_stored_and_answered_with_its_id(served: Served) -> None:
    body = command_body("/debt", "Flaky tests | costs 6 hours a week", served.fake.response_url())
    with httpx.Client(timeout=10.0) as http:
        response = http.post(
            f"{served.url}/slack/events", content=body, headers=signed_headers(body, FORM)
        )

    assert response.status_code == 200, response.text
    assert "D-1" in response.text
    data = response.json()
    shown = " ".join(
        [data.get("text") or ""]
        + [block["text"]["text"] for block in data.get("blocks", []) if "text" in block]
    )
    assert "D-1" in shown
    assert stored_items(served.db) == [
        ("T111", "debt", 1, "Flaky tests", "costs 6 hours a week", "C111", "U111", "open")
    ]


def test_request_with_a_bad_signature_is_rejected_and_stores_nothing(served: Served) -> None:
    body = command_body("/debt", "Forged | should not be saved", served.fake.response_url())
    headers = signed_headers(body, FORM, secret="not-the-signing-secret")
    with httpx.Client(timeout=10.0) as http:
        response = http.post(f"{served.url}/slack/events", content=body, headers=headers)

    assert response.status_code == 401
    assert stored_items(served.db) == []
    assert served.fake.calls_to("response_url") == []


def test_sigterm_stops_the_server(served: Served) -> None:
    served.proc.send_signal(signal.SIGTERM)
    try:
        returncode = served.proc.wait(timeout=EXIT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"tradeoff serve still running {EXIT_TIMEOUT_S}s after SIGTERM")

    # uvicorn shuts down gracefully, then re-raises the signal so the exit status reports it.
    assert returncode in (0, -signal.SIGTERM), served.log()
    assert "Traceback" not in served.log()
    assert "Application shutdown complete" in served.log()
    with pytest.raises(httpx.TransportError), httpx.Client(timeout=2.0) as http:
        http.get(f"{served.url}/healthz")


def test_serve_stops_with_one_line_when_slack_rejects_the_token(tmp_path: Path) -> None:
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        fake.fail("auth.test", "invalid_auth")
        port = free_port()
        env = serve_env(fake, tmp_path / "t.db", port)
        with (tmp_path / "out.log").open("wb") as out, (tmp_path / "err.log").open("wb") as err:
            proc = subprocess.Popen(  # noqa: S603 - our own executable, fixed arguments
                [str(TRADEOFF), "serve"], cwd=tmp_path, env=env, stdout=out, stderr=err
            )
        try:
            returncode = proc.wait(timeout=60)
        finally:
            stop(proc)
        calls = fake.calls_to("auth.test")

    stdout = (tmp_path / "out.log").read_text()
    stderr = (tmp_path / "err.log").read_text()
    assert returncode != 0
    assert "Traceback" not in stdout + stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "invalid_auth" in lines[0]
    assert len(calls) == 1


def request_lines(log: str) -> list[dict[str, object]]:
    """The structured request lines of a JSON log."""
    entries = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    return [e for e in entries if e.get("logger") == "bot.requests"]


def test_every_request_is_one_json_line_with_who_what_how_fast_and_how_it_ended(
    served: Served,
) -> None:
    good = command_body("/debt", "Slow CI | 20 minutes per build", served.fake.response_url())
    forged = command_body("/debt", "Forged | nope", served.fake.response_url())
    with httpx.Client(timeout=10) as http:
        http.post(f"{served.url}/slack/events", content=good, headers=signed_headers(good, FORM))
        headers = signed_headers(forged, FORM, secret="not-the-secret")
        http.post(f"{served.url}/slack/events", content=forged, headers=headers)
    served.proc.send_signal(signal.SIGTERM)
    served.proc.wait(timeout=EXIT_TIMEOUT_S)

    log = served.log()
    lines = request_lines(log)
    ok = [e for e in lines if e.get("outcome") == "ok"]
    rejected = [e for e in lines if e.get("outcome") == "rejected"]
    assert len(ok) == 1 and len(rejected) == 1, log
    assert {k: ok[0][k] for k in ("kind", "command", "team", "channel", "user", "status")} == {
        "kind": "command", "command": "/debt", "team": "T111", "channel": "C111",
        "user": "U111", "status": 200,
    }
    assert isinstance(ok[0]["latency_ms"], int | float) and ok[0]["latency_ms"] >= 0
    assert rejected[0]["status"] == 401
    # What people typed is not logged, and neither is any secret.
    assert "Slow CI" not in log and "Forged" not in log
    assert BOT_TOKEN not in log and SIGNING_SECRET not in log


def test_serve_says_which_http_stack_it_runs_on(served: Served) -> None:
    messages = [json.loads(entry)["message"] for entry in served.log().splitlines()
                if entry.startswith("{")]
    assert "HTTP on uvloop + httptools (TRADEOFF_HTTP_STACK=uvloop)" in messages, served.log()


def test_asyncio_and_h11_remain_a_working_fallback(tmp_path: Path) -> None:
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        port = free_port()
        db = tmp_path / "t.db"
        env = {**serve_env(fake, db, port), "TRADEOFF_HTTP_STACK": "asyncio", "LOG_LEVEL": "INFO"}
        log_path = tmp_path / "serve.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(  # noqa: S603 - our own executable, fixed arguments
                [str(TRADEOFF), "serve"], cwd=tmp_path, env=env, stdout=log, stderr=log
            )
        try:
            server = Served(proc, fake, f"http://127.0.0.1:{port}", port, db, env, log_path)
            wait_until_healthy(server)
            body = command_body("/debt", "Old parser | still answers", fake.response_url())
            with httpx.Client(timeout=10.0) as http:
                response = http.post(
                    f"{server.url}/slack/events", content=body, headers=signed_headers(body, FORM)
                )
        finally:
            stop(proc)

    assert response.status_code == 200, response.text
    assert "D-1" in response.text
    assert stored_items(db)[0][3:5] == ("Old parser", "still answers")
    assert "HTTP on asyncio + h11 (TRADEOFF_HTTP_STACK=asyncio)" in log_path.read_text()
