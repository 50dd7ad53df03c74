"""Running the real ASGI app under uvicorn on a free loopback port, inside the test's loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import uvicorn

from bot.config import Settings
from bot.http_stack import stack_named
from bot.runtime import build_http_app
from bot.store.unit_of_work import Store


@contextlib.asynccontextmanager
async def running_bot(settings: Settings, store: Store) -> AsyncIterator[str]:
    """Serve the bot until the block ends; yields its base URL (http://127.0.0.1:PORT)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # The parser `tradeoff serve` would use; the loop is the test's own.
    config = uvicorn.Config(
        build_http_app(settings, store), log_level="warning", lifespan="on", access_log=False,
        http=stack_named(settings.http_stack).http,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()
