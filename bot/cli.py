"""The `tradeoff` command (also `python -m bot`): demo, manifest, migrate, serve, socket."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import ConfigError, Settings
from bot.store.engine import DatabaseUrlError, to_async_url
from bot.store.errors import StoreUnavailable

logger = logging.getLogger("bot")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except (ConfigError, DatabaseUrlError) as exc:
        print(f"tradeoff: error: {exc}", file=sys.stderr)
        return 2
    except StoreUnavailable as exc:
        print(f"tradeoff: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if os.environ.get("TRADEOFF_DEBUG"):
            raise
        first_line = (str(exc).splitlines() or [""])[0]
        print(
            f"tradeoff: unexpected error: {type(exc).__name__}: {first_line} "
            "(set TRADEOFF_DEBUG=1 to see the traceback)",
            file=sys.stderr,
        )
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tradeoff",
        description="Tech debt and feature requests side by side, decided together in Slack.",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="seed a local SQLite database and print the view")
    demo.add_argument(
        "--database-url",
        default=None,
        help="where to put the demo data (default: sqlite:///./tradeoff-demo.db)",
    )
    demo.set_defaults(run=_demo)

    manifest = commands.add_parser("manifest", help="print the Slack app manifest (JSON)")
    manifest.add_argument("--url", help="public HTTPS base URL of your bot, e.g. https://x.io")
    manifest.add_argument("--socket", action="store_true", help="manifest for Socket Mode")
    manifest.add_argument(
        "--oauth", action="store_true",
        help="add the OAuth redirect URL (multi-workspace installs with SLACK_CLIENT_ID)",
    )
    manifest.set_defaults(run=_manifest)

    migrate = commands.add_parser("migrate", help="create or upgrade the database schema")
    migrate.set_defaults(run=_migrate)

    serve = commands.add_parser("serve", help="run the bot over HTTP (POST /slack/events)")
    serve.add_argument("--host", default=None, help="interface to listen on (env HOST)")
    serve.add_argument("--port", type=int, default=None, help="port (env PORT, default 3000)")
    serve.set_defaults(run=_serve)

    socket = commands.add_parser("socket", help="run the bot in Socket Mode (no public URL)")
    socket.set_defaults(run=_socket)

    digest = commands.add_parser("digest", help="post a channel's digest now (or print it)")
    digest.add_argument("--team", required=True, help="workspace id, e.g. T0123ABCD")
    digest.add_argument("--channel", required=True, help="channel id, e.g. C0123ABCD")
    digest.add_argument("--dry-run", action="store_true", help="print it; post nothing")
    digest.set_defaults(run=_digest)

    trends = commands.add_parser("trends", help="write a channel's trends chart as a PNG")
    trends.add_argument("--team", required=True, help="workspace id, e.g. T0123ABCD")
    trends.add_argument("--channel", required=True, help="channel id, e.g. C0123ABCD")
    trends.add_argument("--out", required=True, help="where to write the PNG")
    trends.add_argument("--weeks", type=int, default=12, help="how many weeks (1-104)")
    trends.set_defaults(run=_trends)

    health = commands.add_parser("healthcheck", help="exit 0 when a running bot is healthy")
    health.add_argument("--url", help="default: http://127.0.0.1:$PORT/healthz")
    health.set_defaults(run=_healthcheck)
    return parser


def _configure_logging(settings: Settings) -> None:
    from bot.logs import configure_logging

    configure_logging(settings.log_level, settings.log_format, settings.secrets())


def _migrate_or_explain(database_url: str) -> None:
    from bot.store.migrate import upgrade_to_head

    try:
        upgrade_to_head(database_url)
    except Exception as exc:
        to_async_url(database_url)  # a malformed URL is reported as such, not as "unreachable"
        where = make_url(database_url).render_as_string(hide_password=True)
        first_line = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise StoreUnavailable(f"cannot migrate the database at {where}: {first_line}") from exc


def _demo(args: argparse.Namespace) -> int:
    from bot.charts import render_trends_png
    from bot.demo import DEFAULT_DEMO_DATABASE_URL, demo_trends, run_demo
    from bot.domain.trends import Trends
    from bot.store.unit_of_work import Store

    url = args.database_url or DEFAULT_DEMO_DATABASE_URL
    to_async_url(url)
    _migrate_or_explain(url)

    async def run() -> tuple[str, Trends]:
        store = Store(url)
        try:
            return await run_demo(store), await demo_trends(store)
        finally:
            await store.close()

    view, trends = asyncio.run(run())
    print(view)
    chart = _next_to_database(url, "-trends.png")
    chart.write_bytes(render_trends_png(trends, title="Tradeoff trends · #checkout-team (demo)"))
    print(f"\n{trends.summary()}\nTrends chart: {chart}")
    print(f"Demo data is in {url}. Connect to Slack (see the README) to use it with a team.")
    return 0


def _next_to_database(url: str, suffix: str) -> Path:
    """A file beside an SQLite database (`demo.db` → `demo-trends.png`), else in the cwd."""
    database = make_url(to_async_url(url)).database
    if make_url(to_async_url(url)).get_backend_name() == "sqlite" and database:
        path = Path(database)
        return path.with_name(path.stem + suffix)
    return Path("tradeoff-demo" + suffix)


def _manifest(args: argparse.Namespace) -> int:
    from bot.slack.manifest import build_manifest

    manifest = build_manifest(args.url, socket_mode=args.socket, oauth=args.oauth)
    print(json.dumps(manifest, indent=2))
    return 0


def _migrate(_args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    _configure_logging(settings)
    _migrate_or_explain(settings.database_url)
    print("tradeoff: database is up to date")
    return 0


def _ready_to_connect(require: Callable[[Settings], None]) -> Settings:
    """What `serve` and `socket` do before they connect: check settings, migrate, and make
    sure Slack accepts the token."""
    from bot.runtime import verify_slack_token

    settings = Settings.from_env()
    require(settings)
    _configure_logging(settings)
    _migrate_or_explain(settings.database_url)
    if not settings.multi_workspace:
        asyncio.run(verify_slack_token(settings))
    return settings


def _tune_gc() -> None:
    """Fewer, cheaper collections for a long-running server. Listing 300 items makes thousands
    of short-lived objects; with CPython's default threshold (700) the collector ran many times
    per request, scanning everything imported at start too. Measured by bench.list_items at 8
    clients: 7.7 -> 5.6 ms of CPU per list, p99 158 -> 80 ms."""
    gc.freeze()  # what is loaded now lives as long as the process: never scan it again
    gc.set_threshold(20_000, 10, 10)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.runtime import build_http_app

    settings = _ready_to_connect(Settings.require_http)
    app = build_http_app(settings)
    _tune_gc()
    uvicorn.run(
        app,
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level=settings.log_level.lower(),
        # Our handler (JSON, secrets scrubbed) stays in place; the request log replaces access.
        log_config=None,
        access_log=False,
    )
    return 0


def _digest(args: argparse.Namespace) -> int:
    from bot.runtime import print_or_post_digest

    settings = Settings.from_env()
    if not args.dry_run:
        settings.require_token()
    _configure_logging(settings)
    _migrate_or_explain(settings.database_url)
    text, ok = asyncio.run(
        print_or_post_digest(settings, args.team, args.channel, dry_run=args.dry_run)
    )
    print(text)
    return 0 if ok else 1


def _trends(args: argparse.Namespace) -> int:
    from bot.runtime import load_trends

    if not 1 <= args.weeks <= 104:
        raise ConfigError(f"--weeks must be 1 to 104, got {args.weeks}")
    settings = Settings.from_env()
    _configure_logging(settings)
    _migrate_or_explain(settings.database_url)
    title = f"Tradeoff trends · last {args.weeks} weeks"
    data, png = asyncio.run(load_trends(settings, args.team, args.channel, args.weeks,
                                        title=title))
    if png is None:
        print("tradeoff: no history to chart for that channel yet (no items, no decisions)")
        return 1
    Path(args.out).write_bytes(png)
    print(f"{data.summary()}\nChart written to {args.out}")
    return 0


def _healthcheck(args: argparse.Namespace) -> int:
    """For container HEALTHCHECKs: the image has no curl, but it has Python."""
    import urllib.error
    import urllib.request

    url = args.url or f"http://127.0.0.1:{Settings.from_env().port}/healthz"
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"--url must be an http(s) URL, got '{url}'")
    try:
        with urllib.request.urlopen(url, timeout=4) as response:  # noqa: S310 - scheme checked
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError as exc:
        print(f"tradeoff: unhealthy: {url} did not answer ({exc})", file=sys.stderr)
        return 1
    if status != 200:
        print(f"tradeoff: unhealthy: {url} answered {status}", file=sys.stderr)
        return 1
    print(f"tradeoff: healthy ({url})")
    return 0


def _socket(_args: argparse.Namespace) -> int:
    from bot.runtime import run_socket_mode

    settings = _ready_to_connect(Settings.require_socket)
    _tune_gc()
    asyncio.run(run_socket_mode(settings))
    return 0
