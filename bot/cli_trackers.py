"""`tradeoff secret-key`, `tradeoff connect github` and `tradeoff import`: the tracker bridge
for operators and scripts."""

from __future__ import annotations

import argparse
import asyncio
import os

from bot.cli_data import CommandFailed, add_database_option, migrate_or_explain, settings_for
from bot.config import ConfigError, Settings
from bot.credentials import SecretBox, SecretKeyMissing, new_secret_key
from bot.domain.tracker_connections import (
    DEFAULT_GITHUB_DEBT_LABELS,
    DEFAULT_JIRA_DEBT_LABELS,
    TrackerCredentials,
    TrackerKind,
)
from bot.domain.tracker_issues import parse_label_list
from bot.services.connect_tracker import ConnectRequest, connect_tracker
from bot.services.import_issues import import_issues
from bot.services.ports import TrackerFailure
from bot.services.tracker_access import ConnectionPaused, NotConnected
from bot.store.unit_of_work import Store
from bot.trackers.factory import tracker_factory
from bot.trackers.webhook_path import GITHUB_WEBHOOK_PATH

CLI_USER = "cli"  # the author of items an operator imports from the command line


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    key = commands.add_parser("secret-key", help="print a new TRADEOFF_SECRET_KEY")
    key.set_defaults(run=secret_key)

    connect = commands.add_parser("connect", help="connect a channel to GitHub Issues or Jira")
    trackers = connect.add_subparsers(required=True, metavar="TRACKER")
    github = trackers.add_parser("github", help="token from GITHUB_TOKEN")
    _where(github)
    github.add_argument("--repo", required=True, help="owner/repo")
    github.add_argument("--webhook-secret", default=None,
                        help="the secret GitHub signs its webhooks with")
    github.add_argument("--debt-labels", default=", ".join(DEFAULT_GITHUB_DEBT_LABELS),
                        help="labels that mean tech debt (comma-separated)")
    add_database_option(github)
    github.set_defaults(run=connect_github)

    jira = trackers.add_parser("jira", help="e-mail and token from JIRA_EMAIL, JIRA_API_TOKEN")
    _where(jira)
    jira.add_argument("--site", required=True, help="e.g. https://acme.atlassian.net")
    jira.add_argument("--project", required=True, help="the project key, e.g. SHOP")
    jira.add_argument("--debt-labels", default=", ".join(DEFAULT_JIRA_DEBT_LABELS),
                      help="labels or issue types that mean tech debt (comma-separated)")
    add_database_option(jira)
    jira.set_defaults(run=connect_jira)

    imports = commands.add_parser("import", help="turn a channel's open issues into items")
    _where(imports)
    add_database_option(imports)
    imports.set_defaults(run=import_command)


def _where(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--team", required=True, help="workspace id, e.g. T0123ABCD")
    parser.add_argument("--channel", required=True, help="channel id, e.g. C0123ABCD")


def secret_key(_args: argparse.Namespace) -> int:
    print(new_secret_key())
    return 0


def _box(settings: Settings) -> SecretBox:
    try:
        return SecretBox(settings.secret_keys)
    except SecretKeyMissing as exc:
        raise ConfigError(str(exc)) from exc


def connect_github(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    box = _box(settings)
    token = os.environ.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise ConfigError("GITHUB_TOKEN is not set: a fine-grained token with Issues read and "
                          "write on the repository")
    repo = args.repo.strip()
    if repo.count("/") != 1 or not all(repo.split("/")):
        raise ConfigError(f"--repo must be owner/repo, got '{repo}'")
    request = ConnectRequest(
        team_id=args.team, channel_id=args.channel, kind=TrackerKind.GITHUB, target=repo,
        project=None, credentials=TrackerCredentials(token), webhook_secret=args.webhook_secret,
        debt_labels=parse_label_list(args.debt_labels) or DEFAULT_GITHUB_DEBT_LABELS,
        by_user=CLI_USER,
    )
    name = _connect(settings, box, request)
    print(f"tradeoff: connected {args.channel} to GitHub {name}")
    hook = (f"give GitHub the webhook URL https://YOUR-BOT-HOST{GITHUB_WEBHOOK_PATH} "
            "(content type application/json, the same secret, event: Issues)")
    print(f"tradeoff: {hook}" if args.webhook_secret else
          f"tradeoff: polling every {settings.tracker_poll_interval:g} s; for instant updates "
          f"connect again with --webhook-secret and {hook}")
    return 0


def connect_jira(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    box = _box(settings)
    email = os.environ.get("JIRA_EMAIL", "").strip()
    token = os.environ.get("JIRA_API_TOKEN", "").strip()
    missing = [name for name, value in (("JIRA_EMAIL", email), ("JIRA_API_TOKEN", token))
               if not value]
    if missing:
        raise ConfigError(f"{' and '.join(missing)} not set: the Atlassian account's e-mail "
                          "and an API token from id.atlassian.com")
    site = args.site.strip().rstrip("/")
    if not site.startswith(("http://", "https://")):
        raise ConfigError(f"--site must be the Jira site's URL, got '{site}'")
    project = args.project.strip().upper()
    request = ConnectRequest(
        team_id=args.team, channel_id=args.channel, kind=TrackerKind.JIRA, target=site,
        project=project, credentials=TrackerCredentials(token, email), webhook_secret=None,
        debt_labels=parse_label_list(args.debt_labels) or DEFAULT_JIRA_DEBT_LABELS,
        by_user=CLI_USER,
    )
    name = _connect(settings, box, request)
    print(f"tradeoff: connected {args.channel} to Jira {name} ({project} on {site})")
    print(f"tradeoff: polling every {settings.tracker_poll_interval:g} s")
    return 0


def _connect(settings: Settings, box: SecretBox, request: ConnectRequest) -> str:
    migrate_or_explain(settings.database_url)

    async def run() -> str:
        store = Store(settings.database_url)
        try:
            connected = await connect_tracker(
                store, box, tracker_factory(settings), request, check_role=False
            )
        finally:
            await store.close()
        return connected.display_name

    try:
        return asyncio.run(run())
    except TrackerFailure as exc:
        raise CommandFailed(f"not connected: {exc.reason}") from None


def import_command(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    box = _box(settings)
    migrate_or_explain(settings.database_url)

    async def run() -> str:
        store = Store(settings.database_url)
        try:
            results = await import_issues(
                store, box, tracker_factory(settings), team_id=args.team,
                channel_id=args.channel, user_id=CLI_USER, check_role=False,
            )
        finally:
            await store.close()
        return "\ntradeoff: ".join(
            f"{r.connection.where}: {r.failure}" if r.failure else
            f"imported {len(r.imported)} from {r.connection.where}"
            f"{' (' + ', '.join(str(ref) for ref in r.imported) + ')' if r.imported else ''}, "
            f"{r.already_linked} already linked, {r.skipped} skipped"
            for r in results)

    try:
        print(f"tradeoff: {asyncio.run(run())}")
    except (NotConnected, ConnectionPaused) as exc:
        raise CommandFailed(str(exc).replace("`/tradeoff connect", "`tradeoff connect")) from None
    except TrackerFailure as exc:
        raise CommandFailed(f"nothing imported: {exc.reason}") from None
    return 0
