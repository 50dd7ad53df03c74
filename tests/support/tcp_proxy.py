"""A TCP forwarder between the bot and PostgreSQL, for database faults: an outage (connections
dropped, new ones refused), a restart (connections dropped mid-query, new ones welcome) and a
hang (new connections accepted and never answered, like a host that stopped responding) and a
silent drop (open connections forgotten, as by a firewall's idle timer).

It runs its own event loop in a thread: the bot does some blocking database I/O on its loop
(APScheduler's job store), and a proxy on that same loop would freeze with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Coroutine, Iterator
from typing import Any

_CHUNK = 65536
_CONTROL_TIMEOUT_S = 5.0


class TcpProxy:
    """Listens on a free loopback port and forwards each connection to `target`."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port: int = probe.getsockname()[1]
        self.held = 0  # client chunks held back while paused
        self.sent = 0  # client chunks forwarded: each is a request the client waits on
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._flowing: asyncio.Event | None = None
        self._hanging = False
        self._silenced: set[asyncio.StreamWriter] = set()

    # Control, from the test's thread -------------------------------------------------------

    def start(self) -> None:
        self._thread.start()
        self._call(self._listen())

    def refuse(self) -> None:
        """Database down: drop every connection and stop listening (connections refused)."""
        self._call(self._refuse())

    def accept_again(self) -> None:
        """Database back, on the same port, forwarding as before."""
        self._hanging = False
        self._call(self._listen())

    def pause(self) -> None:
        """Hold what clients send, so their queries are in flight and unanswered."""
        self._call(self._set_flowing(False))

    def drop_all(self) -> None:
        """Reset every open connection, as a restarting server does; new ones still work.

        Whatever was held while paused is thrown away: it never reached the database.
        """
        self._call(self._drop_all())

    def silence_open(self) -> None:
        """Stop forwarding on every open connection without closing it, as a firewall that
        forgot an idle connection does; new connections still work."""
        self._call(self._silence_open())

    def hang(self) -> None:
        """Drop every connection; new ones are accepted and then never answered."""
        self._hanging = True
        self._call(self._drop_all())

    def close(self) -> None:
        if self._thread.is_alive():
            self._call(self._refuse())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=_CONTROL_TIMEOUT_S)
        if not self._thread.is_alive():
            self._loop.close()

    def _call(self, work: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(work, self._loop).result(_CONTROL_TIMEOUT_S)

    # On the proxy's own loop ----------------------------------------------------------------

    async def _listen(self) -> None:
        if self._flowing is None:
            self._flowing = asyncio.Event()
            self._flowing.set()
        if self._server is None:
            self._server = await asyncio.start_server(
                self._serve, "127.0.0.1", self.port, reuse_address=True
            )

    async def _refuse(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        await self._drop_all()
        if server is not None:
            # Since Python 3.12 this also waits for the connections, hence after the drop.
            await server.wait_closed()

    async def _set_flowing(self, flowing: bool) -> None:
        assert self._flowing is not None
        if flowing:
            self._flowing.set()
        else:
            self._flowing.clear()

    async def _silence_open(self) -> None:
        self._silenced.update(self._writers)

    async def _drop_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        await self._set_flowing(True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        if self._hanging:
            return  # the connection stays open and silent until dropped
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers.add(up_writer)
        await asyncio.gather(
            self._pump(reader, up_writer, holdable=True, client=writer),
            self._pump(up_reader, writer, holdable=False, client=writer),
            return_exceptions=True,
        )
        self._silenced.discard(writer)
        for end in (writer, up_writer):
            self._writers.discard(end)
            end.transport.abort()

    async def _pump(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, *, holdable: bool,
        client: asyncio.StreamWriter,
    ) -> None:
        assert self._flowing is not None
        while data := await source.read(_CHUNK):
            if client in self._silenced:
                continue  # lost on the way, and nobody says so
            if holdable and not self._flowing.is_set():
                self.held += 1
                await self._flowing.wait()
                if sink.transport.is_closing():
                    return  # dropped while held: these bytes never reach the database
            sink.write(data)
            if holdable:
                self.sent += 1
            await sink.drain()
        with contextlib.suppress(OSError):
            sink.write_eof()


@contextlib.contextmanager
def proxy_to(host: str, port: int) -> Iterator[TcpProxy]:
    proxy = TcpProxy(host, port)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.close()
