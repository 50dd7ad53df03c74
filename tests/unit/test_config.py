"""Settings from the environment: defaults, and one clear line for each bad value."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings
from bot.http_stack import stack_named


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///./tradeoff.db"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert (settings.port, settings.log_level, settings.scheduler) == (3000, "INFO", "on")
    assert settings.schedule_sync_interval == 30.0
    assert Settings.from_env({"TRADEOFF_SCHEDULE_SYNC_S": "1"}).schedule_sync_interval == 1.0


def test_api_url_gets_its_trailing_slash_and_warn_means_warning() -> None:
    settings = Settings.from_env({"SLACK_API_URL": "http://127.0.0.1:9/api", "LOG_LEVEL": "warn"})
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert settings.log_level == "WARNING"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SLACK_API_URL": "slack.com"}, "SLACK_API_URL"),
        ({"PORT": "http"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"TRADEOFF_SCHEDULER": "sometimes"}, "TRADEOFF_SCHEDULER"),
        ({"TRADEOFF_HTTP_STACK": "trio"}, "TRADEOFF_HTTP_STACK"),
        ({"DIGEST_REPLY_INTERVAL": "-1"}, "DIGEST_REPLY_INTERVAL"),
        ({"TRADEOFF_SCHEDULE_SYNC_S": "0"}, "TRADEOFF_SCHEDULE_SYNC_S"),
        ({"TRADEOFF_SCHEDULE_SYNC_S": "61"}, "TRADEOFF_SCHEDULE_SYNC_S"),
        ({"TRADEOFF_SCHEDULE_SYNC_S": "soon"}, "TRADEOFF_SCHEDULE_SYNC_S"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    assert named in str(caught.value)
    assert "\n" not in str(caught.value)


def test_http_and_socket_mode_name_what_they_miss() -> None:
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        Settings.from_env({}).require_http()
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1"}).require_http()
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN"):
        Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1"}).require_socket()
    with pytest.raises(ConfigError, match="should start with 'xapp-'"):
        wrong = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}
        Settings.from_env(wrong).require_socket()


def test_http_stack_names_the_loop_and_parser_uvicorn_gets() -> None:
    assert Settings.from_env({"TRADEOFF_HTTP_STACK": " UVLOOP "}).http_stack == "uvloop"
    assert stack_named("uvloop").uvicorn_options() == {"loop": "uvloop", "http": "httptools"}
    assert stack_named("asyncio").uvicorn_options() == {"loop": "asyncio", "http": "h11"}
