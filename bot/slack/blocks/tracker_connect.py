"""The modal that connects a channel to GitHub (token, debt labels, webhook secret)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.domain.tracker_connections import (
    DEFAULT_GITHUB_DEBT_LABELS,
    DEFAULT_JIRA_DEBT_LABELS,
    TrackerKind,
)
from bot.slack.text import clip, escape

CALLBACK_ID = "connect_tracker"
_ACTION = "value"


@dataclass(frozen=True)
class ConnectTarget:
    kind: TrackerKind
    channel_id: str
    target: str  # owner/repo, or the Jira site
    project: str | None = None


def _input(block_id: str, label: str, hint: str, *, initial: str = "",
           optional: bool = False) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": _ACTION}
    if initial:
        element["initial_value"] = initial
    return {"type": "input", "block_id": block_id, "optional": optional, "element": element,
            "label": {"type": "plain_text", "text": label},
            "hint": {"type": "plain_text", "text": hint}}


def _text(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, 2900)}}


def connect_modal(target: ConnectTarget, *, problem: str | None = None,
                  labels: str | None = None) -> dict[str, Any]:
    """The GitHub or Jira form; `problem` (mrkdwn-safe) says why the last try was refused."""
    where = target.target if target.project is None else f"{target.project} on {target.target}"
    intro = (f"Connect this channel to *{escape(where)}*. The token is checked with "
             f"{target.kind.label} at once and stored encrypted; it is never shown again.")
    blocks = [_text(f":warning: {problem}")] if problem else []
    if target.kind is TrackerKind.GITHUB:
        blocks += [
            _text(intro),
            _input("token", "Token", "A fine-grained token with Issues: read and write on "
                   "this repository"),
            _input("labels", "Labels that mean tech debt", "Comma-separated", initial=(
                labels if labels is not None else ", ".join(DEFAULT_GITHUB_DEBT_LABELS))),
            _input("webhook_secret", "Webhook secret", "Optional: the secret you give "
                   "GitHub's webhook, for instant updates", optional=True),
        ]
    else:
        blocks += [
            _text(intro),
            _input("email", "Account e-mail", "The Atlassian account the API token belongs to"),
            _input("token", "API token", "From id.atlassian.com → Security → API tokens"),
            _input("labels", "Labels or issue types that mean tech debt", "Comma-separated",
                   initial=labels if labels is not None else ", ".join(
                       DEFAULT_JIRA_DEBT_LABELS)),
        ]
    return {
        "type": "modal", "callback_id": CALLBACK_ID,
        "private_metadata": json.dumps({"kind": target.kind.value, "channel": target.channel_id,
                                        "target": target.target, "project": target.project}),
        "title": {"type": "plain_text", "text": f"Connect {target.kind.label}"},
        "submit": {"type": "plain_text", "text": "Connect"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def notice_modal(title: str, text: str) -> dict[str, Any]:
    """A modal that only says something (checking…, connected)."""
    return {"type": "modal", "title": {"type": "plain_text", "text": title[:24]},
            "close": {"type": "plain_text", "text": "Close"}, "blocks": [_text(text)]}


@dataclass(frozen=True)
class ConnectForm:
    target: ConnectTarget
    token: str
    labels: str
    webhook_secret: str | None
    email: str | None = None  # Jira only


def submitted_connect_form(view: dict[str, Any]) -> ConnectForm:
    values = view.get("state", {}).get("values", {})

    def typed(block_id: str) -> str:
        return str(values.get(block_id, {}).get(_ACTION, {}).get("value") or "").strip()

    meta = json.loads(view.get("private_metadata") or "{}")
    target = ConnectTarget(TrackerKind(meta["kind"]), str(meta["channel"]), str(meta["target"]),
                           meta.get("project"))
    return ConnectForm(target, typed("token"), typed("labels"), typed("webhook_secret") or None,
                       typed("email") or None)
