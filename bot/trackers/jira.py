"""Jira Cloud behind the Tracker port: a thin async adapter on httpx over REST v3.

Jira has no maintained async client (`jira` and `atlassian-python-api` are synchronous), and
the bridge needs eight endpoints, so this module speaks them directly: Basic auth with the
account's e-mail and API token, `/search/jql` read page after page by `nextPageToken`, ADF for
text (bot/trackers/jira_adf.py), and the port's waiting policy (a 429's `Retry-After` waited
out up to `max_wait_s`, 5xx and timeouts retried `retries` times with backoff).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from bot.domain.tracker_issues import TrackerIssue
from bot.services.ports import TrackerFailure
from bot.trackers import jira_adf as adf
from bot.trackers.jira_issues import (
    changelog_cut,
    closer,
    issue_from_jira,
    jira_ref,
    refusal,
)

API = "/rest/api/3"
PAGE_SIZE = 100
MAX_PAGES = 1000  # a search that never ends (a token handed back forever) stops here
MAX_WAITS = 5  # rate-limit waits per call before it is left for later
FIELDS = ["summary", "description", "labels", "issuetype", "status", "updated", "resolution"]

logger = logging.getLogger(__name__)


class JiraTracker:
    name = "Jira"

    def __init__(
        self, site: str, project: str, email: str, token: str, *, timeout_s: float = 10,
        retries: int = 3, max_wait_s: float = 60,
    ) -> None:
        self.site = site.strip().rstrip("/")
        self.project = project.strip().upper()
        self._retries = retries
        self._max_wait_s = max_wait_s
        self._http = httpx.AsyncClient(
            base_url=self.site, auth=httpx.BasicAuth(email, token), timeout=timeout_s,
            headers={"Accept": "application/json", "User-Agent": "tradeoff-bot"},
        )
        self._writes = asyncio.Lock()
        self._zone: ZoneInfo | None = None  # the account's, in which JQL reads its times
        self._issue_types: list[str] | None = None
        self.backoff_s = 0.5  # first wait after a 5xx or timeout; doubles each time

    def __repr__(self) -> str:
        return f"JiraTracker({self.project} on {self.site})"

    # --- the port ------------------------------------------------------------------------

    async def check(self) -> str:
        await self._myself()
        project = (await self._call("GET", f"{API}/project/{self.project}",
                                    what=f"project {self.project}")).json()
        self._issue_types = _type_names(project)
        return str(project.get("name") or self.project)

    async def open_issues(self) -> list[TrackerIssue]:
        return await self._search(f"{self._in_project()} AND statusCategory != Done "
                                  "ORDER BY key ASC")

    async def changed_since(self, since: datetime | None) -> list[TrackerIssue]:
        jql = self._in_project()
        if since is not None:
            # JQL compares whole minutes in the account's time zone; flooring to the minute
            # reads a change again rather than missing it (the port allows the overlap).
            zone = self._zone or await self._myself()
            jql += f' AND updated >= "{since.astimezone(zone):%Y/%m/%d %H:%M}"'
        return await self._search(jql + " ORDER BY updated ASC", changelog=True)

    async def get_issue(self, ref: str) -> TrackerIssue:
        key = self._key(ref)
        answer = await self._call("GET", f"{API}/issue/{key}", what=key,
                                  params={"fields": ",".join(FIELDS), "expand": "changelog"})
        return await self._issue(answer.json())

    async def create_issue(self, title: str, body: str, labels: Sequence[str]) -> TrackerIssue:
        types = await self._types()
        by_lower = {name.lower(): name for name in types}
        # A debt marker that is one of the project's issue types is the issue's type; the
        # rest are labels, which Jira refuses with spaces in them.
        typed = next((by_lower[m.lower()] for m in labels if m.lower() in by_lower), None)
        issue_type = typed or by_lower.get("task") or (types[0] if types else "Task")
        fields = {
            "project": {"key": self.project}, "issuetype": {"name": issue_type},
            "summary": title, "description": adf.from_plain(body),
            "labels": [re.sub(r"\s+", "-", m.strip()) for m in labels
                       if m.lower() not in by_lower and m.strip()],
        }
        async with self._writes:
            created = await self._call("POST", f"{API}/issue", json={"fields": fields},
                                       what=f"a new issue in {self.project}", replayable=False)
        return await self.get_issue(str(created.json()["key"]))

    async def add_label(self, ref: str, label: str) -> None:
        key = self._key(ref)
        async with self._writes:
            await self._call("PUT", f"{API}/issue/{key}", what=key,
                             json={"update": {"labels": [{"add": label}]}})

    async def comment_once(
        self, ref: str, marker: str, lines: Sequence[str], link_text: str, link_url: str
    ) -> None:
        key = self._key(ref)
        tag = marker_text(marker)
        body = adf.document([*([adf.text(line)] for line in lines),
                             [adf.link(link_text, link_url)], [adf.code(tag)]])
        async with self._writes:
            for attempt in range(self._retries + 1):
                if await self._has_comment(key, tag):
                    return
                try:
                    await self._call("POST", f"{API}/issue/{key}/comment", what=key,
                                     json={"body": body}, replayable=False)
                    return
                except TrackerFailure as failure:
                    # A 5xx may come after Jira saved the comment: look again, don't repost.
                    if failure.kind != "unavailable" or attempt == self._retries:
                        raise
                    await asyncio.sleep(self.backoff_s * 2 ** attempt)

    async def _has_comment(self, key: str, tag: str) -> bool:
        start = 0
        while True:
            page = (await self._call("GET", f"{API}/issue/{key}/comment", what=key,
                                     params={"startAt": start, "maxResults": PAGE_SIZE})).json()
            comments = page.get("comments") or []
            if any(tag in adf.all_text(c.get("body")) for c in comments):
                return True
            start += len(comments)
            if not comments or start >= int(page.get("total") or 0):
                return False

    def parse_ref(self, text: str) -> str | None:
        return jira_ref(text, self.site, self.project)

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- reading -------------------------------------------------------------------------

    def _in_project(self) -> str:
        return f'project = "{self.project}"'

    async def _search(self, jql: str, *, changelog: bool = False) -> list[TrackerIssue]:
        """Every page of a `/search/jql` answer (the old `/search` answers 410 now)."""
        request: dict[str, Any] = {"jql": jql, "fields": FIELDS, "maxResults": PAGE_SIZE}
        if changelog:  # who closed an issue is only in its history
            request["expand"] = "changelog"
        issues: list[TrackerIssue] = []
        for _ in range(MAX_PAGES):
            page = (await self._call("POST", f"{API}/search/jql", json=request,
                                     what=f"the issues of {self.project}")).json()
            issues += [await self._issue(raw) for raw in page.get("issues") or ()]
            token = page.get("nextPageToken")
            if not token or page.get("isLast") is True:
                break
            request = {**request, "nextPageToken": token}
        return issues

    async def _myself(self) -> ZoneInfo:
        me = (await self._call("GET", f"{API}/myself", what="the account")).json()
        try:
            self._zone = ZoneInfo(str(me.get("timeZone") or "UTC"))
        except (ZoneInfoNotFoundError, ValueError):
            self._zone = ZoneInfo("UTC")
        return self._zone

    async def _types(self) -> list[str]:
        if self._issue_types is None:
            project = (await self._call("GET", f"{API}/project/{self.project}",
                                        what=f"project {self.project}")).json()
            self._issue_types = _type_names(project)
        return self._issue_types

    async def _issue(self, raw: dict[str, Any]) -> TrackerIssue:
        issue = issue_from_jira(self.site, raw)
        total = changelog_cut(raw)
        if issue.is_open or total is None:
            return issue
        # The embedded changelog holds the oldest entries; the closing is among the newest.
        newest = (await self._call(
            "GET", f"{API}/issue/{issue.ref}/changelog", what=issue.ref,
            params={"startAt": max(0, total - PAGE_SIZE), "maxResults": PAGE_SIZE})).json()
        status_id = str(((raw.get("fields") or {}).get("status") or {}).get("id") or "")
        return replace(issue, closed_by=closer(newest.get("values") or [], status_id)
                       or issue.closed_by)

    def _key(self, ref: str) -> str:
        key = self.parse_ref(ref)
        if key is None:
            raise TrackerFailure("invalid", f"{ref} is not an issue of {self.project}")
        return key

    # --- HTTP ----------------------------------------------------------------------------

    async def _call(
        self, method: str, path: str, *, what: str, params: dict[str, Any] | None = None,
        json: Any = None, replayable: bool = True,
    ) -> httpx.Response:
        """Jira's answer; 429s waited out, and 5xx and timeouts retried when `replayable`
        (a POST that may have been applied before its answer was lost is not)."""
        retries = self._retries if replayable else 0
        failures = waits = 0
        while True:
            try:
                answer = await self._http.request(method, path, params=params, json=json)
            except httpx.HTTPError as exc:  # timeouts, refused connections, broken answers
                if failures >= retries:
                    raise TrackerFailure("unavailable", f"Jira did not answer about {what} "
                                                        f"({type(exc).__name__})") from None
                failures += 1
                await asyncio.sleep(self.backoff_s * 2 ** (failures - 1))
                continue
            status = answer.status_code
            if status < 400:
                return answer
            if status == 429:
                waits += 1
                await self._wait_out(_retry_after(answer), what, last=waits > MAX_WAITS)
            elif status >= 500 and failures < retries:
                failures += 1
                await asyncio.sleep(self.backoff_s * 2 ** (failures - 1))
            else:
                raise refusal(status, what, self.project)

    async def _wait_out(self, seconds: float, what: str, *, last: bool) -> None:
        if last or seconds > self._max_wait_s:
            raise TrackerFailure(
                "rate_limited", f"Jira's rate limit holds {what} for {seconds:.0f} s more; "
                                "trying later", retry_after=seconds)
        logger.info("Jira rate limit: waiting %.1f s", seconds)
        await asyncio.sleep(seconds)


def marker_text(marker: str) -> str:
    """What makes a write-back comment recognisable again (ADF has no hidden text)."""
    return f"tradeoff:{marker}"


def _type_names(project: dict[str, Any]) -> list[str]:
    return [str(t["name"]) for t in project.get("issueTypes") or ()
            if isinstance(t, dict) and t.get("name") and not t.get("subtask")]


def _retry_after(answer: httpx.Response) -> float:
    value = answer.headers.get("retry-after", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return 60.0  # Jira always sends it; this is the cautious guess when it does not
