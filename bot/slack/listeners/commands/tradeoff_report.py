"""`/tradeoff report [share]`: every channel of the workspace the caller can see, one line each,
with a small-multiples chart; private unless `share` posts it in the channel."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot.services.channel_report import workspace_report
from bot.slack.blocks.channel_report import report_reply
from bot.slack.blocks.replies import error_reply, text_reply
from bot.slack.channel_visibility import SlackChannelVisibility
from bot.slack.errors import slack_error_code
from bot.slack.listeners.commands.invocation import Invocation
from bot.slack.text import escape

TITLE = "Tradeoff across channels · debt share of the last 4 decisions"


async def report(call: Invocation) -> None:
    args = [a.lower() for a in call.sub.args]
    if args not in ([], ["share"]):
        await call.reply(error_reply(
            "Say `/tradeoff report` to see it yourself, or `/tradeoff report share` to post it "
            "here."
        ))
        return
    await call.reply(text_reply("Gathering every channel you can see…"))
    call.after_ack(lambda c: _send(c, shared=bool(args)))


async def _send(call: Invocation, *, shared: bool) -> None:
    visibility = SlackChannelVisibility(call.client)
    data = await workspace_report(
        call.runtime.store, visibility,
        team_id=call.team_id, user_id=call.user_id,
    )
    message = report_reply(data.lines, data.left_out)
    await call.reply_later({**message, "response_type": "in_channel" if shared else "ephemeral"})
    if not data.lines:
        return
    png = await call.runtime.charts.render_report(data.lines, visibility.names, title=TITLE)
    try:
        # A private report's chart goes to the caller's direct messages, not the channel.
        target = call.channel_id
        if not shared:
            opened = await call.client.conversations_open(users=call.user_id)
            target = str((opened.get("channel") or {}).get("id") or call.user_id)
        await call.client.files_upload_v2(
            channel=target, file=png, filename="tradeoff-report.png", title=TITLE,
        )
    except SlackApiError as exc:
        await call.reply_later(error_reply(
            f"The chart could not be uploaded (`{escape(slack_error_code(exc))}`)."
        ))
