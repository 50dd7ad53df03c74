"""The Slack app manifest for `tradeoff manifest`: exactly what the code listens to."""

from __future__ import annotations

from typing import Any

from bot.web import SLACK_EVENTS_PATH

PLACEHOLDER_URL = "https://YOUR-HOST"

SLASH_COMMANDS: list[dict[str, str]] = [
    {
        "command": "/debt",
        "description": "Log tech debt with its business impact",
        "usage_hint": "<title> | <business impact>   (or no text for the form)",
    },
    {
        "command": "/feature",
        "description": "Log a feature request with its user value",
        "usage_hint": "<title> | <user value>   (or no text for the form)",
    },
    {
        "command": "/tradeoff",
        "description": "List, close and decide on the channel's debt and features",
        "usage_hint": "list | done | drop | merge | schedule | digest | estimate | health | help",
    },
]

# commands: the three slash commands. chat:write: digests, their threads, and confirmations.
# users:read: the caller's time zone (schedules) and names shown in digests.
# reactions:read: 👍 votes on digest replies. files:write: `/tradeoff export`.
BOT_SCOPES = ["commands", "chat:write", "users:read", "reactions:read", "files:write"]
BOT_EVENTS: list[str] = ["reaction_added", "reaction_removed"]

LONG_DESCRIPTION = (
    "Tradeoff gives tech leads and product managers one shared record of the tech debt versus "
    "feature argument. Tech leads log debt with its business impact spelled out, PMs log "
    "feature requests with their user value, and the team sees both side by side in the "
    "channel where it already talks, so the decision is made from the same page."
)


def build_manifest(base_url: str | None = None, *, socket_mode: bool = False) -> dict[str, Any]:
    """A manifest to paste into "Create an app → From a manifest".

    In Socket Mode Slack needs no request URLs, so none are written.
    """
    events_url = (base_url or PLACEHOLDER_URL).rstrip("/") + SLACK_EVENTS_PATH
    commands = []
    for spec in SLASH_COMMANDS:
        command: dict[str, Any] = {**spec, "should_escape": True}
        if not socket_mode:
            command["url"] = events_url
        commands.append(command)
    interactivity: dict[str, Any] = {"is_enabled": True}
    if not socket_mode:
        interactivity["request_url"] = events_url
    settings: dict[str, Any] = {
        "interactivity": interactivity,
        "org_deploy_enabled": False,
        "socket_mode_enabled": socket_mode,
        "token_rotation_enabled": False,
    }
    if BOT_EVENTS:
        subscriptions: dict[str, Any] = {"bot_events": BOT_EVENTS}
        if not socket_mode:
            subscriptions["request_url"] = events_url
        settings["event_subscriptions"] = subscriptions
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "Tradeoff",
            "description": "Tech debt and feature requests, side by side, decided together.",
            "long_description": LONG_DESCRIPTION,
            "background_color": "#2c2d30",
        },
        "features": {
            "bot_user": {"display_name": "tradeoff", "always_online": True},
            "slash_commands": commands,
        },
        "oauth_config": {"scopes": {"bot": BOT_SCOPES}},
        "settings": settings,
    }
