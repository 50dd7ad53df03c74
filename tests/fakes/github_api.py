"""A fake GitHub REST API on real loopback HTTP, stateful like the real one.

Repositories with issues (pull requests among them), labels and comments; `Authorization:
Bearer` checked; pages linked with `Link: rel="next"` (per_page at most 100); `since`;
ETag / If-None-Match answering 304; and scripted faults per route: any status (401, 403, 404,
410, 422, 5xx), 429 with Retry-After, the secondary-limit 403, and slow answers.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from tests.fakes.local_server import Answer, Recorded, RecordingFake

__all__ = ["FakeGitHub", "Recorded"]

_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Repo:
    owner: str
    name: str
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    next_number: int = 1


class FakeGitHub(RecordingFake):
    """`with FakeGitHub(token="ghp_x") as gh:` ... `gh.api_url` goes in GITHUB_API_URL."""

    methods = ("GET", "POST", "PATCH")
    content_type = "application/json; charset=utf-8"
    no_body_status = 304

    def __init__(
        self, token: str = "github_pat_test", *, api_prefix: str = "/api/v3"  # noqa: S107
    ) -> None:
        super().__init__()
        self.token = token
        self.api_prefix = api_prefix
        self.repos: dict[str, _Repo] = {}
        self._clock = _EPOCH
        self._ids = 1000
        self.login = "octo-bot"

    # --- state the tests set up and read -------------------------------------------------

    @property
    def api_url(self) -> str:
        return self.base_url + self.api_prefix

    def tick(self, seconds: float = 1) -> datetime:
        with self._lock:
            # Never behind the wall clock: timestamps compare with the bot's own.
            self._clock = max(self._clock + timedelta(seconds=seconds),
                              datetime.now(UTC).replace(microsecond=0))
            return self._clock

    def add_repo(self, full_name: str) -> None:
        owner, name = full_name.split("/")
        self.repos[full_name.lower()] = _Repo(owner, name)

    def add_issue(
        self, full_name: str, title: str, body: str | None = "", *, labels: tuple[str, ...] = (),
        state: str = "open", pull_request: bool = False,
    ) -> dict[str, Any]:
        with self._lock:
            repo = self.repos[full_name.lower()]
            number = repo.next_number
            repo.next_number += 1
            issue = self._new_issue(repo, number, title, body, list(labels))
            issue["state"] = state
            if pull_request:
                issue["pull_request"] = {"url": f"{self.api_url}/repos/{full_name}/pulls/{number}",
                                         "html_url": f"{self.base_url}/{full_name}/pull/{number}",
                                         "diff_url": None, "patch_url": None}
            repo.issues[number] = issue
            return issue

    def issue(self, full_name: str, number: int) -> dict[str, Any]:
        return self.repos[full_name.lower()].issues[number]

    def comments(self, full_name: str, number: int) -> list[dict[str, Any]]:
        return list(self.repos[full_name.lower()].comments.get(number, []))

    def close(self, full_name: str, number: int, by: str = "octocat",
              reason: str = "completed") -> None:
        self._edit(full_name, number, state="closed", closed_by=self._user(by),
                   closed_at=_iso(self.tick()), state_reason=reason)

    def reopen(self, full_name: str, number: int) -> None:
        self._edit(full_name, number, state="open", closed_by=None, closed_at=None,
                   state_reason="reopened")

    def rename(self, full_name: str, number: int, title: str) -> None:
        self._edit(full_name, number, title=title)

    def _edit(self, full_name: str, number: int, **values: Any) -> None:
        with self._lock:
            issue = self.issue(full_name, number)
            issue.update(values)
            issue["updated_at"] = _iso(self.tick())

    def rate_limit(self, method: str, path_part: str, retry_after: int = 1, times: int = 1) -> None:
        self.fail(method, path_part, 429, times=times, headers={"Retry-After": str(retry_after)},
                  message="API rate limit exceeded")

    def secondary_limit(self, method: str, path_part: str, reset_in_s: int = 1) -> None:
        reset = int(time.time()) + reset_in_s
        self.fail(method, path_part, 403, headers={
            "x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset),
        }, message="You have exceeded a secondary rate limit")

    # --- HTTP ----------------------------------------------------------------------------

    def _answer(self, call: Recorded) -> Answer:
        fault = self._take_fault(call)
        if fault is not None and fault.status:
            return fault.status, {"message": fault.message}, fault.headers
        if call.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"message": "Bad credentials", "status": "401"}, {}
        if not call.path.startswith(self.api_prefix + "/repos/"):
            return 404, {"message": "Not Found"}, {}
        parts = call.path[len(self.api_prefix) + len("/repos/"):].strip("/").split("/")
        repo = self.repos.get("/".join(parts[:2]).lower()) if len(parts) >= 2 else None
        if repo is None:
            return 404, {"message": "Not Found"}, {}
        with self._lock:
            return self._route(call, repo, parts[2:])

    def _route(
        self, call: Recorded, repo: _Repo, rest: list[str]
    ) -> Answer:
        if not rest and call.method == "GET":
            return 200, self._repo_json(repo), {}
        if rest == ["issues"] and call.method == "GET":
            return self._list_issues(call, repo)
        if rest == ["issues"] and call.method == "POST":
            body = call.body or {}
            if not str(body.get("title") or "").strip():
                return 422, {"message": "Validation Failed",
                             "errors": [{"resource": "Issue", "field": "title",
                                         "code": "missing_field"}]}, {}
            number = repo.next_number
            repo.next_number += 1
            issue = self._new_issue(repo, number, body["title"], body.get("body"),
                                    list(body.get("labels") or []))
            repo.issues[number] = issue
            return 201, issue, {}
        if len(rest) >= 2 and rest[0] == "issues" and rest[1].isdigit():
            issue = repo.issues.get(int(rest[1]))
            if issue is None:
                return 404, {"message": "Not Found"}, {}
            return self._issue_route(call, repo, issue, rest[2:])
        return 404, {"message": "Not Found"}, {}

    def _issue_route(
        self, call: Recorded, repo: _Repo, issue: dict[str, Any], rest: list[str]
    ) -> Answer:
        number = issue["number"]
        if not rest and call.method == "GET":
            return 200, issue, {}
        if rest == ["labels"] and call.method == "POST":
            names = {label["name"] for label in issue["labels"]}
            for name in (call.body or {}).get("labels") or []:
                if name not in names:
                    issue["labels"].append(self._label(repo, name))
                    names.add(name)
                    issue["updated_at"] = _iso(self.tick())
            return 200, issue["labels"], {}
        if rest == ["comments"] and call.method == "GET":
            return self._paged(call, repo.comments.get(number, []),
                               f"/repos/{repo.owner}/{repo.name}/issues/{number}/comments")
        if rest == ["comments"] and call.method == "POST":
            comment = self._comment(repo, number, str((call.body or {}).get("body") or ""))
            repo.comments.setdefault(number, []).append(comment)
            issue["comments"] += 1
            issue["updated_at"] = _iso(self.tick())
            return 201, comment, {}
        return 404, {"message": "Not Found"}, {}

    def _list_issues(self, call: Recorded, repo: _Repo) -> Answer:
        state = call.query.get("state", "open")
        issues = [i for i in repo.issues.values() if state == "all" or i["state"] == state]
        if "since" in call.query:
            since = datetime.fromisoformat(call.query["since"].replace("Z", "+00:00"))
            issues = [i for i in issues
                      if datetime.fromisoformat(i["updated_at"].replace("Z", "+00:00")) >= since]
        if call.query.get("sort") == "updated":
            issues.sort(key=lambda i: i["updated_at"], reverse=call.query.get("direction") != "asc")
        else:
            issues.sort(key=lambda i: i["number"], reverse=True)
        return self._paged(call, issues, f"/repos/{repo.owner}/{repo.name}/issues")

    def _paged(
        self, call: Recorded, rows: list[dict[str, Any]], path: str
    ) -> Answer:
        per_page = min(100, max(1, int(call.query.get("per_page", "30") or 30)))
        page = max(1, int(call.query.get("page", "1") or 1))
        chunk = rows[(page - 1) * per_page: page * per_page]
        etag = '"' + hashlib.sha1(json.dumps(chunk, sort_keys=True).encode(),
                                  usedforsecurity=False).hexdigest() + '"'
        headers = {"ETag": etag}
        if page * per_page < len(rows):
            query = {**call.query, "page": str(page + 1), "per_page": str(per_page)}
            headers["Link"] = f'<{self.api_url}{path}?{urlencode(query)}>; rel="next"'
        if call.headers.get("if-none-match") == etag:
            return 304, None, headers
        return 200, chunk, headers

    # --- GitHub's JSON shapes ------------------------------------------------------------

    def _request_id(self) -> tuple[str, str]:
        return "X-GitHub-Request-Id", f"REQ{self._next_id()}"

    def _next_id(self) -> int:
        with self._lock:
            self._ids += 1
            return self._ids

    def _user(self, login: str) -> dict[str, Any]:
        uid = int(hashlib.sha1(login.encode(), usedforsecurity=False).hexdigest()[:6], 16)
        return {
            "login": login, "id": uid, "node_id": f"U_{uid}", "avatar_url": "",
            "gravatar_id": "", "url": f"{self.api_url}/users/{login}",
            "html_url": f"{self.base_url}/{login}", "followers_url": "", "following_url": "",
            "gists_url": "", "starred_url": "", "subscriptions_url": "",
            "organizations_url": "", "repos_url": "", "events_url": "",
            "received_events_url": "", "type": "User", "site_admin": False,
        }

    def _label(self, repo: _Repo, name: str) -> dict[str, Any]:
        lid = self._next_id()
        return {"id": lid, "node_id": f"LA_{lid}", "name": name, "color": "ededed",
                "default": False, "description": None,
                "url": f"{self.api_url}/repos/{repo.owner}/{repo.name}/labels/{name}"}

    def _new_issue(
        self, repo: _Repo, number: int, title: str, body: str | None, labels: list[str]
    ) -> dict[str, Any]:
        iid = self._next_id()
        now = _iso(self.tick())
        api = f"{self.api_url}/repos/{repo.owner}/{repo.name}"
        return {
            "id": iid, "node_id": f"I_{iid}", "url": f"{api}/issues/{number}",
            "repository_url": api, "labels_url": f"{api}/issues/{number}/labels{{/name}}",
            "comments_url": f"{api}/issues/{number}/comments",
            "events_url": f"{api}/issues/{number}/events",
            "html_url": f"{self.base_url}/{repo.owner}/{repo.name}/issues/{number}",
            "number": number, "state": "open", "state_reason": None, "title": title,
            "body": body, "user": self._user("octocat"),
            "labels": [self._label(repo, name) for name in labels], "assignee": None,
            "assignees": [], "milestone": None, "locked": False, "active_lock_reason": None,
            "comments": 0, "closed_at": None, "created_at": now, "updated_at": now,
            "closed_by": None, "author_association": "OWNER",
        }

    def _comment(self, repo: _Repo, number: int, body: str) -> dict[str, Any]:
        cid = self._next_id()
        now = _iso(self.tick())
        api = f"{self.api_url}/repos/{repo.owner}/{repo.name}"
        return {
            "id": cid, "node_id": f"IC_{cid}", "url": f"{api}/issues/comments/{cid}",
            "html_url": f"{self.base_url}/{repo.owner}/{repo.name}/issues/{number}#c{cid}",
            "body": body, "user": self._user(self.login), "created_at": now, "updated_at": now,
            "issue_url": f"{api}/issues/{number}", "author_association": "NONE",
        }

    def _repo_json(self, repo: _Repo) -> dict[str, Any]:
        full = f"{repo.owner}/{repo.name}"
        rid = int(hashlib.sha1(full.encode(), usedforsecurity=False).hexdigest()[:6], 16)
        api = f"{self.api_url}/repos/{full}"
        # Every URL template GitHub's FullRepository schema requires.
        urls = {f"{name}_url": f"{api}/{name.replace('_', '/')}" for name in (
            "archive", "assignees", "blobs", "branches", "collaborators", "comments", "commits",
            "compare", "contents", "contributors", "deployments", "downloads", "events",
            "forks", "git_commits", "git_refs", "git_tags", "issue_comment", "issue_events",
            "issues", "keys", "labels", "languages", "merges", "milestones", "notifications",
            "pulls", "releases", "stargazers", "statuses", "subscribers", "subscription", "tags",
            "teams", "trees", "hooks",
        )}
        now = _iso(self._clock)
        open_count = sum(1 for i in repo.issues.values() if i["state"] == "open")
        return {
            **urls, "git_url": f"git://127.0.0.1/{full}.git",
            "ssh_url": f"git@127.0.0.1:{full}.git", "clone_url": f"{self.base_url}/{full}.git",
            "svn_url": f"{self.base_url}/{full}", "mirror_url": None, "homepage": None,
            "language": None, "forks_count": 0, "stargazers_count": 0, "watchers_count": 0,
            "size": 1, "has_projects": False, "has_wiki": False, "has_pages": False,
            "has_discussions": False, "archived": False, "disabled": False,
            "pushed_at": now, "created_at": _iso(_EPOCH), "updated_at": now,
            "subscribers_count": 1, "network_count": 0, "license": None, "forks": 0,
            "open_issues": open_count, "watchers": 0,
            "id": rid, "node_id": f"R_{rid}", "name": repo.name, "full_name": full,
            "private": True, "owner": self._user(repo.owner),
            "html_url": f"{self.base_url}/{full}", "description": None, "fork": False,
            "url": f"{self.api_url}/repos/{full}", "has_issues": True, "open_issues_count":
            sum(1 for i in repo.issues.values() if i["state"] == "open"),
            "default_branch": "main", "visibility": "private",
            "permissions": {"admin": False, "maintain": False, "push": True, "triage": True,
                            "pull": True},
        }
