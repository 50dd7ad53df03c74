"""The "Merge" button next to a likely duplicate in `/tradeoff health`."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.items import ItemRef
from bot.slack.blocks.care import MERGE_DUPLICATE_ACTION
from bot.slack.blocks.replies import error_reply, text_reply
from bot.slack.context import SlackContext
from bot.slack.merging import MergeFailed, merge_and_announce


def register(app: AsyncApp, runtime: SlackContext) -> None:
    @app.action(MERGE_DUPLICATE_ACTION)
    async def merge_pair(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        duplicate_text, _, into_text = str(body["actions"][0].get("value") or "").partition(">")
        duplicate, into = ItemRef.parse(duplicate_text), ItemRef.parse(into_text)
        if duplicate is None or into is None:
            return
        try:
            text = await merge_and_announce(
                runtime, client, team_id=body["team"]["id"], user_id=body["user"]["id"],
                duplicate=duplicate, into=into,
                channel_id=(body.get("channel") or {}).get("id"),
            )
        except MergeFailed as exc:
            await respond(replace_original=False, response_type="ephemeral",
                          **error_reply(str(exc)))
            return
        await respond(replace_original=False, response_type="in_channel", **text_reply(text))
