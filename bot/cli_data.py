"""The `tradeoff` commands that work on a database: demo, migrate, digest and trends.

`--database-url` and `DATABASE_URL` mean the same to each of them. Commands that only read
(`digest --dry-run`, `trends`) never create or migrate a database: they say what is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shlex
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import ConfigError, Settings
from bot.domain.trends import MAX_WEEKS
from bot.store.engine import to_async_url
from bot.store.errors import StoreUnavailable
from bot.store.migrate import Migration

logger = logging.getLogger("bot")


class CommandFailed(Exception):
    """The command cannot do what was asked; str() is the one line to show (exit 1)."""


def add_database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url", default=None, metavar="URL",
        help="the database to use; the same as setting DATABASE_URL",
    )


def settings_for(args: argparse.Namespace, mode: str | None = None) -> Settings:
    """Settings from the environment, with --database-url in place of DATABASE_URL; with a
    mode ("http", "socket"), what that mode needs is checked in the same message."""
    env = dict(os.environ)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    return Settings.from_env(env) if mode is None else Settings.for_mode(mode, env)


def shown(url: str) -> str:
    """The database URL as it may be printed: with its password masked."""
    return make_url(url).render_as_string(hide_password=True)


def migrate_or_explain(database_url: str) -> Migration:
    from bot.store.migrate import upgrade_to_head

    try:
        return upgrade_to_head(database_url)
    except Exception as exc:
        to_async_url(database_url)  # a malformed URL is reported as such, not as "unreachable"
        raise StoreUnavailable(
            f"cannot migrate the database at {shown(database_url)}: {_first_line(exc)}"
        ) from exc


def require_schema(database_url: str) -> None:
    """For commands that only read: the database must exist and be at the current schema.
    Nothing is created or changed, and what is wrong is said in one line."""
    from bot.store.migrate import head_revision, revision_of, sqlite_file_missing

    where = shown(database_url)
    if (missing := sqlite_file_missing(database_url)) is not None:
        raise CommandFailed(
            f"no database at {where} ({missing} does not exist); create one with "
            "'tradeoff migrate' or 'tradeoff demo', or pass --database-url"
        )
    try:
        revision = revision_of(database_url)
    except Exception as exc:
        raise StoreUnavailable(f"cannot read the database at {where}: {_first_line(exc)}") from exc
    head = head_revision()
    if revision is None:
        raise CommandFailed(
            f"the database at {where} has no Tradeoff schema; create it with 'tradeoff migrate'"
        )
    if revision != head:
        raise CommandFailed(
            f"the database at {where} is at schema revision {revision}, this version needs "
            f"{head}; run 'tradeoff migrate'"
        )


def _first_line(exc: Exception) -> str:
    """A driver's error in one line (some span a page), or at least its type."""
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def describe_migration(database_url: str, migration: Migration) -> str:
    where = shown(database_url)
    if migration.before is None:
        return f"created the schema (revision {migration.after}) in {where}"
    if migration.before != migration.after:
        return f"upgraded {where} from revision {migration.before} to {migration.after}"
    return f"{where} is already at revision {migration.after}; nothing to do"


def write_file(path: str | Path, data: bytes) -> None:
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise CommandFailed(f"cannot write {path}: {exc.strerror or exc}") from exc


def configure_logging(settings: Settings) -> None:
    from bot.logs import configure_logging as configure

    configure(settings.log_level, settings.log_format, settings.secrets())


def migrate(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    configure_logging(settings)
    migration = migrate_or_explain(settings.database_url)
    print(f"tradeoff: {describe_migration(settings.database_url, migration)}")
    return 0


def digest(args: argparse.Namespace) -> int:
    from bot.cli_digest import print_or_post_digest

    settings = settings_for(args)
    if not args.dry_run:
        settings.require_token()
    configure_logging(settings)
    if args.dry_run:
        require_schema(settings.database_url)
    else:
        migrate_or_explain(settings.database_url)
    text, ok = asyncio.run(
        print_or_post_digest(settings, args.team, args.channel, dry_run=args.dry_run)
    )
    print(text)
    return 0 if ok else 1


def trends(args: argparse.Namespace) -> int:
    from bot.cli_digest import load_trends

    if not 1 <= args.weeks <= MAX_WEEKS:
        raise ConfigError(f"--weeks must be 1 to {MAX_WEEKS}, got {args.weeks}")
    settings = settings_for(args)
    configure_logging(settings)
    require_schema(settings.database_url)
    data, png = asyncio.run(load_trends(settings, args.team, args.channel, args.weeks))
    if png is None:
        print("tradeoff: no history to chart for that channel yet (no items, no decisions)")
        return 1
    write_file(args.out, png)
    print(f"{data.summary()}\nChart written to {args.out}")
    return 0


def demo(args: argparse.Namespace) -> int:
    from bot.charts import render_trends_png
    from bot.demo import DEFAULT_DEMO_DATABASE_URL, DEMO_CHANNEL, DEMO_TEAM, demo_trends, run_demo
    from bot.domain.trends import Trends
    from bot.store.unit_of_work import Store

    from_env = not args.database_url and bool(os.environ.get("DATABASE_URL"))
    url = args.database_url or os.environ.get("DATABASE_URL") or DEFAULT_DEMO_DATABASE_URL
    settings_for(argparse.Namespace(database_url=url))  # the same checks as every command
    migrate_or_explain(url)

    async def run() -> tuple[str, Trends]:
        store = Store(url)
        try:
            return await run_demo(store), await demo_trends(store)
        finally:
            await store.close()

    view, data = asyncio.run(run())
    print(view)
    chart = next_to_database(url, "-trends.png")
    write_file(chart, render_trends_png(data, title="Tradeoff trends · #checkout-team (demo)"))
    print(f"\n{data.summary()}\nTrends chart: {chart}")
    print(f"Demo data is in {shown(url)}, workspace {DEMO_TEAM}, channel {DEMO_CHANNEL}.")
    print("\n" + try_next(url, from_env=from_env, team=DEMO_TEAM, channel=DEMO_CHANNEL))
    return 0


def try_next(url: str, *, from_env: bool, team: str, channel: str) -> str:
    """Commands that work as printed on the demo's database, copied and pasted."""
    # With DATABASE_URL set in this shell, every command already reads it.
    database = "" if from_env else f" --database-url {shlex.quote(shown(url))}"
    where = f"{database} --team {team} --channel {channel}"
    lines = [
        "Try next:",
        f"  tradeoff digest{where} --dry-run",
        f"  tradeoff trends{where} --out demo-chart.png",
        f"  tradeoff serve{database}",
        "The last one needs your Slack app's SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET",
        "(see .env.example and 'Connect to Slack' in the README).",
    ]
    if make_url(url).password:
        lines.append("Put your database password back where the URLs show ***.")
    return "\n".join(lines)


def next_to_database(url: str, suffix: str) -> Path:
    """A file beside an SQLite database (`demo.db` → `demo-trends.png`), else in the cwd."""
    parsed = make_url(to_async_url(url))
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        path = Path(parsed.database)
        return path.with_name(path.stem + suffix)
    return Path("tradeoff-demo" + suffix)


def report(args: argparse.Namespace) -> int:
    from bot.report_cli import load_report

    if args.format is None:
        args.format = "html" if args.out and not str(args.out).endswith(".json") else "json"
    if args.format == "html" and not args.out:
        raise ConfigError("--format html needs --out, e.g. --out report.html")
    settings = settings_for(args)
    configure_logging(settings)
    require_schema(settings.database_url)
    text = asyncio.run(load_report(settings, args.team, args.format))
    if args.out:
        write_file(args.out, text.encode())
        print(f"Report written to {args.out}")
    else:
        print(text, end="")
    return 0
