"""The `tradeoff` command (also `python -m bot`): demo, manifest, migrate, serve, socket."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence

from bot import cli_data, cli_trackers
from bot.cli_data import (
    CommandFailed,
    add_database_option,
    configure_logging,
    migrate_or_explain,
    settings_for,
    shown,
)
from bot.config import ConfigError, Settings
from bot.domain.trends import DEFAULT_WEEKS, MAX_WEEKS
from bot.gc_tuning import tune_gc_for_serving
from bot.http_stack import HttpStack, loop_name, stack_named
from bot.store.engine import DatabaseUrlError
from bot.store.errors import StoreUnavailable

logger = logging.getLogger("bot")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        status = int(args.run(args))
        sys.stdout.flush()  # inside the try: a closed pipe shows up here, not at exit
        return status
    except BrokenPipeError:
        # The reader went away (`tradeoff manifest | head`): stop quietly, as cat does. Python
        # would flush stdout again at exit and complain, so point it at /dev/null first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (ConfigError, DatabaseUrlError) as exc:
        print(f"tradeoff: error: {exc}", file=sys.stderr)
        return 2
    except (StoreUnavailable, CommandFailed) as exc:
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

    demo = commands.add_parser(
        "demo", help="seed a sample workspace (default: ./tradeoff-demo.db) and print the view"
    )
    add_database_option(demo)
    demo.set_defaults(run=cli_data.demo)

    manifest = commands.add_parser("manifest", help="print the Slack app manifest (JSON)")
    manifest.add_argument("--url", help="public HTTPS base URL of your bot, e.g. https://x.io")
    manifest.add_argument("--socket", action="store_true", help="manifest for Socket Mode")
    manifest.add_argument(
        "--oauth", action="store_true",
        help="add the OAuth redirect URL (multi-workspace installs with SLACK_CLIENT_ID)",
    )
    manifest.add_argument(
        "--org", action="store_true",
        help="allow an org-wide install on Enterprise Grid (sets org_deploy_enabled)",
    )
    manifest.set_defaults(run=_manifest)

    migrate = commands.add_parser("migrate", help="create or upgrade the database schema")
    add_database_option(migrate)
    migrate.set_defaults(run=cli_data.migrate)

    serve = commands.add_parser("serve", help="run the bot over HTTP (POST /slack/events)")
    serve.add_argument("--host", default=None, help="interface to listen on (env HOST)")
    serve.add_argument("--port", type=int, default=None, help="port (env PORT, default 3000)")
    add_database_option(serve)
    serve.set_defaults(run=_serve)

    socket = commands.add_parser("socket", help="run the bot in Socket Mode (no public URL)")
    add_database_option(socket)
    socket.set_defaults(run=_socket)

    digest = commands.add_parser("digest", help="post a channel's digest now (or print it)")
    digest.add_argument("--team", required=True, help="workspace id, e.g. T0123ABCD")
    digest.add_argument("--channel", required=True, help="channel id, e.g. C0123ABCD")
    digest.add_argument("--dry-run", action="store_true", help="print it; post nothing")
    add_database_option(digest)
    digest.set_defaults(run=cli_data.digest)

    trends = commands.add_parser("trends", help="write a channel's trends chart as a PNG")
    trends.add_argument("--team", required=True, help="workspace id, e.g. T0123ABCD")
    trends.add_argument("--channel", required=True, help="channel id, e.g. C0123ABCD")
    trends.add_argument("--out", required=True, help="where to write the PNG")
    trends.add_argument("--weeks", type=int, default=DEFAULT_WEEKS,
                        help=f"how many weeks (1-{MAX_WEEKS})")
    add_database_option(trends)
    trends.set_defaults(run=cli_data.trends)

    cli_trackers.add_commands(commands)
    report = commands.add_parser(
        "report", help="every channel of a workspace: HTML file (--out) or JSON (--format json)"
    )
    report.add_argument("--team", required=True, help="workspace id, e.g. T0123ABCD")
    report.add_argument("--out", help="where to write it (JSON goes to stdout without it)")
    report.add_argument("--format", choices=("html", "json"), default=None,
                        help="html (the default with --out ending .html) or json")
    add_database_option(report)
    report.set_defaults(run=cli_data.report)

    health = commands.add_parser("healthcheck", help="exit 0 when a running bot is healthy")
    health.add_argument("--url", help="default: http://127.0.0.1:$PORT/healthz")
    health.set_defaults(run=_healthcheck)
    return parser


def _manifest(args: argparse.Namespace) -> int:
    from bot.slack.manifest import PLACEHOLDER_URL, build_manifest, public_url_problem

    if args.socket and args.oauth:
        raise ConfigError(
            "--oauth needs an HTTP endpoint for Slack's redirect, which Socket Mode has not; "
            "use --url with --oauth, or --socket alone"
        )
    if args.url is not None and (problem := public_url_problem(args.url)):
        raise ConfigError(problem)
    if args.url is None and not args.socket:
        print(
            f"tradeoff: note: the request URLs are placeholders ({PLACEHOLDER_URL}); pass "
            "--url https://your-host to get a manifest Slack accepts",
            file=sys.stderr,
        )
    manifest = build_manifest(
        args.url, socket_mode=args.socket, oauth=args.oauth, org=args.org
    )
    print(json.dumps(manifest, indent=2))
    return 0


def _ready_to_connect(args: argparse.Namespace, mode: str) -> Settings:
    """What `serve` and `socket` do before they connect: check settings, migrate, and make
    sure Slack accepts the token."""
    from bot.runtime import verify_slack_token

    settings = settings_for(args, mode)
    configure_logging(settings)
    migration = migrate_or_explain(settings.database_url)
    if not settings.multi_workspace:
        asyncio.run(verify_slack_token(settings))
    # Logged once Slack has accepted the token, so a refused start stays one line.
    logger.info(
        "database %s at schema revision %s", shown(settings.database_url), migration.after
    )
    return settings


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.runtime import build_http_app

    settings = _ready_to_connect(args, "http")
    stack = _http_stack(settings)
    app = build_http_app(settings)
    tune_gc_for_serving()
    logger.info("HTTP on %s + %s (TRADEOFF_HTTP_STACK=%s)", stack.loop, stack.http, stack.name)
    uvicorn.run(
        app,
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level=settings.log_level.lower(),
        # Our handler (JSON, secrets scrubbed) stays in place; the request log replaces access.
        log_config=None,
        access_log=False,
        **stack.uvicorn_options(),  # type: ignore[arg-type]
    )
    return 0


def _http_stack(settings: Settings) -> HttpStack:
    stack = stack_named(settings.http_stack)
    missing = stack.missing()
    if missing:
        raise ConfigError(
            f"TRADEOFF_HTTP_STACK={stack.name} needs {' and '.join(missing)}, which are not "
            f"installed: pip install {' '.join(missing)}, or set TRADEOFF_HTTP_STACK=asyncio"
        )
    return stack


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


def _socket(args: argparse.Namespace) -> int:
    settings = _ready_to_connect(args, "socket")
    # Socket Mode has no HTTP server, but runs on the same event loop as `serve` does.
    stack = _http_stack(settings)
    tune_gc_for_serving()
    with asyncio.Runner(loop_factory=stack.loop_factory()) as runner:
        runner.run(_socket_mode_on_loop(settings))
    return 0


async def _socket_mode_on_loop(settings: Settings) -> None:
    from bot.runtime import run_socket_mode

    logger.info("Socket Mode on event loop %s", loop_name())
    await run_socket_mode(settings)
