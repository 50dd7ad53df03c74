"""`/tradeoff export`: the channel's items, votes and decisions as CSV files in the channel."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk.errors import SlackApiError

from bot.domain.labels import plural
from bot.services.export import export_channel
from bot.slack.blocks.replies import error_reply, text_reply
from bot.slack.errors import slack_error_code
from bot.slack.listeners.commands.invocation import Invocation
from bot.slack.text import escape


async def export(call: Invocation) -> None:
    await call.reply(text_reply("Preparing the export of this channel…"))
    call.after_ack(_upload)


async def _upload(call: Invocation) -> None:
    data = await export_channel(
        call.runtime.store, team_id=call.team_id, channel_id=call.channel_id
    )
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    try:
        await call.client.files_upload_v2(
            channel=call.channel_id,
            initial_comment=(
                f"Tradeoff export for this channel, asked for by <@{call.user_id}>: "
                f"{plural(data.item_count, 'item')} with their votes, "
                f"{plural(data.decision_count, 'decision')}."
            ),
            file_uploads=[
                {"content": data.items_csv, "filename": f"tradeoff-items-{stamp}.csv",
                 "title": f"Items and votes, {stamp}"},
                {"content": data.decisions_csv, "filename": f"tradeoff-decisions-{stamp}.csv",
                 "title": f"Decisions, {stamp}"},
            ],
        )
    except SlackApiError as exc:
        code = escape(slack_error_code(exc))
        await call.reply_later(error_reply(
            f"The export could not be uploaded (`{code}`). Invite me to the channel with "
            "`/invite @Tradeoff` and try again."
        ))
