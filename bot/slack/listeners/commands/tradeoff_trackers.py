"""`/tradeoff connect`, `connections`, `disconnect`, `import`, `link` and `push`.

Anything that talks to the tracker runs after the ack and answers through response_url, so a
slow or broken tracker never holds Slack's 3 seconds."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable
from datetime import UTC, datetime

from slack_sdk.errors import SlackApiError

from bot.credentials import SecretKeyMissing
from bot.domain.items import ItemRef
from bot.domain.tracker_connections import TrackerKind
from bot.domain.tracker_issues import TrackerIssue
from bot.services.connect_tracker import channel_connections, disconnect_tracker, may_connect
from bot.services.errors import ItemNotFound
from bot.services.import_issues import ChooseTracker, import_issues
from bot.services.item_care import RoleRequired
from bot.services.link_item import AlreadyLinked, IssueNotRecognised, link_item, push_item
from bot.services.ports import TrackerFailure
from bot.services.tracker_access import ConnectionPaused, NotConnected
from bot.slack.blocks.replies import error_reply, text_reply
from bot.slack.blocks.tracker_connect import ConnectTarget, connect_modal
from bot.slack.blocks.trackers import connections_reply, import_reply, issue_link
from bot.slack.errors import slack_error_code
from bot.slack.listeners.commands.invocation import Invocation
from bot.slack.listeners.commands.tradeoff_care import role_refusal
from bot.slack.text import clip, escape

logger = logging.getLogger(__name__)
_REPO = re.compile(r"^[\w.-]{1,100}/[\w.-]{1,100}$")
_SITE = re.compile(r"^https?://[\w.-]+(:\d{1,5})?/?$")
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,9}$")
_CONNECT_USAGE = ("Say which repository: `/tradeoff connect github owner/repo` (or "
                  f"`/tradeoff connect jira {escape('<https://site.atlassian.net> <PROJECT>')}`).")


def bare(arg: str) -> str:
    """A URL as Slack may send it, `<https://x|label>`, back to the URL itself."""
    if arg.startswith("<") and arg.endswith(">"):
        return arg[1:-1].split("|", 1)[0]
    return arg


def connect_target(channel_id: str, args: list[str]) -> ConnectTarget | None:
    """`github owner/repo` or `jira https://site KEY` as typed; None when it is neither."""
    kind = next((k for k in TrackerKind if args and args[0].lower() == k.value), None)
    if kind is TrackerKind.GITHUB and len(args) == 2 and _REPO.match(args[1]):
        return ConnectTarget(kind, channel_id, args[1])
    if kind is TrackerKind.JIRA and len(args) == 3 and _SITE.match(args[1]) and _KEY.match(
        args[2]
    ):
        return ConnectTarget(kind, channel_id, args[1].rstrip("/"), args[2].upper())
    return None


async def connect(call: Invocation) -> None:
    target = connect_target(call.channel_id, [bare(a) for a in call.sub.args])
    if target is None:
        await call.reply(error_reply(_CONNECT_USAGE))
        return
    if call.runtime.secret_box is None:
        await call.reply(error_reply(escape(str(SecretKeyMissing()))))
        return
    try:
        await may_connect(call.runtime.store, team_id=call.team_id, channel_id=call.channel_id,
                          user_id=call.user_id)
    except RoleRequired as exc:
        await call.reply(error_reply(role_refusal(exc)))
        return
    try:
        await call.client.views_open(trigger_id=call.body["trigger_id"],
                                     view=connect_modal(target))
    except SlackApiError as exc:
        error = escape(slack_error_code(exc))
        await call.reply(error_reply(f"The form could not be opened ({error}); try again."))
        return
    await call.reply({})


async def connections(call: Invocation) -> None:
    statuses = await channel_connections(
        call.runtime.store, team_id=call.team_id, channel_id=call.channel_id)
    await call.reply(connections_reply(statuses, datetime.now(UTC)))


async def disconnect(call: Invocation) -> None:
    args = call.sub.args
    kind = next((k for k in TrackerKind if len(args) == 1 and args[0].lower() == k.value), None)
    if kind is None:
        await call.reply(error_reply("Say which: `/tradeoff disconnect github` or "
                                     "`/tradeoff disconnect jira`."))
        return
    try:
        removed = await disconnect_tracker(call.runtime.store, team_id=call.team_id,
                                           channel_id=call.channel_id, kind=kind,
                                           user_id=call.user_id)
    except RoleRequired as exc:
        await call.reply(error_reply(role_refusal(exc)))
        return
    if not removed:
        await call.reply(error_reply(f"This channel is not connected to {kind.label}."))
        return
    await call.reply({"response_type": "in_channel", **text_reply(
        f"<@{call.user_id}> disconnected this channel from {kind.label}; its credentials are "
        "deleted. Items keep their titles; their issue links are gone.")})


def _tracker_ready(call: Invocation) -> str | None:
    if call.runtime.secret_box is None or call.runtime.trackers is None:
        return escape(str(SecretKeyMissing()))
    return None


async def import_command(call: Invocation) -> None:
    if (problem := _tracker_ready(call)) is not None:
        await call.reply(error_reply(problem))
        return
    await call.reply(text_reply("Importing open issues…"))
    call.after_ack(_import)


async def _import(call: Invocation) -> None:
    assert call.runtime.secret_box is not None and call.runtime.trackers is not None
    try:
        result = await import_issues(
            call.runtime.store, call.runtime.secret_box, call.runtime.trackers,
            team_id=call.team_id, channel_id=call.channel_id, user_id=call.user_id)
    except RoleRequired as exc:
        await call.reply_later(error_reply(role_refusal(exc)))
        return
    except (NotConnected, ConnectionPaused) as exc:
        await call.reply_later(error_reply(escape(str(exc))))
        return
    except TrackerFailure as exc:
        await call.reply_later(error_reply(f"Nothing imported: {escape(exc.reason)}."))
        return
    await call.reply_later(import_reply(result))


async def link(call: Invocation) -> None:
    args = call.sub.args
    ref = ItemRef.parse(args[0]) if len(args) == 2 else None
    if ref is None:
        await call.reply(error_reply("Give the item and the issue: `/tradeoff link D-3 "
                                     "owner/repo#12` (or the issue's URL)."))
        return
    if (problem := _tracker_ready(call)) is not None:
        await call.reply(error_reply(problem))
        return
    await call.reply(text_reply(f"Linking {ref}…"))
    issue_text = bare(args[1])
    call.after_ack(lambda later: _link(later, ref, issue_text))


async def _link(call: Invocation, ref: ItemRef, issue_text: str) -> None:
    assert call.runtime.secret_box is not None and call.runtime.trackers is not None
    await _announced(call, "linked", ref, link_item(
        call.runtime.store, call.runtime.secret_box, call.runtime.trackers,
        team_id=call.team_id, channel_id=call.channel_id, user_id=call.user_id, ref=ref,
        issue_text=issue_text))


async def push(call: Invocation) -> None:
    args = call.sub.args
    ref = ItemRef.parse(args[0]) if 1 <= len(args) <= 2 else None
    kind = next((k for k in TrackerKind if len(args) == 2 and args[1].lower() == k.value), None)
    if ref is None or (len(args) == 2 and kind is None):
        await call.reply(error_reply("Say which item: `/tradeoff push D-3` (or "
                                     "`/tradeoff push D-3 jira` in a channel with both)."))
        return
    if (problem := _tracker_ready(call)) is not None:
        await call.reply(error_reply(problem))
        return
    await call.reply(text_reply(f"Creating the issue for {ref}…"))
    call.after_ack(lambda later: _push(later, ref, kind))


async def _push(call: Invocation, ref: ItemRef, kind: TrackerKind | None) -> None:
    assert call.runtime.secret_box is not None and call.runtime.trackers is not None
    await _announced(call, "pushed", ref, push_item(
        call.runtime.store, call.runtime.secret_box, call.runtime.trackers,
        team_id=call.team_id, channel_id=call.channel_id, user_id=call.user_id, ref=ref,
        kind=kind))


async def _announced(
    call: Invocation, verb: str, ref: ItemRef, work: Awaitable[TrackerIssue]
) -> None:
    """Tell the channel who linked or pushed the item to which issue, or explain the failure."""
    try:
        issue = await work
    except Exception as exc:
        if not await _explained(call, exc):
            raise
        return
    await call.reply_later({"response_type": "in_channel", **text_reply(
        f"<@{call.user_id}> {verb} *{ref}* to {issue_link(issue.ref, issue.url)}.")})


async def _explained(call: Invocation, exc: Exception) -> bool:
    """Answer a failure the user can act on; False for the unexpected (reported elsewhere)."""
    if isinstance(exc, RoleRequired):
        text = role_refusal(exc)
    elif isinstance(exc, AlreadyLinked):
        text = (f"*{exc.item}* is already linked to {issue_link(exc.ref, exc.url)}; "
                "nothing was created.")
    elif isinstance(exc, TrackerFailure):
        text = f"Nothing changed: {escape(exc.reason)}."
    elif isinstance(exc, (NotConnected, ConnectionPaused, ItemNotFound, IssueNotRecognised,
                          ChooseTracker)):
        text = escape(str(exc))
    else:
        return False
    await call.reply_later(error_reply(clip(text, 2900)))
    return True
