"""What the tracker commands say: connections, imports, links; never a token."""

from __future__ import annotations

from datetime import datetime

from bot.domain.tracker_connections import ConnectionState, TrackerConnection, TrackerKind
from bot.services.connect_tracker import ConnectionStatus
from bot.services.import_issues import ImportResult
from bot.slack.blocks.issue_links import issue_link as issue_link
from bot.slack.blocks.replies import Reply, text_reply
from bot.slack.text import clip, escape
from bot.trackers.webhook_path import GITHUB_WEBHOOK_PATH


def connected_text(connection: TrackerConnection, display_name: str, user_id: str) -> str:
    return (f"<@{user_id}> connected this channel to {connection.kind.label} "
            f"*{escape(display_name)}*: `/tradeoff import` brings its open issues in.")


def webhook_hint(connection: TrackerConnection) -> str:
    if connection.kind is not TrackerKind.GITHUB:
        return "Changes in the tracker reach this channel within minutes (polling)."
    if not connection.has_webhook_secret:
        return ("Changes in GitHub reach this channel within minutes (polling); for instant "
                "updates connect again with a webhook secret.")
    return (f"For instant updates, add a webhook in the repository's settings: payload URL "
            f"`https://<your bot's host>{GITHUB_WEBHOOK_PATH}` (the host of your Slack app's "
            "request URL), content type `application/json`, the same secret, event *Issues*.")


def _when(at: datetime | None, now: datetime) -> str:
    if at is None:
        return "never"
    minutes = int((now - at).total_seconds() // 60)
    return "just now" if minutes < 1 else f"{minutes} min ago" if minutes < 120 else (
        at.strftime("%Y-%m-%d %H:%M UTC"))


def connections_reply(statuses: list[ConnectionStatus], now: datetime) -> Reply:
    if not statuses:
        return text_reply("This channel is not connected to a tracker. "
                          "`/tradeoff connect github <owner>/<repo>` or `/tradeoff connect "
                          "jira <site> <PROJECT>` connects one.")
    lines = ["*Trackers of this channel*"]
    for status in statuses:
        c = status.connection
        state = ("active" if c.state is ConnectionState.ACTIVE
                 else f"*paused*: {escape(c.paused_reason or '')}")
        lines.append(
            f"• {c.kind.label} *{escape(c.where)}*: {state}; last sync {_when(c.last_sync_at, now)}"
            f"; {status.linked_items} linked items; {status.pending_writebacks} write-backs "
            f"pending; webhook {'on' if c.has_webhook_secret else 'off'}"
            + (f"; last error: {escape(c.last_error)}" if c.last_error
               and c.state is ConnectionState.ACTIVE else "")
        )
    return text_reply(clip("\n".join(lines), 2900))


def import_line(result: ImportResult) -> str:
    if result.failure:
        return (f"{result.connection.kind.label} *{escape(result.connection.where)}*: "
                f"{escape(result.failure)}")
    ids = ", ".join(str(ref) for ref in result.imported[:40])
    more = f" and {len(result.imported) - 40} more" if len(result.imported) > 40 else ""
    return (f"Imported *{len(result.imported)}* from {result.connection.kind.label} "
            f"*{escape(result.connection.where)}*{f' ({ids}{more})' if ids else ''}; "
            f"{result.already_linked} already linked, {result.skipped} skipped.")


def import_reply(results: list[ImportResult]) -> Reply:
    return {"response_type": "in_channel",
            **text_reply(clip("\n".join(import_line(r) for r in results), 2900))}
