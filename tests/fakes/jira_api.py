"""A fake Jira Cloud REST v3 API on real loopback HTTP, stateful like the real one.

Projects with issue types; issues with keys, ADF descriptions, labels, statuses (and their
categories), resolutions, a changelog of status changes, and comments; Basic auth (e-mail and
API token) checked; `/search/jql` (GET or POST) with the JQL the bridge writes, answering only
`id` unless fields are asked for, paged by `nextPageToken` with a small page size; comments
paged by `startAt`/`maxResults`/`total`; a changelog embedded only in part, the rest paged at
`/issue/{key}/changelog`; the old `/rest/api/3/search` answering 410; and
scripted faults per route: any status (401, 403, 404, 5xx), 429 with Retry-After, slow
answers, and a 5xx *after* the change was made (the answer lost on the way back).
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.fakes.local_server import Answer, Recorded, RecordingFake

API = "/rest/api/3"
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
_CATEGORIES = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {"id": 4, "key": "indeterminate", "colorName": "yellow",
                      "name": "In Progress"},
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}
_STATUSES = {"To Do": ("10000", "new"), "In Progress": ("3", "indeterminate"),
             "Done": ("10001", "done")}
_CLAUSES = (
    (re.compile(r'^project\s*=\s*"?([A-Za-z][A-Za-z0-9_]*)"?$'), "project"),
    (re.compile(r"^statusCategory\s*!=\s*Done$", re.I), "open"),
    (re.compile(r'^updated\s*>=\s*"(\d{4}/\d{2}/\d{2} \d{2}:\d{2})"$'), "updated"),
)


def jira_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _parsed(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.000%z")


@dataclass
class _Project:
    key: str
    name: str
    issue_types: list[str]
    next_number: int = 1


@dataclass
class _Issue:
    id: str
    key: str
    fields: dict[str, Any]
    histories: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)


class FakeJira(RecordingFake):
    """`with FakeJira(email, token) as jira:` ... `jira.site` is the connection's site URL."""

    methods = ("GET", "POST", "PUT")
    content_type = "application/json;charset=UTF-8"

    def __init__(self, email: str, token: str, *, page_size: int = 3,
                 comment_page_size: int = 2) -> None:
        super().__init__()
        self.email, self.token = email, token
        self.page_size, self.comment_page_size = page_size, comment_page_size
        self.time_zone = "UTC"  # the account's: JQL's times are read in it
        self.display_name = "Tradeoff Bot"
        self.embedded_histories = 100  # how much changelog an issue's answer carries
        self.projects: dict[str, _Project] = {}
        self.issues: dict[str, _Issue] = {}
        self._tokens: dict[str, tuple[str, int]] = {}
        self._clock = _EPOCH
        self._ids = 10000

    @property
    def site(self) -> str:
        return self.base_url

    # --- state the tests set up and read -------------------------------------------------

    def tick(self, seconds: float = 1) -> datetime:
        with self._lock:
            # Never behind the wall clock: timestamps compare with the bot's own.
            self._clock = max(self._clock + timedelta(seconds=seconds),
                              datetime.now(UTC).replace(microsecond=0))
            return self._clock

    def add_project(self, key: str, name: str,
                    issue_types: tuple[str, ...] = ("Task", "Story", "Bug", "Tech Debt")) -> None:
        self.projects[key] = _Project(key, name, list(issue_types))

    def add_issue(
        self, project: str, summary: str, description: str | dict[str, Any] | None = "", *,
        labels: tuple[str, ...] = (), issue_type: str = "Task", status: str = "To Do",
    ) -> str:
        """The new issue's key. A str description becomes one ADF paragraph per line."""
        if isinstance(description, str):
            description = _adf(description.split("\n")) if description else None
        with self._lock:
            return self._create(self.projects[project], summary, description, list(labels),
                                issue_type, status).key

    def issue(self, key: str) -> _Issue:
        return self.issues[key]

    def comments(self, key: str) -> list[dict[str, Any]]:
        return list(self.issues[key].comments)

    def close(self, key: str, by: str = "Ada Lovelace", resolution: str = "Done") -> None:
        self._transition(key, "Done", by, {"id": "10000", "name": resolution})

    def reopen(self, key: str, by: str = "Ada Lovelace") -> None:
        self._transition(key, "To Do", by, None)

    def rename(self, key: str, summary: str) -> None:
        with self._lock:
            issue = self.issues[key]
            issue.fields["summary"] = summary
            issue.fields["updated"] = jira_time(self.tick())

    def rate_limit(self, method: str, path_part: str, retry_after: int = 1, times: int = 1) -> None:
        self.fail(method, path_part, 429, times=times, headers={
            "Retry-After": str(retry_after), "RateLimit-Reason": "jira-burst-based"})

    # --- HTTP ----------------------------------------------------------------------------

    def _answer(self, call: Recorded) -> Answer:
        fault = self._take_fault(call)
        if fault is not None and fault.status and not fault.after:
            return fault.status, _errors(f"scripted {fault.status}"), fault.headers
        expected = base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
        if call.headers.get("authorization") != f"Basic {expected}":
            return 401, _errors("Client must be authenticated to access this resource."), {}
        with self._lock:
            answer = self._route(call)
        if fault is not None and fault.after and fault.status:
            return fault.status, _errors(f"scripted {fault.status}"), fault.headers
        return answer

    def _request_id(self) -> tuple[str, str]:
        return "X-AREQUESTID", uuid.uuid4().hex[:12]

    def _route(self, call: Recorded) -> Answer:
        path, method = call.path, call.method
        if path in (f"{API}/search", "/rest/api/2/search"):
            return 410, _errors("The requested API has been removed. Please migrate to the "
                                "/rest/api/3/search/jql API."), {}
        if path == f"{API}/myself" and method == "GET":
            return 200, self._myself(), {}
        if path == f"{API}/search/jql" and method in ("GET", "POST"):
            return self._search(call)
        if path.startswith(f"{API}/project/") and method == "GET":
            project = self.projects.get(path.rsplit("/", 1)[1].upper())
            if project is None:
                return 404, _errors(f"No project could be found with key "
                                    f"'{path.rsplit('/', 1)[1]}'."), {}
            return 200, self._project_json(project), {}
        if path == f"{API}/issue" and method == "POST":
            return self._create_from(call.body or {})
        parts = path[len(f"{API}/issue/"):].split("/") if path.startswith(f"{API}/issue/") else []
        issue = self.issues.get(parts[0].upper()) if parts else None
        if issue is None:
            return 404, _errors("Issue does not exist or you do not have permission to see "
                                "it."), {}
        if parts[1:] == [] and method == "GET":
            wanted = [f for f in call.query.get("fields", "").split(",") if f] or ["*all"]
            return 200, self._issue_json(issue, wanted, "changelog" in call.query.get(
                "expand", "")), {}
        if parts[1:] == [] and method == "PUT":
            return self._edit(issue, call.body or {})
        if parts[1:] == ["changelog"] and method == "GET":
            start = max(0, int(call.query.get("startAt", "0") or 0))
            size = min(100, int(call.query.get("maxResults", "100") or 100))
            values = issue.histories[start: start + size]
            return 200, {"self": f"{self.site}{path}", "startAt": start, "maxResults": size,
                         "total": len(issue.histories), "values": values,
                         "isLast": start + size >= len(issue.histories)}, {}
        if parts[1:] == ["comment"] and method == "GET":
            return self._comments(call, issue)
        if parts[1:] == ["comment"] and method == "POST":
            return self._comment(issue, call.body or {})
        return 404, _errors("No route"), {}

    # --- search --------------------------------------------------------------------------

    def _search(self, call: Recorded) -> Answer:
        ask = dict(call.query) if call.method == "GET" else dict(call.body or {})
        jql = str(ask.get("jql") or "").strip()
        if not jql:
            return 400, _errors("Unbounded JQL queries are not allowed here."), {}
        fields = ask.get("fields")
        if isinstance(fields, str):
            fields = [f for f in fields.split(",") if f]
        token = ask.get("nextPageToken")
        offset = 0
        if token:
            if token not in self._tokens or self._tokens[token][0] != jql:
                return 400, _errors("The provided next page token is invalid or expired."), {}
            offset = self._tokens[token][1]
        try:
            found = self._matching(jql)
        except ValueError as exc:
            return 400, _errors(str(exc)), {}
        size = min(self.page_size, int(ask.get("maxResults") or 50))
        chunk = found[offset: offset + size]
        changelog = "changelog" in str(ask.get("expand") or "")
        answer: dict[str, Any] = {"issues": [self._issue_json(i, fields, changelog)
                                             for i in chunk]}
        if offset + size < len(found):
            next_token = uuid.uuid4().hex
            self._tokens[next_token] = (jql, offset + size)
            answer["nextPageToken"] = next_token
            answer["isLast"] = False
        else:
            answer["isLast"] = True
        return 200, answer, {}

    def _matching(self, jql: str) -> list[_Issue]:
        split = re.match(r"^(.*?)(?:\s+ORDER BY\s+(.*))?$", jql, flags=re.I | re.S)
        assert split is not None
        where, order = split[1], split[2] or ""
        found = list(self.issues.values())
        for clause in re.split(r"\s+AND\s+", where.strip(), flags=re.I):
            kind, value = self._clause(clause.strip())
            if kind == "project":
                found = [i for i in found if i.fields["project"]["key"] == value.upper()]
            elif kind == "open":
                found = [i for i in found
                         if i.fields["status"]["statusCategory"]["key"] != "done"]
            else:
                since = datetime.strptime(value, "%Y/%m/%d %H:%M").replace(
                    tzinfo=ZoneInfo(self.time_zone))
                found = [i for i in found if _parsed(i.fields["updated"]) >= since]
        if order.strip().lower().startswith("updated"):
            found.sort(key=lambda i: _parsed(i.fields["updated"]))
        else:
            found.sort(key=lambda i: (i.fields["project"]["key"], int(i.key.split("-")[1])))
        return found

    @staticmethod
    def _clause(clause: str) -> tuple[str, str]:
        for pattern, kind in _CLAUSES:
            match = pattern.match(clause)
            if match:
                return kind, match[1] if match.groups() else ""
        raise ValueError(f"Error in the JQL Query: the fake does not know '{clause}'.")

    # --- writes --------------------------------------------------------------------------

    def _create_from(self, body: dict[str, Any]) -> Answer:
        fields = body.get("fields") or {}
        project = self.projects.get(str((fields.get("project") or {}).get("key") or ""))
        if project is None:
            return 400, {"errorMessages": [], "errors": {"project": "valid project is "
                                                                    "required"}}, {}
        issue_type = str((fields.get("issuetype") or {}).get("name") or "")
        errors: dict[str, str] = {}
        if issue_type not in project.issue_types:
            errors["issuetype"] = "Specify a valid issue type"
        if not str(fields.get("summary") or "").strip():
            errors["summary"] = "You must specify a summary of the issue."
        description = fields.get("description")
        if description is not None and not _is_adf(description):
            errors["description"] = "Operation value must be an Atlassian Document."
        labels = [str(label) for label in fields.get("labels") or []]
        if any(" " in label for label in labels):
            errors["labels"] = "The label contains spaces which is invalid."
        if errors:
            return 400, {"errorMessages": [], "errors": errors}, {}
        issue = self._create(project, str(fields["summary"]), description, labels, issue_type,
                             "To Do")
        return 201, {"id": issue.id, "key": issue.key,
                     "self": f"{self.site}{API}/issue/{issue.id}"}, {}

    def _edit(self, issue: _Issue, body: dict[str, Any]) -> Answer:
        labels = list(issue.fields["labels"])
        for op in (body.get("update") or {}).get("labels") or []:
            if " " in str(op.get("add", "")):
                return 400, {"errorMessages": [], "errors": {
                    "labels": "The label contains spaces which is invalid."}}, {}
            if "add" in op and op["add"] not in labels:
                labels.append(str(op["add"]))
            if "remove" in op and op["remove"] in labels:
                labels.remove(op["remove"])
        if labels != issue.fields["labels"]:
            issue.fields["labels"] = labels
            issue.fields["updated"] = jira_time(self.tick())
        for name, value in (body.get("fields") or {}).items():
            issue.fields[name] = value
        return 204, None, {}

    def _comments(self, call: Recorded, issue: _Issue) -> Answer:
        start = max(0, int(call.query.get("startAt", "0") or 0))
        size = min(self.comment_page_size, int(call.query.get("maxResults", "5000") or 5000))
        return 200, {"startAt": start, "maxResults": size, "total": len(issue.comments),
                     "comments": issue.comments[start: start + size]}, {}

    def _comment(self, issue: _Issue, body: dict[str, Any]) -> Answer:
        if not _is_adf(body.get("body")):
            return 400, {"errorMessages": [], "errors": {
                "comment": "Comment body is not valid: it must be an Atlassian Document."}}, {}
        now = jira_time(self.tick())
        comment = {"self": f"{self.site}{API}/issue/{issue.id}/comment/{self._next_id()}",
                   "id": str(self._ids), "author": self._user(self.display_name),
                   "body": body["body"], "updateAuthor": self._user(self.display_name),
                   "created": now, "updated": now, "jsdPublic": True}
        issue.comments.append(comment)
        issue.fields["updated"] = now
        return 201, comment, {}

    def _create(
        self, project: _Project, summary: str, description: dict[str, Any] | None,
        labels: list[str], issue_type: str, status: str,
    ) -> _Issue:
        key = f"{project.key}-{project.next_number}"
        project.next_number += 1
        now = jira_time(self.tick())
        issue = _Issue(str(self._next_id()), key, {
            "summary": summary, "description": description, "labels": labels,
            "issuetype": {"self": f"{self.site}{API}/issuetype/1", "id": "1",
                          "name": issue_type, "subtask": False},
            "status": self._status(status), "resolution": None, "created": now,
            "updated": now, "project": {"id": "1", "key": project.key, "name": project.name},
        })
        self.issues[key] = issue
        return issue

    def _transition(self, key: str, status: str, by: str,
                    resolution: dict[str, Any] | None) -> None:
        with self._lock:
            issue = self.issues[key]
            old = issue.fields["status"]
            now = jira_time(self.tick())
            issue.fields.update(status=self._status(status), resolution=resolution, updated=now)
            issue.histories.append({
                "id": str(self._next_id()), "author": self._user(by), "created": now,
                "items": [{"field": "status", "fieldtype": "jira", "fieldId": "status",
                           "from": old["id"], "fromString": old["name"],
                           "to": issue.fields["status"]["id"], "toString": status}]})

    # --- Jira's JSON shapes --------------------------------------------------------------

    def _next_id(self) -> int:
        with self._lock:
            self._ids += 1
            return self._ids

    def _user(self, name: str) -> dict[str, Any]:
        account = f"557058:{uuid.uuid5(uuid.NAMESPACE_DNS, name)}"
        return {"self": f"{self.site}{API}/user?accountId={account}", "accountId": account,
                "displayName": name, "active": True, "timeZone": self.time_zone,
                "accountType": "atlassian"}

    def _myself(self) -> dict[str, Any]:
        return {**self._user(self.display_name), "emailAddress": self.email, "locale": "en_US",
                "groups": {"size": 1, "items": []}, "applicationRoles": {"size": 1, "items": []}}

    def _status(self, name: str) -> dict[str, Any]:
        status_id, category = _STATUSES[name]
        return {"self": f"{self.site}{API}/status/{status_id}", "description": "",
                "iconUrl": f"{self.site}/images/icons/statuses/generic.png", "name": name,
                "id": status_id, "statusCategory": {
                    "self": f"{self.site}{API}/statuscategory/{_CATEGORIES[category]['id']}",
                    **_CATEGORIES[category]}}

    def _project_json(self, project: _Project) -> dict[str, Any]:
        return {"self": f"{self.site}{API}/project/1", "id": "1", "key": project.key,
                "name": project.name, "projectTypeKey": "software", "simplified": False,
                "style": "classic", "isPrivate": False,
                "issueTypes": [{"self": f"{self.site}{API}/issuetype/{n}", "id": str(n),
                                "name": name, "subtask": False, "hierarchyLevel": 0}
                               for n, name in enumerate(project.issue_types, 1)]
                + [{"id": "99", "name": "Sub-task", "subtask": True, "hierarchyLevel": -1}]}

    def _issue_json(self, issue: _Issue, fields: list[str] | None,
                    changelog: bool) -> dict[str, Any]:
        if not fields:  # /search/jql's default: ids only
            return {"id": issue.id}
        wanted = issue.fields if "*all" in fields else {
            k: v for k, v in issue.fields.items() if k in fields}
        answer: dict[str, Any] = {"expand": "renderedFields,names,schema,changelog",
                                  "id": issue.id, "self": f"{self.site}{API}/issue/{issue.id}",
                                  "key": issue.key, "fields": json.loads(json.dumps(wanted))}
        if changelog:  # like Jira, only the first entries of a long history
            shown = issue.histories[: self.embedded_histories]
            answer["changelog"] = {"startAt": 0, "maxResults": len(shown),
                                   "total": len(issue.histories), "histories": shown}
        return answer


def _errors(message: str) -> dict[str, Any]:
    return {"errorMessages": [message], "errors": {}}


def _adf(lines: list[str]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": line}]} if line else
        {"type": "paragraph", "content": []} for line in lines]}


def _is_adf(value: Any) -> bool:
    return (isinstance(value, dict) and value.get("type") == "doc" and value.get("version") == 1
            and isinstance(value.get("content"), list))
