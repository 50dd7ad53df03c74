"""GitHub Issues behind the Tracker port, through githubkit.

githubkit is generated from GitHub's own OpenAPI description and gives us the HTTP client,
auth header and rate-limit detection (`retry-after`, `x-ratelimit-reset`, secondary limits);
its automatic retries and HTTP cache are off because the waiting policy is the port's (wait
at most `max_wait_s`, retry 5xx `retries` times) and the ETag is kept here, per repository.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Generator, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
from githubkit import GitHub
from githubkit.auth.base import BaseAuthStrategy
from githubkit.exception import RateLimitExceeded, RequestError, RequestFailed, RequestTimeout
from githubkit.response import Response

from bot.domain.tracker_issues import TrackerIssue
from bot.services.ports import TrackerFailure

# The REST API version every request asks for, and the one the tests' schemas check against.
API_VERSION = "2026-03-10"
PER_PAGE = 100
_NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next"')
_REF = re.compile(r"^\s*([\w.-]+/[\w.-]+)?#(\d{1,10})\s*$")
_URL = re.compile(r"^\s*https?://[^/\s]+(?:/[^\s]*)?/([\w.-]+/[\w.-]+)/(?:issues|pull)/(\d{1,10})"
                  r"/?(?:[?#]\S*)?\s*$")

logger = logging.getLogger(__name__)


class _Bearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def __repr__(self) -> str:
        return "_Bearer(<hidden>)"


class BearerToken(BaseAuthStrategy):
    """`Authorization: Bearer`, the scheme GitHub documents for fine-grained tokens
    (githubkit's token strategy sends the older `token` scheme)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def get_auth_flow(self, github: Any) -> httpx.Auth:
        return _Bearer(self._token)

    def __repr__(self) -> str:
        return "BearerToken(<hidden>)"


def marker_comment(marker: str) -> str:
    return f"<!-- tradeoff:{marker} -->"


class GitHubTracker:
    name = "GitHub"

    def __init__(
        self, api_url: str, repo: str, token: str, *, timeout_s: float = 10, retries: int = 3,
        max_wait_s: float = 60,
    ) -> None:
        self.repo = repo.strip().strip("/")
        self._retries = retries
        self._max_wait_s = max_wait_s
        self._gh = GitHub(
            BearerToken(token), base_url=api_url.rstrip("/") + "/", timeout=timeout_s,
            auto_retry=False, http_cache=False, user_agent="tradeoff-bot",
        )
        self._writes = asyncio.Lock()
        # (since param) -> (etag, issues): an unchanged repository answers 304 and costs no quota.
        self._conditional: dict[str, tuple[str, list[TrackerIssue]]] = {}
        self.backoff_s = 0.5  # first wait after a 5xx; doubles each time

    # --- the port ------------------------------------------------------------------------

    async def check(self) -> str:
        answer = await self._call("GET", f"repos/{self.repo}", what=f"the repository {self.repo}")
        return str(answer.json().get("full_name") or self.repo)

    async def open_issues(self) -> list[TrackerIssue]:
        issues, _ = await self._pages({"state": "open"})
        return issues or []

    async def changed_since(self, since: datetime | None) -> list[TrackerIssue]:
        params: dict[str, str] = {"state": "all", "sort": "updated", "direction": "asc"}
        if since is not None:
            params["since"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        key = params.get("since", "")
        cached = self._conditional.get(key)
        issues, etag = await self._pages(params, etag=cached[0] if cached else None)
        if issues is None:  # 304: nothing changed since the last identical request
            assert cached is not None
            return list(cached[1])
        if etag:
            self._conditional = {key: (etag, issues)}
        return issues

    async def get_issue(self, ref: str) -> TrackerIssue:
        number = self._number(ref)
        answer = await self._call("GET", f"repos/{self.repo}/issues/{number}", what=ref)
        return self._issue(answer.json())

    async def create_issue(self, title: str, body: str, labels: Sequence[str]) -> TrackerIssue:
        async with self._writes:
            answer = await self._call(
                "POST", f"repos/{self.repo}/issues", what=f"a new issue in {self.repo}",
                json={"title": title, "body": body, "labels": list(labels)},
            )
        return self._issue(answer.json())

    async def add_label(self, ref: str, label: str) -> None:
        number = self._number(ref)
        async with self._writes:
            await self._call("POST", f"repos/{self.repo}/issues/{number}/labels", what=ref,
                             json={"labels": [label]})

    async def comment_once(
        self, ref: str, marker: str, lines: Sequence[str], link_text: str, link_url: str
    ) -> None:
        number = self._number(ref)
        tag = marker_comment(marker)
        async with self._writes:
            url: str | None = f"repos/{self.repo}/issues/{number}/comments"
            params: dict[str, Any] | None = {"per_page": PER_PAGE}
            while url is not None:
                answer = await self._call("GET", url, what=ref, params=params)
                if any(tag in str(c.get("body") or "") for c in answer.json()):
                    return
                url, params = _next_page(answer), None
            text = "\n\n".join([*(_plain(line) for line in lines),
                                 f"[{_md(link_text)}]({link_url})", tag])
            await self._call("POST", f"repos/{self.repo}/issues/{number}/comments", what=ref,
                             json={"body": text})

    def parse_ref(self, text: str) -> str | None:
        match = _REF.match(text) or _URL.match(text)
        if match is None:
            return None
        repo = match[1] or self.repo
        if repo.lower() != self.repo.lower():
            return None
        return f"{self.repo}#{int(match[2])}"

    async def aclose(self) -> None:
        # githubkit opens a client per request when not used as a context manager.
        return None

    # --- HTTP ----------------------------------------------------------------------------

    async def _pages(
        self, params: dict[str, str], etag: str | None = None
    ) -> tuple[list[TrackerIssue] | None, str | None]:
        """Every page's issues (PRs dropped) and the first page's ETag; (None, etag) on 304."""
        url: str | None = f"repos/{self.repo}/issues"
        query: dict[str, Any] | None = {**params, "per_page": PER_PAGE}
        headers = {"If-None-Match": etag} if etag else None
        issues: list[TrackerIssue] = []
        first_etag: str | None = None
        while url is not None:
            answer = await self._call("GET", url, what=f"the issues of {self.repo}",
                                      params=query, headers=headers)
            if answer.status_code == 304:
                return None, etag
            if first_etag is None:
                first_etag = answer.headers.get("etag")
            issues += [self._issue(raw) for raw in answer.json() if "pull_request" not in raw]
            url, query, headers = _next_page(answer), None, None
        return issues, first_etag

    async def _call(
        self, method: str, url: str, *, what: str, params: dict[str, Any] | None = None,
        json: Any = None, headers: dict[str, str] | None = None,
    ) -> Response[Any]:
        failures = 0
        while True:
            try:
                return await self._gh.arequest(
                    method, url, params=params, json=json,
                    headers={"X-GitHub-Api-Version": API_VERSION,
                             "Accept": "application/vnd.github+json", **(headers or {})},
                )
            except RateLimitExceeded as exc:
                await self._wait_out(exc.retry_after.total_seconds(), what)
            except RequestFailed as exc:
                status = exc.response.status_code
                wait = _rate_limit_wait(exc.response)
                if wait is not None:
                    await self._wait_out(wait, what)
                elif status >= 500 and failures < self._retries:
                    failures += 1
                    await asyncio.sleep(self.backoff_s * 2 ** (failures - 1))
                else:
                    raise _failure(status, what, self.repo) from None
            except (RequestTimeout, RequestError) as exc:
                if failures >= self._retries:
                    raise TrackerFailure(
                        "unavailable",
                        f"GitHub did not answer about {what} ({type(exc).__name__})",
                    ) from None
                failures += 1
                await asyncio.sleep(self.backoff_s * 2 ** (failures - 1))

    async def _wait_out(self, seconds: float, what: str) -> None:
        if seconds > self._max_wait_s:
            raise TrackerFailure(
                "rate_limited",
                f"GitHub's rate limit holds {what} for {seconds:.0f} s more; trying later",
                retry_after=seconds,
            )
        logger.info("GitHub rate limit: waiting %.1f s", seconds)
        await asyncio.sleep(seconds)

    # --- mapping -------------------------------------------------------------------------

    def _issue(self, raw: dict[str, Any]) -> TrackerIssue:
        return issue_from_github(self.repo, raw)

    def _number(self, ref: str) -> int:
        canonical = self.parse_ref(ref)
        if canonical is None:
            raise TrackerFailure("invalid", f"{ref} is not an issue of {self.repo}")
        return int(canonical.rsplit("#", 1)[1])


def issue_from_github(repo: str, raw: dict[str, Any]) -> TrackerIssue:
    """An issue as GitHub's REST API (or an `issues` webhook) writes it, with `repo`'s ref."""
    closed_by = raw.get("closed_by") or {}
    return TrackerIssue(
        ref=f"{repo}#{raw['number']}",
        title=str(raw.get("title") or ""),
        body=str(raw.get("body") or ""),
        url=str(raw["html_url"]),
        labels=tuple(
            str(label["name"] if isinstance(label, dict) else label)
            for label in raw.get("labels") or ()
        ),
        issue_type=None,
        is_open=raw.get("state") == "open",
        updated_at=_when(str(raw["updated_at"])),
        closed_by=closed_by.get("login") if isinstance(closed_by, dict) else None,
        not_planned=raw.get("state") == "closed"
        and raw.get("state_reason") in ("not_planned", "duplicate"),
        is_pull_request="pull_request" in raw,
    )


def _next_page(answer: Response[Any]) -> str | None:
    match = _NEXT_LINK.search(answer.headers.get("link", ""))
    return match[1] if match else None


def _rate_limit_wait(response: Response[Any]) -> float | None:
    """Seconds to wait when a 403/429 is a rate limit githubkit did not flag; else None."""
    headers = response.headers
    status = response.status_code
    if status not in (403, 429):
        return None
    if "retry-after" in headers and headers["retry-after"].isdigit():
        return float(headers["retry-after"])
    reset_text = headers.get("x-ratelimit-reset", "")
    if headers.get("x-ratelimit-remaining") == "0" and reset_text.isdigit():
        reset = datetime.fromtimestamp(int(headers["x-ratelimit-reset"]), tz=UTC)
        return max(0.0, (reset - datetime.now(UTC)).total_seconds())
    return 60.0 if status == 429 else None


def _failure(status: int, what: str, repo: str) -> TrackerFailure:
    if status == 401:
        return TrackerFailure("auth", "GitHub refused the token (401): it is wrong, expired or "
                                      "revoked; connect again with a valid one")
    if status == 403:
        return TrackerFailure("forbidden", f"the token may not do this on {repo} (403): give "
                                           "it Issues read and write on that repository")
    if status == 404:
        return TrackerFailure("not_found", f"GitHub has no {what} that this token can see "
                                           "(404): check the name and the token's repositories")
    if status == 410:
        return TrackerFailure("gone", f"{what} is gone from GitHub (410): issues may be "
                                      "disabled on the repository")
    if status in (400, 422):
        return TrackerFailure("invalid", f"GitHub did not accept the request for {what} "
                                         f"({status})")
    return TrackerFailure("unavailable", f"GitHub answered {status} for {what}; trying later")


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _plain(text: str) -> str:
    """Plain text safe in GitHub markdown: no @mention pings anyone, no HTML is live."""
    return text.replace("@", "@\u2060").replace("<", "&lt;")


def _md(text: str) -> str:
    return re.sub(r"([\[\]\\])", r"\\\1", text)


