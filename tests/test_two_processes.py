"""Two `tradeoff serve` processes on one database behave as one bot: a digest that both of their
schedulers find due is posted once."""

from __future__ import annotations

import asyncio
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.domain.items import Kind
from bot.store.unit_of_work import Store
from tests.fakes.slack_api import FakeSlack
from tests.support.digests import parents, replies, runs_of
from tests.support.items import add_item
from tests.support.processes import TRADEOFF, clean_env, free_port
from tests.test_scheduler import CHANNEL, TEAM, _schedule_due, _slot_at
from tests.test_serve_process import BOT_TOKEN, SIGNING_SECRET, STARTUP_TIMEOUT_S, stop

pytestmark = pytest.mark.slow


def _start(url: str, fake: FakeSlack, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.base_url,
        DATABASE_URL=url,
        PORT=str(port),
        HOST="127.0.0.1",
        DIGEST_REPLY_INTERVAL="0",
    )
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
            [str(TRADEOFF), "serve"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    return proc, port


async def _healthy(port: int) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            try:
                if (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"bot on port {port} never became healthy")


async def test_two_processes_post_a_due_digest_once(
    fresh_database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    store = Store(fresh_database_url)
    for n in range(3):
        await add_item(store, TEAM, Kind.DEBT, f"Debt {n}")
    due = datetime.now(UTC) - timedelta(minutes=30)
    await _schedule_due(fresh_database_url, store, _slot_at(due), due)

    procs = [_start(fresh_database_url, fake_slack, tmp_path / f"bot{n}.log") for n in (1, 2)]
    try:
        await asyncio.gather(*(_healthy(port) for _, port in procs))
        await fake_slack.wait_for("chat.postMessage", count=4, timeout=20)
        await asyncio.sleep(1.5)  # both schedulers have had their chance to post
    finally:
        for proc, _ in procs:
            stop(proc)

    logs = [(tmp_path / f"bot{n}.log").read_text() for n in (1, 2)]
    outcomes = [line for log in logs for line in log.splitlines() if "digest team=" in line]
    assert len(parents(fake_slack)) == 1, outcomes
    # Usually both schedulers fire and the loser finds the slot claimed; never two posts.
    posted = [o for o in outcomes if "outcome=posted" in o]
    others = [o for o in outcomes if "outcome=posted" not in o]
    assert len(posted) == 1, outcomes
    assert all("outcome=in_progress" in o or "outcome=already_posted" in o for o in others)
    assert len(replies(fake_slack)) == 3
    [run] = await runs_of(store, TEAM)
    assert run.status == "complete" and run.channel_id == CHANNEL
    await store.close()
