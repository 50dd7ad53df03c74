"""`/tradeoff canvas on|off`: keep the channel canvas "Tradeoff" up to date, or stop."""

from __future__ import annotations

from bot.services.channel_canvas import CanvasRefused, set_canvas
from bot.slack.blocks.replies import error_reply, text_reply
from bot.slack.canvas_writer import SlackCanvasWriter
from bot.slack.listeners.commands.invocation import Invocation


async def canvas(call: Invocation) -> None:
    word = call.sub.args[0].lower() if len(call.sub.args) == 1 else ""
    if word not in ("on", "off"):
        await call.reply(error_reply(
            "Say `/tradeoff canvas on` to keep this channel's canvas \"Tradeoff\" up to date, "
            "or `/tradeoff canvas off` to stop."
        ))
        return
    if word == "off":
        await set_canvas(call.runtime.store, SlackCanvasWriter(call.client), team_id=call.team_id,
                         channel_id=call.channel_id, user_id=call.user_id, on=False)
        await call.reply(text_reply(
            "The canvas is no longer updated; it stays in the channel as it is."
        ))
        return
    # Writing the canvas is a Slack call or two: answered after the ack.
    await call.reply(text_reply("Writing this channel's canvas \"Tradeoff\"…"))
    call.after_ack(_turn_on)


async def _turn_on(call: Invocation) -> None:
    try:
        await set_canvas(call.runtime.store, SlackCanvasWriter(call.client), team_id=call.team_id,
                         channel_id=call.channel_id, user_id=call.user_id, on=True)
    except CanvasRefused as exc:
        await call.reply_later(error_reply(
            f"No canvas here: {exc.reason}. Nothing else changes."
        ))
        return
    await call.reply_later(text_reply(
        "The canvas \"Tradeoff\" is in the channel's tabs: the open backlog side by side and "
        "the decision log with the why, updated after each digest, decision and why."
    ))
