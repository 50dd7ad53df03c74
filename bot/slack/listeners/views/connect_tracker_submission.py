"""Submitting the connect modal: answer Slack at once, check the token with the tracker after,
and show the outcome in the same modal (a slow tracker never holds Slack's 3 seconds)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.credentials import SecretKeyMissing
from bot.domain.tracker_connections import (
    DEFAULT_GITHUB_DEBT_LABELS,
    DEFAULT_JIRA_DEBT_LABELS,
    TrackerCredentials,
    TrackerKind,
)
from bot.domain.tracker_issues import parse_label_list
from bot.services.connect_tracker import ConnectRequest, connect_tracker
from bot.services.item_care import RoleRequired
from bot.services.ports import TrackerFailure
from bot.slack.blocks.tracker_connect import (
    CALLBACK_ID,
    ConnectForm,
    connect_modal,
    notice_modal,
    submitted_connect_form,
)
from bot.slack.blocks.trackers import connected_text, webhook_hint
from bot.slack.context import SlackContext
from bot.slack.listeners.commands.tradeoff_care import role_refusal
from bot.slack.listeners.guard import STORE_DOWN_NOTHING_SAVED, UNEXPECTED
from bot.slack.text import escape
from bot.store.errors import StoreUnavailable

logger = logging.getLogger(__name__)


def register(app: AsyncApp, runtime: SlackContext) -> None:
    @app.view(CALLBACK_ID)
    async def save_connection(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        form = submitted_connect_form(view)
        if not form.token:
            await ack(response_action="errors", errors={"token": "Paste the token."})
            return
        if form.target.kind is TrackerKind.JIRA and not form.email:
            await ack(response_action="errors", errors={"email": "Give the account's e-mail."})
            return
        if runtime.secret_box is None:
            await ack(response_action="errors", errors={"token": str(SecretKeyMissing())})
            return
        await ack(response_action="update", view=notice_modal(
            "Connecting…", f"Checking the token with {form.target.kind.label}…"))
        runtime.spawn(_finish(runtime, client, body, form))


async def _finish(
    runtime: SlackContext, client: AsyncWebClient, body: dict[str, Any], form: ConnectForm
) -> None:
    assert runtime.secret_box is not None and runtime.trackers is not None
    view_id = str(body["view"]["id"])
    user_id, team_id = str(body["user"]["id"]), str(body["team"]["id"])
    request = ConnectRequest(
        team_id=team_id, channel_id=form.target.channel_id, kind=form.target.kind,
        target=form.target.target, project=form.target.project,
        credentials=TrackerCredentials(form.token, form.email),
        webhook_secret=form.webhook_secret, debt_labels=parse_label_list(form.labels) or (
            DEFAULT_GITHUB_DEBT_LABELS if form.target.kind is TrackerKind.GITHUB
            else DEFAULT_JIRA_DEBT_LABELS), by_user=user_id,
    )
    try:
        connected = await connect_tracker(
            runtime.store, runtime.secret_box, runtime.trackers, request
        )
    except TrackerFailure as exc:
        await _show(client, view_id, connect_modal(
            form.target, problem=f"Not connected: {escape(exc.reason)}.", labels=form.labels))
        return
    except RoleRequired as exc:
        await _show(client, view_id, notice_modal("Not connected", role_refusal(exc)))
        return
    except StoreUnavailable:
        await _show(client, view_id, notice_modal("Not connected", STORE_DOWN_NOTHING_SAVED))
        return
    except Exception:
        logger.exception("connecting a tracker failed")
        await _show(client, view_id, notice_modal("Not connected", UNEXPECTED))
        return
    text = connected_text(connected.connection, connected.display_name, user_id)
    await _show(client, view_id, notice_modal(
        "Connected", f"{text}\n{webhook_hint(connected.connection)}"))
    try:
        await client.chat_postMessage(channel=form.target.channel_id, text=text)
    except SlackApiError as exc:
        logger.warning("connection announcement not posted: %s", exc.response.get("error"))


async def _show(client: AsyncWebClient, view_id: str, view: dict[str, Any]) -> None:
    try:
        await client.views_update(view_id=view_id, view=view)
    except SlackApiError as exc:
        # The user closed the modal meanwhile; the connection (or its absence) stands.
        logger.info("connect modal not updated: %s", exc.response.get("error"))
