"""`tradeoff manifest` asks Slack for exactly what the code listens to and calls: every slash
command, event and shortcut has a listener, every listener is in the manifest, and the scopes
are those the called Web API methods and subscribed events need, no more."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.runtime import build_runtime
from bot.slack.listeners import register_listeners
from bot.slack.listeners.commands.subcommands import SUBCOMMANDS
from bot.slack.manifest import EVENT_SCOPES, MAX_USAGE_HINT, METHOD_SCOPES, build_manifest

BOT_PACKAGE = Path(__file__).resolve().parents[2] / "bot"


class RecordingApp:
    """Stands in for the AsyncApp while listeners register, noting what each asks for."""

    def __init__(self) -> None:
        self.registered: dict[str, set[str]] = {
            "command": set(), "event": set(), "shortcut": set(), "action": set(), "view": set(),
        }

    def __getattr__(self, surface: str) -> Callable[[Any], Callable[[Any], Any]]:
        if surface not in self.registered:
            raise AttributeError(surface)

        def listen(key: Any) -> Callable[[Any], Any]:
            assert isinstance(key, str), f"{surface} listener on a non-literal key {key!r}"
            self.registered[surface].add(key)
            return lambda handler: handler

        return listen


@pytest.fixture(scope="module")
def registered() -> dict[str, set[str]]:
    app = RecordingApp()
    settings = Settings(database_url="sqlite://", bot_token="xoxb-x", signing_secret="s",
                        scheduler="off")
    register_listeners(app, build_runtime(settings))  # type: ignore[arg-type]
    return app.registered


@pytest.mark.parametrize("socket_mode", [False, True])
def test_manifest_lists_exactly_the_registered_commands_events_and_shortcuts(
    registered: dict[str, set[str]], socket_mode: bool
) -> None:
    manifest = build_manifest("https://bot.example", socket_mode=socket_mode)
    features = manifest["features"]

    assert {c["command"] for c in features["slash_commands"]} == registered["command"]
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == registered["event"]
    assert {s["callback_id"] for s in features["shortcuts"]} == registered["shortcut"]
    assert all(s["type"] == "message" for s in features["shortcuts"])
    assert features["app_home"]["home_tab_enabled"] is ("app_home_opened" in registered["event"])


def test_the_tradeoff_usage_hint_names_every_subcommand_within_slacks_limit() -> None:
    [tradeoff] = [
        c for c in build_manifest()["features"]["slash_commands"] if c["command"] == "/tradeoff"
    ]
    hint = tradeoff["usage_hint"]

    assert hint.split(" | ") == [spec.name for spec in SUBCOMMANDS]
    assert all(len(c["usage_hint"]) <= MAX_USAGE_HINT
               for c in build_manifest()["features"]["slash_commands"])


def called_web_api_methods() -> set[str]:
    """Every `<client>.<family>_<method>(` call in the bot's code, and every such method
    handed on as an argument to be called (`read(client.conversations_history, ...)`)."""
    pattern = re.compile(
        r"\.((?:auth|canvases|chat|conversations|files|reactions|users|usergroups|views|apps)_\w+)"
        r"(?:\(|,)"
    )
    found: set[str] = set()
    for path in BOT_PACKAGE.rglob("*.py"):
        found |= set(pattern.findall(path.read_text()))
    return found


def test_every_web_api_call_in_the_code_has_its_scopes_declared() -> None:
    called = called_web_api_methods()

    assert called, "the scan found no Web API calls at all"
    assert called <= set(METHOD_SCOPES), f"no scopes declared for {called - set(METHOD_SCOPES)}"
    assert set(METHOD_SCOPES) <= called, f"declared but never called: {set(METHOD_SCOPES) - called}"


def test_the_manifest_asks_for_exactly_the_scopes_the_code_needs(
    registered: dict[str, set[str]],
) -> None:
    needed = {scope for method in called_web_api_methods() for scope in METHOD_SCOPES[method]}
    needed |= {scope for event in registered["event"] for scope in EVENT_SCOPES[event]}
    if registered["command"] or registered["shortcut"]:
        needed.add("commands")

    manifest = build_manifest("https://bot.example")

    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed


def test_the_oauth_manifest_redirects_to_the_route_the_bot_serves() -> None:
    manifest = build_manifest("https://bot.example/", oauth=True)

    assert manifest["oauth_config"]["redirect_urls"] == [
        "https://bot.example/slack/oauth_redirect"
    ]
    assert "redirect_urls" not in build_manifest("https://bot.example")["oauth_config"]
