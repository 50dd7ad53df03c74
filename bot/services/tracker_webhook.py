"""Use case: a webhook delivery from the tracker, verified against the connections' secrets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.credentials import CannotDecrypt, SecretBox
from bot.domain.tracker_connections import ConnectionState, TrackerConnection, TrackerKind
from bot.domain.tracker_issues import TrackerIssue
from bot.store.unit_of_work import Store


class WebhookOutcome(StrEnum):
    REJECTED = "rejected"  # no connection's secret signed it: 401, nothing changes
    IGNORED = "ignored"  # signed, but nothing an item cares about (ping, labels, comments)
    DUPLICATE = "duplicate"  # a redelivery of one already taken
    QUEUED = "queued"


@dataclass
class WebhookReceipt:
    outcome: WebhookOutcome
    work: list[tuple[TrackerConnection, TrackerIssue]] = field(default_factory=list)


async def receive_webhook(
    store: Store, box: SecretBox | None, *, kind: TrackerKind, repo: str | None,
    signed_with: Callable[[str], bool], delivery_id: str,
    issue_for: Callable[[str], TrackerIssue] | None, now: datetime,
) -> WebhookReceipt:
    """Which connections' items the delivery changes. `signed_with(secret)` checks the
    signature; `issue_for(repo)` builds the issue (None: the delivery changes nothing).
    The delivery id is recorded first, so a redelivery is never applied twice."""
    if box is None or repo is None:
        return WebhookReceipt(WebhookOutcome.REJECTED)
    async with store.unit_of_work() as uow:
        candidates = await uow.trackers.for_repo(kind, repo)
    signed = [c.connection for c in candidates
              if c.webhook_secret and _opens(box, c.webhook_secret, signed_with)]
    if not signed:
        return WebhookReceipt(WebhookOutcome.REJECTED)
    if issue_for is None:
        return WebhookReceipt(WebhookOutcome.IGNORED)
    async with store.unit_of_work() as uow:
        first = await uow.trackers.first_delivery(delivery_id, signed[0].team_id, now)
        await uow.commit()
    if not first:
        return WebhookReceipt(WebhookOutcome.DUPLICATE)
    work = [(c, issue_for(c.target)) for c in signed if c.state is ConnectionState.ACTIVE]
    return WebhookReceipt(WebhookOutcome.QUEUED, work)


def _opens(box: SecretBox, sealed: str, signed_with: Callable[[str], bool]) -> bool:
    try:
        return signed_with(box.open(sealed))
    except CannotDecrypt:
        return False
