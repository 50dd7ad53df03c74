"""The Slack app manifest for `tradeoff manifest`: exactly what the code listens to."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from bot.slack.listeners.commands.subcommands import manifest_usage_hint
from bot.slack.listeners.shortcuts.log_from_message import (
    LOG_BUG_SHORTCUT,
    LOG_DEBT_SHORTCUT,
    LOG_FEATURE_SHORTCUT,
)
from bot.slack.paths import OAUTH_REDIRECT_PATH, SLACK_EVENTS_PATH

PLACEHOLDER_URL = "https://YOUR-HOST"
# The longest usage hint Slack's app manifest reference allows for a slash command.
MAX_USAGE_HINT = 1000

SLASH_COMMANDS: list[dict[str, str]] = [
    {
        "command": "/debt",
        "description": "Log tech debt with its business impact",
        "usage_hint": "<title> | <business impact>   (or no text for the form)",
    },
    {
        "command": "/bug",
        "description": "Log a bug with who it hurts and how often",
        "usage_hint": "<title> | <who is hurt, how often>   (or no text for the form)",
    },
    {
        "command": "/feature",
        "description": "Log a feature request with its user value",
        "usage_hint": "<title> | <user value>   (or no text for the form)",
    },
    {
        "command": "/tradeoff",
        "description": "List, close and decide on the channel's debt, bugs and features",
        "usage_hint": manifest_usage_hint(),
    },
]

# commands: the slash commands and shortcuts. chat:write: digests, their threads, and
# confirmations. users:read: the caller's time zone (schedules) and names shown in digests.
# reactions:read: 👍 votes on digest replies. files:write: `/tradeoff export` and trends.
# channels:read, groups:read: which channels' backlogs someone's App Home and `/tradeoff report`
# may show them.
# im:write: opening the direct message a sign-off reminder is sent in,
# and a private report's chart. usergroups:read: the
# members of the user group a channel lets vote (`/tradeoff settings voters @group`).
# canvases:write: the channel canvas "Tradeoff" (`/tradeoff canvas on`).
# channels:history, groups:history: reading a digest's thread (and, for its parent, the
# channel) back after a crash, to find the messages Slack took before the poster could record
# them, instead of posting them twice.
BOT_SCOPES = [
    "commands", "chat:write", "users:read", "reactions:read", "files:write",
    "channels:read", "groups:read", "im:write", "usergroups:read", "canvases:write",
    "channels:history", "groups:history",
]
BOT_EVENTS: list[str] = [
    "reaction_added", "reaction_removed", "app_home_opened", "app_uninstalled",
    "tokens_revoked",
]
# Each Web API method the bot calls (as the client's method name) and the bot scopes it needs;
# a test checks that this covers every call in the code and that BOT_SCOPES asks for no more.
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "auth_teams_list": (),
    "auth_test": (),
    "canvases_edit": ("canvases:write",),
    "chat_getPermalink": (),
    "chat_postEphemeral": ("chat:write",),
    "chat_postMessage": ("chat:write",),
    "chat_update": ("chat:write",),
    "conversations_canvases_create": ("canvases:write",),
    "conversations_members": ("channels:read", "groups:read"),
    "conversations_info": ("channels:read", "groups:read"),
    "conversations_open": ("im:write",),
    "conversations_history": ("channels:history", "groups:history"),
    "conversations_replies": ("channels:history", "groups:history"),
    "files_upload_v2": ("files:write",),
    "users_conversations": ("channels:read", "groups:read"),
    "usergroups_users_list": ("usergroups:read",),
    "users_info": ("users:read",),
    "views_open": (),
    "views_publish": (),
    "views_update": (),
}
EVENT_SCOPES: dict[str, tuple[str, ...]] = {
    "reaction_added": ("reactions:read",),
    "reaction_removed": ("reactions:read",),
    "app_home_opened": (),
    "app_uninstalled": (),
    "tokens_revoked": (),
}
MESSAGE_SHORTCUTS: list[dict[str, str]] = [
    {
        "name": "Log as tech debt",
        "callback_id": LOG_DEBT_SHORTCUT,
        "description": "Log this message as tech debt, with a link back to it",
    },
    {
        "name": "Log as bug",
        "callback_id": LOG_BUG_SHORTCUT,
        "description": "Log this message as a bug, with a link back to it",
    },
    {
        "name": "Log as feature request",
        "callback_id": LOG_FEATURE_SHORTCUT,
        "description": "Log this message as a feature request, with a link back to it",
    },
]

LONG_DESCRIPTION = (
    "Tradeoff gives tech leads and product managers one shared record of the tech debt versus "
    "feature argument. Tech leads log debt with its business impact spelled out, PMs log "
    "feature requests with their user value, and the team sees both side by side in the "
    "channel where it already talks, so the decision is made from the same page."
)


def public_url_problem(url: str) -> str | None:
    """Why Slack would refuse `url` as the bot's request URL base, or None when it is fine.
    Slack only calls HTTPS, and a URL without a scheme is not one it can call at all."""
    shape = f"--url must look like https://host[:port][/path] (Slack only calls HTTPS), got '{url}'"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return shape
    if parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in url):
        return shape
    if parts.query or parts.fragment:
        return f"--url must have no ?query or #fragment, got '{url}'"
    return None


def build_manifest(
    base_url: str | None = None, *, socket_mode: bool = False, oauth: bool = False,
    org: bool = False,
) -> dict[str, Any]:
    """A manifest to paste into "Create an app → From a manifest".

    In Socket Mode Slack needs no request URLs, so none are written. `oauth` adds the redirect
    URL that "Add to Slack" returns to (multi-workspace mode).
    """
    root = (base_url or PLACEHOLDER_URL).rstrip("/")
    events_url = root + SLACK_EVENTS_PATH
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
        # Org-wide install on Enterprise Grid: one install covers the org's workspaces.
        "org_deploy_enabled": org,
        "socket_mode_enabled": socket_mode,
        "token_rotation_enabled": False,
    }
    oauth_config: dict[str, Any] = {"scopes": {"bot": BOT_SCOPES}}
    if oauth:
        oauth_config["redirect_urls"] = [root + OAUTH_REDIRECT_PATH]
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
            "app_home": {
                "home_tab_enabled": True,
                # Reminders are direct messages; with the tab off Slack refuses them
                # (messages_tab_disabled). Read-only: the bot does not read replies there.
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": "tradeoff", "always_online": True},
            "shortcuts": [{**shortcut, "type": "message"} for shortcut in MESSAGE_SHORTCUTS],
            "slash_commands": commands,
        },
        "oauth_config": oauth_config,
        "settings": settings,
    }
