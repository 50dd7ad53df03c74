"""The ASGI application for HTTP mode: Slack's endpoint, GitHub's webhook and a health probe."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from slack_bolt.adapter.starlette.async_handler import (
    AsyncSlackRequestHandler,
    to_starlette_response,
)
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.config import Settings
from bot.slack.paths import SLACK_EVENTS_PATH
from bot.store.unit_of_work import Store
from bot.trackers.github_hook_receiver import WebhookHost, receive_github
from bot.trackers.webhook_path import GITHUB_WEBHOOK_PATH

request_logger = logging.getLogger("bot.requests")

# Slack's largest payloads (a modal's view_submission with its state) stay far below this.
MAX_BODY_BYTES = 512 * 1024


class Served(WebhookHost, Protocol):
    """What the HTTP app needs of the process it serves: its settings and store, and its
    background work started with the app and stopped with it."""

    @property
    def settings(self) -> Settings: ...

    @property
    def store(self) -> Store: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def create_asgi_app(app: AsyncApp, runtime: Served) -> Starlette:
    """`POST /slack/events` for commands, events and interactivity; `POST /github/webhook`;
    `GET /healthz`."""
    handler = AsyncSlackRequestHandler(app)
    verifier = SignatureVerifier(runtime.settings.signing_secret or "")
    store = runtime.store

    async def slack_events(request: Request) -> Response:
        """Refuse what Slack did not send before any of it is parsed: a body over the cap
        (413, from Content-Length when it says so, without reading it), then a missing, stale
        or wrong signature (401). Only a verified body is parsed (400 if it is not what it
        claims to be) and handed to Bolt."""
        started = time.perf_counter()
        body = await _read_capped(request)
        if body is None:
            return _refused(started, 413, "too_large")
        if not _signed(verifier, body, request.headers):
            return _refused(started, 401, "rejected")
        try:
            bolt_request = AsyncBoltRequest(
                body=body.decode("utf-8"),
                query=dict(request.query_params),
                headers=dict(request.headers),
            )
        except (ValueError, TypeError, AttributeError, KeyError):
            return _refused(started, 400, "malformed")
        return to_starlette_response(await app.async_dispatch(bolt_request))

    async def oauth_pages(request: Request) -> Response:
        return await handler.handle(request)

    async def healthz(_request: Request) -> Response:
        if await store.is_healthy():
            return JSONResponse({"status": "ok", "database": "ok"})
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)

    async def github_webhook(request: Request) -> Response:
        started = time.perf_counter()
        body = await _read_capped(request)
        if body is None:
            return _refused(started, 413, "too_large")
        receipt = await receive_github(runtime, body, request.headers)
        if receipt is None:
            return _refused(started, 401, "rejected")
        return JSONResponse({"outcome": receipt}, status_code=202 if receipt == "queued" else 200)

    routes = [
        Route(SLACK_EVENTS_PATH, slack_events, methods=["POST"]),
        Route(GITHUB_WEBHOOK_PATH, github_webhook, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    if app.oauth_flow is not None:
        # Bolt's handler passes these GETs to the OAuth flow: the "Add to Slack" page, and the
        # redirect that exchanges the code for the workspace's token.
        routes += [
            Route(app.oauth_flow.install_path, oauth_pages, methods=["GET"]),
            Route(app.oauth_flow.redirect_uri_path, oauth_pages, methods=["GET"]),
        ]
    return Starlette(
        routes=routes,
        lifespan=_lifespan(runtime),
    )


def _refused(started: float, status: int, outcome: str) -> Response:
    """Nothing from an unverified body is logged: it could claim any team, user or text."""
    fields = {"kind": "http", "status": status, "outcome": outcome,
              "latency_ms": round((time.perf_counter() - started) * 1000, 1)}
    request_logger.warning(
        "request refused status=%d outcome=%s", status, outcome, extra=fields
    )
    if status == 413:
        return PlainTextResponse("request body too large", status_code=status)
    return JSONResponse({"error": f"{outcome} request"}, status_code=status)


async def _read_capped(request: Request) -> bytes | None:
    """The body, or None once it is known to pass MAX_BODY_BYTES (declared or streamed)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _signed(verifier: SignatureVerifier, body: bytes, headers: Headers) -> bool:
    """Slack's v0 signature over the raw bytes, made within the last five minutes."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not (timestamp.isascii() and timestamp.isdigit()) or not signature:
        return False
    try:
        return verifier.is_valid(body, timestamp, signature)
    except ValueError:  # slack_sdk decodes the body as UTF-8 to sign it; Slack's bodies are
        return False


def _lifespan(runtime: Served) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    return lifespan
