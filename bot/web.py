"""The ASGI application for HTTP mode: Slack's one endpoint and a health probe."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from bot.runtime import Runtime

SLACK_EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
OAUTH_REDIRECT_PATH = "/slack/oauth_redirect"


def create_asgi_app(app: AsyncApp, runtime: Runtime) -> Starlette:
    """`POST /slack/events` for commands, events and interactivity; `GET /healthz`."""
    handler = AsyncSlackRequestHandler(app)
    store = runtime.store

    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    async def healthz(_request: Request) -> Response:
        if await store.is_healthy():
            return JSONResponse({"status": "ok", "database": "ok"})
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)

    routes = [
        Route(SLACK_EVENTS_PATH, slack_events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    if app.oauth_flow is not None:
        # Bolt's handler passes these GETs to the OAuth flow: the "Add to Slack" page, and the
        # redirect that exchanges the code for the workspace's token.
        routes += [
            Route(app.oauth_flow.install_path, slack_events, methods=["GET"]),
            Route(app.oauth_flow.redirect_uri_path, slack_events, methods=["GET"]),
        ]
    return Starlette(
        routes=routes,
        lifespan=_lifespan(runtime),
    )


def _lifespan(runtime: Runtime) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    return lifespan
