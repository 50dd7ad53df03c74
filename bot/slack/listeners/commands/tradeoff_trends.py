"""`/tradeoff trends [weeks]`: a chart of debt versus features over time, with its summary."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot.domain.trends import DEFAULT_WEEKS, MAX_WEEKS
from bot.services.trends import channel_trends
from bot.slack.blocks.replies import error_reply, text_reply
from bot.slack.command_text import whole_number
from bot.slack.errors import slack_error_code
from bot.slack.listeners.commands.invocation import Invocation
from bot.slack.text import escape

NO_HISTORY = (
    "There is no history to chart yet: no items and no decisions in this channel over those "
    "weeks. Log items with `/debt`, `/bug` and `/feature`; decisions come from the weekly digest."
)


async def trends(call: Invocation) -> None:
    args = call.sub.args
    weeks = whole_number(args[0], 1, MAX_WEEKS) if args else DEFAULT_WEEKS
    if weeks is None or len(args) > 1:
        await call.reply(error_reply(
            f"Say how many weeks to chart, 1 to {MAX_WEEKS}: `/tradeoff trends 12`."
        ))
        return
    await call.reply(text_reply(f"Drawing the last {weeks} weeks of this channel…"))
    call.after_ack(lambda c: _upload(c, weeks))


async def _upload(call: Invocation, weeks: int) -> None:
    data = await channel_trends(
        call.runtime.store, team_id=call.team_id, channel_id=call.channel_id, weeks=weeks
    )
    if data.is_empty:
        await call.reply_later(text_reply(NO_HISTORY))
        return
    png = await call.runtime.charts.render(data, title=data.chart_title)
    try:
        await call.client.files_upload_v2(
            channel=call.channel_id, file=png, filename="tradeoff-trends.png",
            title=f"Tradeoff trends, last {weeks} weeks", initial_comment=escape(data.summary()),
        )
    except SlackApiError as exc:
        await call.reply_later(error_reply(
            f"The chart could not be uploaded (`{escape(slack_error_code(exc))}`). Invite me "
            "with `/invite @Tradeoff` and try again."
        ))
