"""Reminders as direct messages: open the DM, link the digest, post."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.reminders import MAX_REMINDERS, Reminder
from bot.slack.blocks.elements import section
from bot.slack.errors import CALL_FAILED, call_failure
from bot.slack.text import clip, escape


def reminder_message(reminder: Reminder, digest_link: str) -> dict[str, Any]:
    """The DM's text: which digest waits, for whom, and (a lead's) what needs a size."""
    lines = [
        f":bell: Reminder {reminder.round} of {MAX_REMINDERS}: the digest in "
        f"<#{reminder.channel_id}> is waiting for your agreement as {reminder.role_label}. "
        f"<{digest_link}|Open the digest> and press *Agree to this pick* when it holds.",
    ]
    if reminder.unsized:
        named = ", ".join(f"*{ref}* {clip(escape(title), 60)}" for ref, title in reminder.unsized)
        lines.append(f"These wait for your estimate before they can be picked: {named}.")
    text = "\n".join(lines)
    return {"text": text, "blocks": [section(text)]}


class SlackReminderSender:
    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def send_reminder(self, reminder: Reminder) -> str | None:
        try:
            opened = await self._client.conversations_open(users=reminder.user_id)
            link = await self._client.chat_getPermalink(
                channel=reminder.channel_id, message_ts=reminder.parent_ts
            )
            await self._client.chat_postMessage(
                channel=str(opened["channel"]["id"]),
                **reminder_message(reminder, str(link["permalink"])),
            )
        except CALL_FAILED as exc:
            return call_failure(exc)
        return None
