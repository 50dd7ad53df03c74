"""Jira Cloud's JSON in the bridge's words: an issue as a TrackerIssue, a typed ref as an
issue key of the project, and a refusal as a TrackerFailure."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from bot.domain.tracker_issues import TrackerIssue
from bot.services.ports import TrackerFailure
from bot.trackers import jira_adf as adf

# Resolutions that mean the team decided against the work: the item is dropped, not done.
NOT_PLANNED = frozenset({"won't do", "won't fix", "duplicate", "cannot reproduce", "declined"})
_KEY_REF = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)-(\d{1,10})\s*$")
_BROWSE = re.compile(r"^\s*(https?://[^/\s]+)(?:/[^\s]*)?/browse/([A-Za-z][A-Za-z0-9_]*-\d{1,10})"
                     r"/?(?:[?#]\S*)?\s*$")


def jira_ref(text: str, site: str, project: str) -> str | None:
    """`PROJ-7` of `project` from `proj-7` or a browse URL on `site`; None otherwise."""
    browse = _BROWSE.match(text)
    if browse is not None:
        if urlsplit(browse[1]).netloc.lower() != urlsplit(site).netloc.lower():
            return None
        text = browse[2]
    match = _KEY_REF.match(text)
    if match is None or match[1].upper() != project.upper():
        return None
    return f"{project.upper()}-{int(match[2])}"


def issue_from_jira(site: str, raw: dict[str, Any]) -> TrackerIssue:
    """An issue as `/search/jql` or `/issue/{key}` writes it; its link is `<site>/browse/KEY`."""
    fields = raw.get("fields") or {}
    key = str(raw["key"])
    status = fields.get("status") or {}
    category = (status.get("statusCategory") or {}).get("key")
    is_open = category != "done"
    resolution = str((fields.get("resolution") or {}).get("name") or "").lower()
    return TrackerIssue(
        ref=key, title=str(fields.get("summary") or ""),
        body=adf.plain_text(fields.get("description")),
        url=f"{site.rstrip('/')}/browse/{key}",
        labels=tuple(str(label) for label in fields.get("labels") or ()),
        issue_type=(fields.get("issuetype") or {}).get("name"), is_open=is_open,
        updated_at=_when(str(fields["updated"])),
        closed_by=None if is_open else _closed_by(raw, str(status.get("id") or "")),
        not_planned=not is_open and resolution in NOT_PLANNED,
    )


def _closed_by(raw: dict[str, Any], status_id: str) -> str | None:
    return closer((raw.get("changelog") or {}).get("histories") or [], status_id)


def closer(histories: list[dict[str, Any]], status_id: str) -> str | None:
    """Who moved the issue into its current (done) status: the newest history entry that
    changed the status to it. None when the changelog was not asked for or does not reach."""
    for entry in sorted(histories, key=lambda h: str(h.get("created") or ""), reverse=True):
        for item in entry.get("items") or ():
            if item.get("field") == "status" and str(item.get("to") or "") == status_id:
                author = entry.get("author") or {}
                return str(author.get("displayName") or "") or None
    return None


def changelog_cut(raw: dict[str, Any]) -> int | None:
    """The changelog's length when the answer carried only part of it (Jira embeds at most
    100 entries), else None."""
    changelog = raw.get("changelog") or {}
    total = int(changelog.get("total") or 0)
    return total if total > len(changelog.get("histories") or ()) else None


def refusal(status: int, what: str, project: str) -> TrackerFailure:
    """What a 4xx (or a 5xx left after retries) means, in one line naming what failed."""
    if status == 401:
        return TrackerFailure("auth", "Jira refused the e-mail and API token (401): they are "
                                      "wrong, or the token expired or was revoked; connect "
                                      "again with a valid one")
    if status == 403:
        return TrackerFailure("forbidden", f"the account may not do this in {project} (403): "
                                           "it needs Browse, Create, Edit and Add comments "
                                           "permissions there")
    if status == 404:
        return TrackerFailure("not_found", f"Jira has no {what} that this account can see "
                                           "(404): check the key and the account's access")
    if status == 410:
        return TrackerFailure("gone", f"Jira no longer serves {what} (410)")
    if status == 400:
        return TrackerFailure("invalid", f"Jira did not accept the request for {what} (400)")
    return TrackerFailure("unavailable", f"Jira answered {status} for {what}; trying later")


def _when(text: str) -> datetime:
    """Jira writes `2026-08-01T14:30:00.000+0000`."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
