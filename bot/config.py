"""Settings from the environment, checked once at start with one-line errors for humans."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace

from bot.credentials import SecretKeyInvalid, parse_secret_keys
from bot.http_stack import DEFAULT_HTTP_STACK, STACKS
from bot.store.engine import DatabaseUrlError, to_async_url

DEFAULT_DATABASE_URL = "sqlite:///./tradeoff.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_GITHUB_API_URL = "https://api.github.com"
# The issue asks for "at least every 10 minutes"; webhooks make GitHub faster than that.
DEFAULT_TRACKER_POLL_S = 300.0
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(Exception):
    """A setting is missing or wrong; str() is one line that names it."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    slack_api_url: str = DEFAULT_SLACK_API_URL
    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    # Both set: multi-workspace mode, installs through OAuth and tokens kept in the database.
    client_id: str | None = None
    client_secret: str | None = None
    host: str = "0.0.0.0"  # noqa: S104 - a container's server must listen beyond loopback
    port: int = 3000
    log_level: str = "INFO"
    # "on" runs weekly digests; "paused" keeps schedules but posts nothing; "off" starts none.
    scheduler: str = "on"
    # Slack takes about one message per second per channel; digest replies are spaced by this.
    digest_reply_interval: float = 1.0
    # A digest's parent is redrawn at most once per this many seconds while votes come in.
    parent_update_interval: float = 2.0
    # "json": one JSON object per line (for log shippers); "text": for reading in a terminal.
    log_format: str = "json"
    # How often each process re-reads the schedules, so a change made elsewhere reaches it.
    schedule_sync_interval: float = 30.0
    # Fernet keys for tracker credentials at rest, newest first (TRADEOFF_SECRET_KEY).
    secret_keys: tuple[str, ...] = ()
    github_api_url: str = DEFAULT_GITHUB_API_URL
    tracker_poll_interval: float = DEFAULT_TRACKER_POLL_S
    # The event loop and HTTP parser `tradeoff serve` runs uvicorn on (bot.http_stack).
    http_stack: str = DEFAULT_HTTP_STACK

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """The settings, or one ConfigError that names every bad value at once."""
        problems: list[str] = []
        settings = cls._parse(os.environ if env is None else env, problems)
        if problems:
            raise ConfigError("; ".join(problems))
        return settings

    @classmethod
    def for_mode(cls, mode: str, env: Mapping[str, str] | None = None) -> Settings:
        """Settings for `serve` ("http") or `socket` ("socket"): every bad value and every
        missing one named in one ConfigError, so a second try does not find the next."""
        problems: list[str] = []
        settings = cls._parse(os.environ if env is None else env, problems)
        problems += settings._missing_http() if mode == "http" else settings._missing_socket()
        if problems:
            where = "see .env.example and 'Connect to Slack' in the README"
            raise ConfigError(f"{'; '.join(problems)} ({where})")
        return settings

    @classmethod
    def _parse(cls, env: Mapping[str, str], problems: list[str]) -> Settings:
        api_url = env.get("SLACK_API_URL") or DEFAULT_SLACK_API_URL
        if not api_url.startswith(("http://", "https://")):
            problems.append(f"SLACK_API_URL must be an http(s) URL, got '{api_url}'")
        port_text = env.get("PORT", "3000")
        port = int(port_text) if port_text.isascii() and port_text.isdigit() else 0
        if not 0 < port < 65536:
            problems.append(f"PORT must be a number between 1 and 65535, got '{port_text}'")
        scheduler = env.get("TRADEOFF_SCHEDULER", "on").lower()
        if scheduler not in ("on", "paused", "off"):
            problems.append(f"TRADEOFF_SCHEDULER must be on, paused or off, got '{scheduler}'")
        interval_text = env.get("DIGEST_REPLY_INTERVAL", "1.0")
        try:
            interval = float(interval_text)
        except ValueError:
            interval = -1.0
        if not 0 <= interval <= 60:
            problems.append(
                f"DIGEST_REPLY_INTERVAL must be seconds between 0 and 60, got '{interval_text}'"
            )
        sync_text = env.get("TRADEOFF_SCHEDULE_SYNC_S", "30")
        try:
            sync_interval = float(sync_text)
        except ValueError:
            sync_interval = -1.0
        if not 0 < sync_interval <= 60:
            raise ConfigError(
                f"TRADEOFF_SCHEDULE_SYNC_S must be seconds in (0, 60], got '{sync_text}'"
            )
        log_level = env.get("LOG_LEVEL", "INFO").upper()
        log_level = "WARNING" if log_level == "WARN" else log_level
        if log_level not in LOG_LEVELS:
            problems.append(
                f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got '{env.get('LOG_LEVEL')}'"
            )
        log_format = env.get("LOG_FORMAT", "json").lower()
        if log_format not in ("json", "text"):
            problems.append(f"LOG_FORMAT must be json or text, got '{env.get('LOG_FORMAT')}'")
        client_id = env.get("SLACK_CLIENT_ID") or None
        client_secret = env.get("SLACK_CLIENT_SECRET") or None
        if bool(client_id) != bool(client_secret):
            missing = "SLACK_CLIENT_SECRET" if client_id else "SLACK_CLIENT_ID"
            problems.append(
                f"{missing} is not set; multi-workspace mode needs both SLACK_CLIENT_ID and "
                "SLACK_CLIENT_SECRET (or neither, for one workspace with SLACK_BOT_TOKEN)"
            )
        secret_keys: tuple[str, ...] = ()
        try:
            secret_keys = parse_secret_keys(env.get("TRADEOFF_SECRET_KEY"))
        except SecretKeyInvalid as exc:
            problems.append(str(exc))
        github_api_url = (env.get("GITHUB_API_URL") or DEFAULT_GITHUB_API_URL).rstrip("/")
        if not github_api_url.startswith(("http://", "https://")):
            problems.append(f"GITHUB_API_URL must be an http(s) URL, got '{github_api_url}'")
        poll_text = env.get("TRADEOFF_TRACKER_POLL_S", str(DEFAULT_TRACKER_POLL_S))
        try:
            poll_interval = float(poll_text)
        except ValueError:
            poll_interval = -1.0
        if not 0 < poll_interval <= 600:
            problems.append(
                f"TRADEOFF_TRACKER_POLL_S must be seconds in (0, 600], got '{poll_text}'"
            )
        http_stack = (env.get("TRADEOFF_HTTP_STACK") or DEFAULT_HTTP_STACK).strip().lower()
        if http_stack not in STACKS:
            problems.append(
                f"TRADEOFF_HTTP_STACK must be {' or '.join(STACKS)}, "
                f"got '{env.get('TRADEOFF_HTTP_STACK')}'"
            )
        database_url = env.get("DATABASE_URL") or DEFAULT_DATABASE_URL
        try:
            to_async_url(database_url)
        except DatabaseUrlError as exc:
            problems.append(str(exc))
        return cls(
            database_url=database_url,
            slack_api_url=api_url if api_url.endswith("/") else api_url + "/",
            bot_token=env.get("SLACK_BOT_TOKEN") or None,
            signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            app_token=env.get("SLACK_APP_TOKEN") or None,
            client_id=client_id if client_id and client_secret else None,
            client_secret=client_secret if client_id and client_secret else None,
            host=env.get("HOST", cls.host),
            port=port,
            log_level=log_level,
            log_format=log_format,
            scheduler=scheduler,
            digest_reply_interval=interval,
            schedule_sync_interval=sync_interval,
            secret_keys=secret_keys,
            github_api_url=github_api_url,
            tracker_poll_interval=poll_interval,
            http_stack=http_stack,
        )

    def with_scheduler(self, mode: str) -> Settings:
        return replace(self, scheduler=mode)

    @property
    def multi_workspace(self) -> bool:
        """Installed through OAuth into any number of workspaces, tokens in the database."""
        return self.client_id is not None and self.client_secret is not None

    def secrets(self) -> list[str]:
        """Every configured secret, for scrubbing them from logs."""
        values = (self.bot_token, self.signing_secret, self.app_token, self.client_secret,
                  *self.secret_keys)
        return [value for value in values if value]

    def require_http(self) -> None:
        """Raise ConfigError naming every variable HTTP mode needs but lacks."""
        self._raise(self._missing_http())

    def require_token(self) -> None:
        """Raise ConfigError when there is no bot token to call Slack with."""
        if not self.multi_workspace:
            self._raise(_check("SLACK_BOT_TOKEN", self.bot_token, "xoxb-"))

    def require_socket(self) -> None:
        """Raise ConfigError naming every variable Socket Mode needs but lacks."""
        self._raise(self._missing_socket())

    def _missing_http(self) -> list[str]:
        token = [] if self.multi_workspace else _check("SLACK_BOT_TOKEN", self.bot_token, "xoxb-")
        return token + _check("SLACK_SIGNING_SECRET", self.signing_secret, None)

    def _missing_socket(self) -> list[str]:
        if self.multi_workspace:
            # Socket Mode has no HTTP endpoint for the OAuth redirect to return to.
            return [
                "Socket Mode serves one workspace: unset SLACK_CLIENT_ID and "
                "SLACK_CLIENT_SECRET, or run 'tradeoff serve' for multi-workspace installs"
            ]
        return _check("SLACK_BOT_TOKEN", self.bot_token, "xoxb-") + _check(
            "SLACK_APP_TOKEN", self.app_token, "xapp-"
        )

    @staticmethod
    def _raise(problems: list[str]) -> None:
        if problems:
            raise ConfigError(
                f"{'; '.join(problems)} (see 'Connect to Slack' in the README for where to "
                "find them)"
            )


def _check(name: str, value: str | None, prefix: str | None) -> list[str]:
    if not value:
        return [f"{name} is not set"]
    if prefix and not value.startswith(prefix):
        return [f"{name} should start with '{prefix}'; check you copied the right token"]
    return []
