"""A fake Slack Web API on real loopback HTTP: the real ``AsyncWebClient`` (and Bolt) talk to it,
every request is recorded as a :class:`SlackCall`, and tests script failures per method."""

from __future__ import annotations

import asyncio
import copy
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from tests.fakes.slack_threads import Threads

Responder = Callable[["SlackCall"], dict[str, Any]]

# Rotating tokens look like `xoxe.xoxb-1-...`; Slack accepts them as bot or user tokens.
_TOKEN_PREFIXES = ("xoxb-", "xoxp-", "xapp-", "xoxe.xoxb-", "xoxe.xoxp-")
_JSON_TYPE = "application/json; charset=utf-8"
_TEXT_TYPE = "text/plain; charset=utf-8"


@dataclass
class SlackCall:
    """One request the fake received."""

    method: str  # "chat.postMessage"; "response_url" and "file_upload" for the non-API paths
    params: dict[str, Any]
    headers: dict[str, str]  # lower-cased names
    token: str | None
    path: str  # raw request path, query string included
    status: int = 0  # the HTTP status the fake answered with
    answer: dict[str, Any] | None = None  # the JSON it answered with, when JSON

    @property
    def succeeded(self) -> bool:
        return self.status == 200 and bool((self.answer or {}).get("ok"))


class _Reply(NamedTuple):
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str]


@dataclass
class _Script:
    reply: _Reply | None  # None means "sleep, then answer normally"
    seconds: float
    times: int


def _json_reply(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> _Reply:
    return _Reply(status, _JSON_TYPE, json.dumps(body).encode(), headers or {})


def _text_reply(text: str, status: int = 200) -> _Reply:
    return _Reply(status, _TEXT_TYPE, text.encode(), {})


def _maybe_json(value: Any) -> Any:
    """Decode strings such as ``blocks='[...]'`` that clients send JSON-encoded."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _form_fields(text: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key, values in parse_qs(text, keep_blank_values=True).items():
        decoded = [_maybe_json(v) for v in values]
        fields[key] = decoded[0] if len(decoded) == 1 else decoded
    return fields


def _parse_params(query: str, content_type: str, raw: bytes) -> dict[str, Any]:
    """Query-string fields, overlaid with the JSON or form-encoded body."""
    params = _form_fields(query)
    text = raw.decode("utf-8", "replace")
    if "json" in content_type or text.lstrip().startswith("{"):
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        if isinstance(body, dict):
            params.update({k: _maybe_json(v) for k, v in body.items()})
            return params
    if text and not content_type.startswith(("multipart/", "application/octet-stream")):
        params.update(_form_fields(text))
    return params


def _extract_token(headers: dict[str, str], params: dict[str, Any]) -> str | None:
    form_token = params.pop("token", None)
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return form_token if isinstance(form_token, str) else None


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


# The users.info / conversations.info example shapes (common fields), with neutral values.
_USER_SHAPE: dict[str, Any] = {
    "id": "", "team_id": "T111", "name": "spengler", "real_name": "Egon Spengler",
    "deleted": False, "is_admin": False, "is_owner": False, "is_bot": False,
    "is_app_user": False, "is_restricted": False, "tz": "Europe/Berlin",
    "tz_label": "Central European Time", "tz_offset": 3600, "updated": 1502138686,
    "profile": {"display_name": "spengler", "display_name_normalized": "spengler",
                "real_name": "Egon Spengler", "real_name_normalized": "Egon Spengler",
                "email": "spengler@example.com", "team": "T111"},
}
_CHANNEL_SHAPE: dict[str, Any] = {
    "id": "", "name": "general", "name_normalized": "general", "created": 1449252889,
    "creator": "W012A3BCD", "is_channel": True, "is_group": False, "is_im": False,
    "is_mpim": False, "is_private": False, "is_archived": False, "is_general": True,
    "is_shared": False, "is_ext_shared": False, "is_org_shared": False, "is_member": True,
    "topic": {"value": "", "creator": "", "last_set": 0},
    "purpose": {"value": "", "creator": "", "last_set": 0},
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    # socketserver's default backlog of 5 drops connections when many requests (a burst of
    # votes, each checking the token) arrive at once; Slack's API takes them.
    request_queue_size = 128

    def __init__(self, fake: FakeSlack) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet: a client that timed out and hung up is expected in tests."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """No per-request logging on stderr."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        body = self.rfile.read(int(headers.get("content-length") or 0))
        reply = self.server.fake._dispatch(self.path, headers, body)
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. a timeout test); nothing to answer


class FakeSlack:
    """Fake Slack Web API. Use as ``with FakeSlack() as fake:`` and point clients at
    ``fake.base_url``."""

    def __init__(self, bot_token: str = "xoxb-test-token") -> None:  # noqa: S107
        self.bot_token = bot_token
        self.team_id = "T111"
        self.team_name = "Tradeoff Test Workspace"
        self.bot_user_id = "UBOT"
        self.bot_id = "BBOT"
        self.app_id = "A111"
        self.bot_scopes = "chat:write,commands,reactions:read,users:read,channels:read"
        self.socket_url = "ws://127.0.0.1:1/link"
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        # users.conversations: the channel ids each user is a member of.
        self.memberships: dict[str, list[str]] = {}
        # Enterprise Grid: set `enterprise_id` and oauth.v2.access answers an org-wide install,
        # whose token auth.teams.list answers with `org_teams`.
        self.enterprise_id: str | None = None
        self.org_teams: list[str] = []
        self.uploads: dict[str, bytes] = {}
        self.dm_channels: dict[str, str] = {}  # user id → the bot's DM channel with them
        self.channel_members: dict[str, list[str]] = {}  # channel id → its members
        self.user_groups: dict[str, list[str]] = {}  # user group id → its users
        self.canvases: dict[str, dict[str, str]] = {}  # canvas id → its channel and markdown
        self.threads = Threads()  # what chat.postMessage took; conversations.replies reads it
        self.calls: list[SlackCall] = []
        self._lock = threading.Lock()
        self._last_ts = 0  # microseconds
        self._scripts: dict[str, list[_Script]] = {}
        self._responders: dict[str, Responder] = {}
        self._counter = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start serving on a free loopback port in a daemon thread."""
        if self._server is not None:
            return
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving; requests still sleeping in a ``delay`` are abandoned."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeSlack:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """Web API base URL for ``AsyncWebClient(base_url=...)``; ends with a slash."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, key: str = "default") -> str:
        """A URL to put in payloads as ``response_url``; posts there record ``response_url``."""
        return f"http://127.0.0.1:{self.port}/response/{key}"

    def snapshot(self) -> list[SlackCall]:
        """A copy of every call recorded so far, oldest first."""
        with self._lock:
            return list(self.calls)

    def calls_to(self, method: str) -> list[SlackCall]:
        """The recorded calls to ``method``, oldest first."""
        return [call for call in self.snapshot() if call.method == method]

    async def wait_for(
        self, method: str, count: int = 1, timeout: float = 10.0  # noqa: ASYNC109 (in the message)
    ) -> list[SlackCall]:
        """Wait until ``count`` calls to ``method`` were recorded and answered; return all
        calls to it. A call is recorded as it arrives and gets its status once answered, so
        waiting for the answer too keeps ``status``/``answer`` from being read half-made."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls_to(method)
            if len(found) >= count and all(call.status for call in found):
                return found
            if time.monotonic() >= deadline:
                seen = [call.method for call in self.snapshot()]
                summary = ", ".join(f"{m} x{seen.count(m)}" for m in dict.fromkeys(seen))
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {count} call(s) to {method!r}; "
                    f"got {len(found)}. Recorded: {summary or '(none)'}"
                )
            await asyncio.sleep(0.01)

    def reset(self) -> None:
        """Forget recorded calls, uploads, scripted failures and custom responders."""
        with self._lock:
            self.calls.clear()
            self.uploads.clear()
            self._scripts.clear()
            self._responders.clear()

    def on(self, method: str, responder: Responder) -> None:
        """Answer ``method`` with ``responder(call)`` (HTTP 200 JSON) instead of the default."""
        with self._lock:
            self._responders[method] = responder

    def fail(self, method: str, error: str, times: int = 1, **extra: Any) -> None:
        """The next ``times`` calls answer 200 ``{"ok": false, "error": error, **extra}``."""
        self._script(method, _json_reply({"ok": False, "error": error, **extra}), 0.0, times)

    def rate_limit(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """The next ``times`` calls answer 429 with ``Retry-After: retry_after``."""
        body = {"ok": False, "error": "ratelimited"}
        self._script(method, _json_reply(body, 429, {"Retry-After": str(retry_after)}), 0, times)

    def http_error(self, method: str, status: int = 500, times: int = 1) -> None:
        """The next ``times`` calls answer ``status`` with a plain-text body."""
        self._script(method, _text_reply(f"fake slack: HTTP {status}", status), 0.0, times)

    def delay(self, method: str, seconds: float, times: int = 1) -> None:
        """The next ``times`` calls sleep ``seconds`` before answering normally."""
        self._script(method, None, seconds, times)

    def _script(self, method: str, reply: _Reply | None, seconds: float, times: int) -> None:
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._scripts.setdefault(method, []).append(_Script(reply, seconds, times))

    # Below: request handling, run on the server's threads.
    def _dispatch(self, raw_path: str, headers: dict[str, str], raw: bytes) -> _Reply:
        url = urlsplit(raw_path)
        content_type = headers.get("content-type", "")
        if url.path.startswith("/upload/"):
            method, file_id = "file_upload", url.path.removeprefix("/upload/")
            params: dict[str, Any] = {"file_id": file_id, "size": len(raw)}
        else:
            method = url.path.removeprefix("/api/").lstrip("/")
            if url.path.startswith("/response/"):
                method = "response_url"
            params = _parse_params(url.query, content_type, raw)
        call = SlackCall(method, params, headers, _extract_token(headers, params), raw_path)
        with self._lock:
            self.calls.append(call)
            if method == "file_upload":
                self.uploads[params["file_id"]] = raw
            script = self._take_script(method)
        if script is not None and script.reply is not None:
            reply = script.reply
        else:
            time.sleep(script.seconds if script is not None else 0)
            reply = self._answer(call)
        call.status = reply.status
        if reply.content_type == _JSON_TYPE:
            call.answer = json.loads(reply.body)
        return reply

    def _take_script(self, method: str) -> _Script | None:
        queue = self._scripts.get(method)
        if not queue:
            return None
        script = queue[0]
        script.times -= 1
        if script.times == 0:
            queue.pop(0)
        return script

    def _answer(self, call: SlackCall) -> _Reply:
        if call.method == "response_url":
            return _text_reply("ok")
        if call.method == "file_upload":
            return _text_reply(f"OK - {call.params['size']}")
        if not call.path.startswith("/api/"):
            return _text_reply("not found", 404)
        if call.method != "oauth.v2.access" and not (call.token or "").startswith(
            _TOKEN_PREFIXES
        ):
            return _json_reply({"ok": False, "error": "invalid_auth"})
        with self._lock:
            responder = self._responders.get(call.method)
        body = responder(call) if responder else self._default_body(call)
        if call.method == "auth.test":
            return _json_reply(body, headers={"x-oauth-scopes": self.bot_scopes})
        return _json_reply(body)

    def _next(self) -> int:
        with self._lock:
            self._counter += 1
            return self._counter

    def _next_ts(self) -> str:
        # The wall clock, as Slack's ts is (conversations.history's `oldest` is a time), and
        # never the same twice.
        with self._lock:
            self._last_ts = max(time.time_ns() // 1000, self._last_ts + 100)
            seconds, micros = divmod(self._last_ts, 1_000_000)
        return f"{seconds}.{micros:06d}"

    def _default_body(self, call: SlackCall) -> dict[str, Any]:
        p, ok = call.params, {"ok": True}
        match call.method:
            case "auth.test":
                return {**ok, "url": "https://example.slack.com/", "team": self.team_name,
                        "user": "tradeoff", "team_id": self.team_id,
                        "user_id": self.bot_user_id, "bot_id": self.bot_id}
            case "chat.postMessage":
                ts = self._next_ts()
                message = self._bot_message(p, ts)
                self.threads.add(str(p.get("channel", "")), message)
                return {**ok, "channel": p.get("channel"), "ts": ts, "message": message}
            case "conversations.replies":
                return self.threads.replies(p)
            case "conversations.history":
                return self.threads.history(p)
            case "chat.postEphemeral":
                return {**ok, "message_ts": self._next_ts()}
            case "chat.update":
                ts = p.get("ts", "")
                return {**ok, "channel": p.get("channel"), "ts": ts, "text": p.get("text", ""),
                        "message": self._bot_message(p, ts)}
            case "chat.getPermalink":
                channel, ts = p.get("channel", ""), str(p.get("message_ts", ""))
                link = f"https://example.slack.com/archives/{channel}/p{ts.replace('.', '')}"
                return {**ok, "channel": channel, "permalink": link}
            case "views.open" | "views.push" | "views.update" | "views.publish":
                return {**ok, "view": self._echo_view(p)}
            case "users.info":
                uid = str(p.get("user", ""))
                user = _merge({**copy.deepcopy(_USER_SHAPE), "id": uid}, self.users.get(uid, {}))
                return {**ok, "user": user}
            case "conversations.info":
                cid = str(p.get("channel", ""))
                base = {**copy.deepcopy(_CHANNEL_SHAPE), "id": cid}
                return {**ok, "channel": _merge(base, self.channels.get(cid, {}))}
            case "users.conversations":
                member_of = self.memberships.get(str(p.get("user", "")), [])
                return {**ok, "channels": [{"id": c, "is_member": True} for c in member_of],
                        "response_metadata": {"next_cursor": ""}}
            case "conversations.join":
                return {**ok, "channel": {"id": p.get("channel")}}
            case "reactions.get":
                return {**ok, "type": "message", "message": {"reactions": []}}
            case "files.getUploadURLExternal":
                fid = f"F{self._next():08d}"
                url = f"http://127.0.0.1:{self.port}/upload/{fid}"
                return {**ok, "upload_url": url, "file_id": fid}
            case "files.completeUploadExternal":
                files = p.get("files") if isinstance(p.get("files"), list) else []
                done = [{"id": f.get("id"), "title": f.get("title")} for f in files or []]
                return {**ok, "files": done}
            case "auth.teams.list":
                teams = [{"id": t, "name": f"Workspace {t}"} for t in self.org_teams]
                return {**ok, "teams": teams, "response_metadata": {"next_cursor": ""}}
            case "oauth.v2.access":
                return {**ok, **self._oauth_access()}
            case "apps.connections.open":
                return {**ok, "url": self.socket_url}
            case "conversations.open":
                return self._open_dm(p)
            case "conversations.members":
                return self._channel_members(p)
            case "conversations.canvases.create":
                return self._create_canvas(p)
            case "canvases.edit":
                return self._edit_canvas(p)
            case "usergroups.users.list":
                group = str(p.get("usergroup", ""))
                if group not in self.user_groups:
                    return {"ok": False, "error": "no_such_subteam"}
                return {**ok, "users": list(self.user_groups[group])}
        return ok

    # Methods issue 17 taught the fake, kept together.
    def _create_canvas(self, params: dict[str, Any]) -> dict[str, Any]:
        """A channel has at most one channel canvas, as on Slack."""
        channel = str(params.get("channel_id", ""))
        content = params.get("document_content") or {}
        with self._lock:
            if any(c["channel"] == channel for c in self.canvases.values()):
                return {"ok": False, "error": "channel_canvas_already_exists"}
            self._counter += 1
            canvas_id = f"F{self._counter:08d}"
            self.canvases[canvas_id] = {"channel": channel,
                                        "markdown": str(content.get("markdown", ""))}
        return {"ok": True, "canvas_id": canvas_id}

    def _edit_canvas(self, params: dict[str, Any]) -> dict[str, Any]:
        canvas_id = str(params.get("canvas_id", ""))
        changes = params.get("changes") or []
        with self._lock:
            if canvas_id not in self.canvases:
                return {"ok": False, "error": "canvas_not_found"}
            for change in changes:
                if change.get("operation") != "replace":
                    return {"ok": False, "error": "not_implemented_in_fake"}
                content = change.get("document_content") or {}
                self.canvases[canvas_id]["markdown"] = str(content.get("markdown", ""))
        return {"ok": True}

    def _channel_members(self, params: dict[str, Any]) -> dict[str, Any]:
        """conversations.members, a page at a time with Slack's cursor (the next offset)."""
        channel = str(params.get("channel", ""))
        if channel not in self.channel_members:
            return {"ok": False, "error": "channel_not_found"}
        members = self.channel_members[channel]
        limit = max(1, min(int(params.get("limit") or 100), 1000))
        start = int(params.get("cursor") or 0)
        end = start + limit
        cursor = str(end) if end < len(members) else ""
        return {"ok": True, "members": members[start:end],
                "response_metadata": {"next_cursor": cursor}}

    def _open_dm(self, params: dict[str, Any]) -> dict[str, Any]:
        """conversations.open with one user: the same D… channel every time, like Slack."""
        users = [u for u in str(params.get("users", "")).split(",") if u]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        if len(users) > 1:
            return {"ok": False, "error": "not_implemented_in_fake"}
        with self._lock:
            channel = self.dm_channels.setdefault(users[0], f"D{self._counter + 1:08d}")
            self._counter += 1
        return {"ok": True, "channel": {"id": channel}}

    def _bot_message(self, params: dict[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message", "text": params.get("text", ""), "ts": ts,
            "user": self.bot_user_id, "bot_id": self.bot_id, "team": self.team_id,
        }
        for key in ("blocks", "thread_ts", "attachments", "metadata"):
            if key in params:
                message[key] = params[key]
        return message

    def _echo_view(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view")
        view_id = params.get("view_id") or f"V{self._next():08d}"
        echoed = {**view, "id": view_id} if isinstance(view, dict) else {"id": view_id}
        echoed.update({"team_id": self.team_id, "app_id": self.app_id, "hash": f"{view_id}.h"})
        echoed.setdefault("bot_id", self.bot_id)
        return echoed

    def _oauth_access(self) -> dict[str, Any]:
        if self.enterprise_id:  # an org-wide install: the enterprise, no team
            return {
                "access_token": self.bot_token, "token_type": "bot", "scope": self.bot_scopes,
                "bot_user_id": self.bot_user_id, "app_id": self.app_id, "team": None,
                "enterprise": {"id": self.enterprise_id, "name": "Grid Org"},
                "is_enterprise_install": True,
                "authed_user": {"id": "U1234", "scope": "chat:write", "access_token": "xoxp-test",
                                "token_type": "user"},
            }
        # `enterprise` is null (the sample has one): a plain workspace install, so installation
        # stores key it by team id alone, as they do for this bot's incoming events.
        return {
            "access_token": self.bot_token, "token_type": "bot", "scope": self.bot_scopes,
            "bot_user_id": self.bot_user_id, "app_id": self.app_id, "enterprise": None,
            "team": {"name": self.team_name, "id": self.team_id}, "is_enterprise_install": False,
            "authed_user": {"id": "U1234", "scope": "chat:write", "access_token": "xoxp-test",
                            "token_type": "user"},
        }
