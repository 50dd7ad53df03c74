"""What `/debt`, `/bug` and `/feature` share: quick-add in one line, or the form when details
lack."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.items import TITLE_MAX, ItemValidationError, Kind, make_draft
from bot.services.log_item import log_item
from bot.slack.blocks.item_modal import ModalContext, item_modal
from bot.slack.blocks.replies import error_reply, item_logged_reply, one_line_syntax
from bot.slack.command_text import parse_quick_add
from bot.slack.errors import slack_error_code
from bot.slack.listeners.guard import Handler, guarded
from bot.slack.text import clip, escape, unescape
from bot.store.unit_of_work import Store

logger = logging.getLogger(__name__)


def make_log_command(kind: Kind, store: Store) -> Handler:
    """The listener for the slash command that logs items of `kind`."""

    @guarded
    async def handle_log_command(
        ack: AsyncAck, respond: AsyncRespond, body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        quick = parse_quick_add(body.get("text", ""))
        if quick.impact is None:
            # trigger_id lives 3 s: ack, then open the form before anything slow.
            await ack()
            await _open_form(kind, body, client, respond, quick.title)
            return
        try:
            draft = make_draft(kind, quick.title, quick.impact)
        except ItemValidationError as exc:
            await ack(**_invalid_reply(kind, exc, body))
            return
        item = await log_item(
            store,
            team_id=body["team_id"],
            channel_id=body["channel_id"],
            author_id=body["user_id"],
            draft=draft,
        )
        await ack(**item_logged_reply(item))

    return handle_log_command


async def _open_form(
    kind: Kind,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    title: str,
) -> None:
    context = ModalContext(kind, body["channel_id"], body.get("response_url"))
    notice = None
    if title:
        notice = f"Add the {kind.impact_label} to log this {kind.noun}; nothing is saved yet."
        if len(title) > TITLE_MAX:
            notice += f" The title was cut to {TITLE_MAX} characters."
    try:
        await client.views_open(
            trigger_id=body["trigger_id"], view=item_modal(context, title=title, notice=notice)
        )
    except SlackApiError as exc:
        error = slack_error_code(exc)
        logger.warning("views.open failed: %s", error)
        await respond(
            response_type="ephemeral",
            **error_reply(
                f"The form could not be opened ({escape(error)}). "
                f"Log it in one line instead: {one_line_syntax(kind)}."
            ),
        )


def _invalid_reply(kind: Kind, exc: ItemValidationError, body: dict[str, Any]) -> dict[str, Any]:
    problems = " ".join(exc.errors.values())
    typed = escape(f"{body.get('command', '')} {unescape(body.get('text', ''))}".strip())
    reply = error_reply(f"Nothing was saved. {problems}\nWhat you typed, to fix and resend:")
    reply["blocks"].append(
        {"type": "section", "text": {"type": "mrkdwn", "text": f"```{clip(typed, 2990)}```"}}
    )
    return reply
