"""GitHub's `issues` webhooks: the signature check and what a delivery says happened."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from githubkit import webhooks

from bot.domain.tracker_issues import TrackerIssue
from bot.trackers.github import issue_from_github

# What changes an item; labels, comments, assignments (our own writes among them) do not.
RELEVANT_ACTIONS = frozenset({"closed", "reopened", "edited"})


def signed_by(secret: str, body: bytes, signature: str) -> bool:
    """X-Hub-Signature-256 (`sha256=<hex HMAC of the raw body>`), compared in constant time."""
    if not signature.startswith("sha256="):
        return False
    return webhooks.verify(secret, body, signature)


@dataclass(frozen=True)
class IssueEvent:
    action: str
    repo: str  # as the payload names it
    raw_issue: dict[str, Any]
    actor: str | None  # who did it (the delivery's sender)

    def issue(self, repo: str) -> TrackerIssue:
        """The issue, with refs written as `repo` (the connection's own spelling)."""
        return issue_from_github(repo, self.raw_issue)


def repository_of(payload: Any) -> str | None:
    repository = payload.get("repository") if isinstance(payload, dict) else None
    name = repository.get("full_name") if isinstance(repository, dict) else None
    return name if isinstance(name, str) and name.count("/") == 1 else None


def issue_event(event: str, payload: Any) -> IssueEvent | None:
    """The `issues` delivery's change, or None for anything that cannot change an item."""
    if event != "issues" or not isinstance(payload, dict):
        return None
    action, issue, repo = payload.get("action"), payload.get("issue"), repository_of(payload)
    if action not in RELEVANT_ACTIONS or not isinstance(issue, dict) or repo is None:
        return None
    if not {"number", "html_url", "updated_at"} <= issue.keys() or "pull_request" in issue:
        return None
    sender = payload.get("sender")
    actor = sender.get("login") if isinstance(sender, dict) else None
    return IssueEvent(str(action), repo, issue, actor if isinstance(actor, str) else None)
