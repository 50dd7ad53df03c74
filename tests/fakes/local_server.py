"""The HTTP server every fake tracker runs on: a thread on a free loopback port that hands
each request of the methods it serves to its fake (others get the standard library's 501),
and RecordingFake, what the fakes do with a request before their own routes."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

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


@dataclass
class Recorded:
    method: str
    path: str  # without the query
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    status: int = 0


@dataclass
class Fault:
    status: int  # 0: answer normally, after delay_s
    headers: dict[str, str]
    times: int
    delay_s: float = 0.0
    message: str = "failure"
    after: bool = False  # make the change, then answer `status` (the answer lost on the way)


Answer = tuple[int, Any, dict[str, str]]


class RecordingFake:
    """What every fake tracker does with a request before its own routes: record it, play a
    scripted fault for its route, and write the JSON answer. A subclass names its methods,
    content type and request-id header, and answers in `_answer`."""

    methods: tuple[str, ...] = ("GET", "POST")
    content_type = "application/json"
    no_body_status = 204

    def __init__(self) -> None:
        self.calls: list[Recorded] = []
        self._faults: list[tuple[str, str, Fault]] = []
        self._lock = threading.RLock()
        self._server: LocalServer | None = None

    def __enter__(self) -> Self:
        self._server = LocalServer(self._serve, self.methods)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return self._server.url

    def fail(
        self, method: str, path_part: str, status: int, *, times: int = 1,
        headers: dict[str, str] | None = None, message: str = "failure", delay_s: float = 0.0,
        after: bool = False,
    ) -> None:
        """The next `times` requests whose path contains `path_part` answer `status`."""
        with self._lock:
            self._faults.append((method, path_part, Fault(
                status, headers or {}, times, delay_s, message, after)))

    def slow(self, method: str, path_part: str, seconds: float, times: int = 1) -> None:
        """Answer normally, but only after `seconds`."""
        self.fail(method, path_part, 0, times=times, delay_s=seconds)

    def calls_to(self, method: str, path_part: str) -> list[Recorded]:
        with self._lock:
            return [c for c in self.calls if c.method == method and path_part in c.path]

    def _take_fault(self, call: Recorded) -> Fault | None:
        """The scripted fault for this call, if any, once its delay has passed."""
        with self._lock:
            for method, part, fault in self._faults:
                if method == call.method and part in call.path and fault.times > 0:
                    fault.times -= 1
                    break
            else:
                return None
        if fault.delay_s:
            time.sleep(fault.delay_s)
        return fault

    def _answer(self, call: Recorded) -> Answer:
        raise NotImplementedError

    def _request_id(self) -> tuple[str, str]:
        raise NotImplementedError

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        split = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        length = int(handler.headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        call = Recorded(method, split.path, query, headers, body)
        status, answer, extra = self._answer(call)
        call.status = status
        with self._lock:
            self.calls.append(call)
        payload = b"" if status == self.no_body_status else json.dumps(answer).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", self.content_type)
        handler.send_header("Content-Length", str(len(payload)))
        handler.send_header(*self._request_id())
        for key, value in extra.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(payload)
