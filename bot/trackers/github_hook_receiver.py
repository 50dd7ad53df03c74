"""`POST /github/webhook`: verify, dedupe and queue; the item changes run after the answer."""

from __future__ import annotations

import json
import logging
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any, Protocol

from starlette.datastructures import Headers

from bot.credentials import SecretBox
from bot.domain.tracker_connections import TrackerConnection, TrackerKind
from bot.domain.tracker_issues import TrackerIssue
from bot.services.sync_tracker import apply_issue
from bot.services.tracker_webhook import WebhookOutcome, receive_webhook
from bot.store.errors import StoreUnavailable
from bot.store.unit_of_work import Store
from bot.trackers.github_webhook import issue_event, repository_of, signed_by

logger = logging.getLogger(__name__)


class WebhookHost(Protocol):
    """What a webhook needs of the process: the store, the key to open secrets, and a way to
    do the work after GitHub has its answer."""

    @property
    def store(self) -> Store: ...

    @property
    def secret_box(self) -> SecretBox | None: ...

    def spawn(self, work: Coroutine[Any, Any, None]) -> None: ...


async def receive_github(runtime: WebhookHost, body: bytes, headers: Headers) -> str | None:
    """The outcome to answer, or None for 401 (unsigned, forged, unknown repository)."""
    signature = headers.get("x-hub-signature-256", "")
    delivery = headers.get("x-github-delivery", "")
    if not signature or not delivery:
        return None
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    event = issue_event(headers.get("x-github-event", ""), payload)
    try:
        receipt = await receive_webhook(
            runtime.store, runtime.secret_box, kind=TrackerKind.GITHUB,
            repo=repository_of(payload),
            signed_with=lambda secret: signed_by(secret, body, signature),
            delivery_id=delivery, issue_for=event.issue if event else None,
            now=datetime.now(UTC),
        )
    except StoreUnavailable as exc:
        # GitHub redelivers on request; the next poll catches the change up meanwhile.
        logger.warning("webhook not taken: %s", exc)
        return "store_unavailable"
    if receipt.outcome is WebhookOutcome.REJECTED:
        return None
    actor = event.actor if event else None
    reopened = event is not None and event.action == "reopened"
    for connection, issue in receipt.work:
        runtime.spawn(_apply(runtime, connection, issue, actor, reopened))
    return receipt.outcome.value


async def _apply(
    runtime: WebhookHost, connection: TrackerConnection, issue: TrackerIssue, actor: str | None,
    reopened: bool,
) -> None:
    try:
        notes = await apply_issue(runtime.store, connection, issue, actor=actor,
                                  now=datetime.now(UTC), reopened=reopened)
    except StoreUnavailable as exc:
        logger.warning("webhook change not applied (the next poll will): %s", exc)
        return
    if notes:
        logger.info("tracker change applied: %s", "; ".join(notes),
                    extra={"job": "tracker_webhook", "team": connection.team_id})
