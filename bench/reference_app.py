"""The naive reference the quick-add benchmark compares the bot with.

    python -m bench.reference_app --mode ack|db [--bolt default|pbr] [--http-stack asyncio|uvloop]

A bare Bolt AsyncApp behind the same server stack as the bot (Starlette's
AsyncSlackRequestHandler on uvicorn, started the way `tradeoff serve` starts it, access log
off, event loop and HTTP parser as `--http-stack` names them), answering `/debt`:

* `ack`: acknowledges at once.
* `db`: first one INSERT and one SELECT through plain async SQLAlchemy ORM (default engine
  settings for the URL, a table of its own), then acknowledges with the new row's id.

`--bolt pbr` builds the app with `process_before_response=True` instead of Bolt's default.
Settings come from the environment like the bot's: DATABASE_URL, SLACK_BOT_TOKEN,
SLACK_SIGNING_SECRET, SLACK_API_URL, HOST, PORT.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import uvicorn
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import DateTime, String, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.http_stack import STACKS
from bot.store.engine import to_async_url


class Base(DeclarativeBase):
    pass


class ReferenceItem(Base):
    __tablename__ = "bench_reference_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    impact: Mapped[str] = mapped_column(String(2000))
    author_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def build(mode: str, bolt: str, env: dict[str, str]) -> Starlette:
    client = AsyncWebClient(token=env["SLACK_BOT_TOKEN"], base_url=env["SLACK_API_URL"])
    app = AsyncApp(
        client=client,
        signing_secret=env["SLACK_SIGNING_SECRET"],
        process_before_response=bolt == "pbr",
    )
    engine = create_async_engine(to_async_url(env["DATABASE_URL"])) if mode == "db" else None
    sessions = async_sessionmaker(engine) if engine is not None else None

    @app.command("/debt")
    async def debt(ack: AsyncAck, body: dict[str, Any]) -> None:
        if sessions is None:
            await ack(text="logged")
            return
        title, _, impact = str(body.get("text", "")).partition("|")
        async with sessions() as session:
            row = ReferenceItem(
                team_id=body["team_id"], channel_id=body["channel_id"], title=title.strip(),
                impact=impact.strip(), author_id=body["user_id"], created_at=datetime.now(UTC),
            )
            session.add(row)
            await session.flush()  # the INSERT
            stored = (
                await session.execute(select(ReferenceItem).where(ReferenceItem.id == row.id))
            ).scalar_one()  # the SELECT
            reply = f"Tech debt *R-{stored.id}* logged: {stored.title}"
            await session.commit()
        await ack(text=reply)

    handler = AsyncSlackRequestHandler(app)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if engine is not None:
            async with engine.begin() as conn:
                await conn.run_sync(Base.metadata.create_all)
        try:
            yield
        finally:
            if engine is not None:
                await engine.dispose()

    return Starlette(
        routes=[
            Route("/slack/events", events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reference_app")
    parser.add_argument("--mode", choices=("ack", "db"), required=True)
    parser.add_argument("--bolt", choices=("default", "pbr"), default="default")
    parser.add_argument("--http-stack", choices=sorted(STACKS), default="asyncio")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    uvicorn.run(
        build(args.mode, args.bolt, env),
        host=env.get("HOST", "127.0.0.1"),
        port=int(env.get("PORT", "3000")),
        log_level="warning",
        access_log=False,
        **STACKS[args.http_stack].uvicorn_options(),  # type: ignore[arg-type]
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
