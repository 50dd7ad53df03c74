"""The HTTP server every fake tracker runs on: a thread on a free loopback port that hands
each request of the methods it serves to its fake (others get the standard library's 501)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Serve = Callable[[BaseHTTPRequestHandler, str], None]


class LocalServer:
    def __init__(self, serve: Serve, methods: Sequence[str]) -> None:
        handlers: dict[str, Any] = {
            f"do_{method}": (lambda self, m=method: serve(self, m)) for method in methods
        }
        handlers["log_message"] = lambda self, format, *args: None
        handler = type("Handler", (BaseHTTPRequestHandler,), handlers)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
