"""`tradeoff serve` as a separate process on a given database, for crash and multi-process
tests: started, waited for, signed requests sent to it, killed."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.fakes.slack_api import FakeSlack
from tests.support.processes import TRADEOFF, clean_env, free_port
from tests.support.slack_requests import SIGNING_SECRET, SlackSender

BOT_TOKEN = "xoxb-test-token"
STARTUP_TIMEOUT_S = 20.0


@dataclass
class Served:
    proc: subprocess.Popen[bytes]
    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def sender(self, http: httpx.AsyncClient, fake: FakeSlack, team_id: str) -> SlackSender:
        return SlackSender(http, f"{self.url}/slack/events", fake.response_url(), team_id)

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no last commit, as when the host dies."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)


def start_serve(database_url: str, fake: FakeSlack, log_path: Path, **env: str) -> Served:
    port = free_port()
    settings = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.base_url,
        DATABASE_URL=database_url,
        PORT=str(port),
        HOST="127.0.0.1",
        LOG_FORMAT="text",
        PYTHONUNBUFFERED="1",  # a SIGKILLed process leaves no buffered log lines behind
        **env,
    )
    with log_path.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
            [str(TRADEOFF), "serve"], env=settings, stdout=out, stderr=subprocess.STDOUT
        )
    return Served(proc, f"http://127.0.0.1:{port}", log_path)


async def wait_healthy(served: Served) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STARTUP_TIMEOUT_S
    async with httpx.AsyncClient(timeout=2) as http:
        while loop.time() < deadline:
            if served.proc.poll() is not None:
                raise AssertionError(f"tradeoff serve exited early:\n{served.log()}")
            try:
                if (await http.get(f"{served.url}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError(f"tradeoff serve never became healthy:\n{served.log()}")
