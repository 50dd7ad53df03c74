"""Socket Mode: the same listeners, reached over a websocket instead of signed HTTP."""

from __future__ import annotations

import asyncio
import json
import signal
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import WSMsgType, web

from bot.config import Settings
from bot.runtime import build_runtime, socket_mode_handler
from bot.store.unit_of_work import Store
from tests.conftest import BOT_TOKEN
from tests.fakes.slack_api import FakeSlack
from tests.support.db import stored_items
from tests.support.processes import TRADEOFF, clean_env
from tests.support.slack_requests import fixture


class FakeSocketModeServer:
    """Slack's side of a Socket Mode connection: sends envelopes, collects the bot's acks."""

    def __init__(self) -> None:
        self.acks: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.outgoing: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.connected = asyncio.Event()

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        self.connected.set()
        sender = asyncio.create_task(self._send_all(ws))
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    await self.acks.put(json.loads(message.data))
        finally:
            sender.cancel()
        return ws

    async def _send_all(self, ws: web.WebSocketResponse) -> None:
        while True:
            await ws.send_str(json.dumps(await self.outgoing.get()))


@pytest.fixture
async def socket_server() -> AsyncIterator[tuple[FakeSocketModeServer, str]]:
    server = FakeSocketModeServer()
    app = web.Application()
    app.router.add_get("/link", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield server, f"ws://127.0.0.1:{port}/link"
    await runner.cleanup()


async def test_slash_command_over_socket_mode_is_acked_with_the_new_id(
    socket_server: tuple[FakeSocketModeServer, str],
    fake_slack: FakeSlack,
    store: Store,
    team_id: str,
    database_url: str,
) -> None:
    server, ws_url = socket_server
    fake_slack.socket_url = ws_url
    settings = Settings(
        database_url=database_url,
        slack_api_url=fake_slack.base_url,
        bot_token=BOT_TOKEN,
        app_token="xapp-1-test",
        scheduler="off",
    )
    handler = socket_mode_handler(build_runtime(settings, store))
    await handler.connect_async()  # type: ignore[no-untyped-call]
    try:
        await asyncio.wait_for(server.connected.wait(), 10)
        envelope = fixture("socket_mode_envelope_slash_command.json")
        envelope["envelope_id"] = str(uuid.uuid4())
        envelope["payload"].update(
            command="/debt",
            text="Flaky checkout tests | CI reruns cost 6 h a week",
            team_id=team_id,
            response_url=fake_slack.response_url(),
        )
        await server.outgoing.put(envelope)

        ack = await asyncio.wait_for(server.acks.get(), 10)
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]

    assert ack["envelope_id"] == envelope["envelope_id"]
    assert "D-1" in ack["payload"]["text"]
    [row] = await stored_items(store, team_id)
    assert (row.title, row.author_id) == ("Flaky checkout tests", "U111")
    [opened] = fake_slack.calls_to("apps.connections.open")
    assert opened.token == "xapp-1-test"


async def test_tradeoff_socket_as_a_process_on_uvloop_acks_a_command(
    socket_server: tuple[FakeSocketModeServer, str],
    fake_slack: FakeSlack,
    store: Store,
    team_id: str,
    database_url: str,
    tmp_path: Path,
) -> None:
    """The console script as a container runs it, on the event loop it ships with: aiohttp's
    websocket client, Bolt and the database driver all on uvloop."""
    server, ws_url = socket_server
    fake_slack.socket_url = ws_url
    log_path = tmp_path / "socket.log"
    env = clean_env(
        DATABASE_URL=database_url, SLACK_API_URL=fake_slack.base_url, SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN="xapp-1-test", TRADEOFF_SCHEDULER="off", LOG_LEVEL="INFO",
        LOG_FORMAT="text", PYTHONUNBUFFERED="1", TRADEOFF_HTTP_STACK="uvloop",
    )
    with log_path.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            str(TRADEOFF), "socket", env=env, stdout=out, stderr=asyncio.subprocess.STDOUT
        )
    try:
        await asyncio.wait_for(server.connected.wait(), 30)
        envelope = fixture("socket_mode_envelope_slash_command.json")
        envelope["envelope_id"] = str(uuid.uuid4())
        envelope["payload"].update(
            command="/debt", text="Slow deploys | 40 minutes each", team_id=team_id,
            response_url=fake_slack.response_url(),
        )
        await server.outgoing.put(envelope)
        ack = await asyncio.wait_for(server.acks.get(), 20)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                proc.kill()
                await proc.wait()

    log = log_path.read_text(errors="replace")
    assert ack["envelope_id"] == envelope["envelope_id"], log
    assert "D-1" in ack["payload"]["text"], log
    [row] = await stored_items(store, team_id)
    assert (row.title, row.author_id) == ("Slow deploys", "U111")
    assert "event loop uvloop" in log, log
    assert "Traceback" not in log, log
