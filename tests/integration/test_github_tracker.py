"""The GitHub adapter against the fake GitHub: pages, since/ETag, writes, faults; and the fake's
answers parsed by githubkit's generated models, so the fake cannot drift from GitHub's API."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from githubkit_schemas.v2026_03_10.models import FullRepository, Issue, IssueComment

from bot.services.ports import TrackerFailure
from bot.trackers.github import API_VERSION, GitHubTracker
from tests.fakes.github_api import FakeGitHub

REPO = "acme/shop"
TOKEN = "github_pat_test"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(token=TOKEN) as fake:
        fake.add_repo(REPO)
        yield fake


def tracker(github: FakeGitHub, token: str = TOKEN, **kw: float) -> GitHubTracker:
    t = GitHubTracker(github.api_url, REPO, token, timeout_s=kw.pop("timeout_s", 5), **kw)  # type: ignore[arg-type]
    t.backoff_s = 0.01
    return t


async def test_open_issues_reads_every_page_skips_prs_and_sends_token_and_version(
    github: FakeGitHub,
) -> None:
    for n in range(205):
        github.add_issue(REPO, f"issue {n}", labels=("debt",) if n % 2 else ())
    github.add_issue(REPO, "a pull request", pull_request=True)
    github.add_issue(REPO, "closed one", state="closed")
    issues = await tracker(github).open_issues()
    assert len(issues) == 205
    assert {i.title for i in issues} == {f"issue {n}" for n in range(205)}
    pages = github.calls_to("GET", "/issues")
    assert len(pages) == 3 and pages[0].query["per_page"] == "100"
    assert all(c.headers["authorization"] == f"Bearer {TOKEN}" for c in pages)
    assert all(c.headers["x-github-api-version"] == API_VERSION for c in pages)
    first = next(i for i in issues if i.title == "issue 1")
    assert first.labels == ("debt",) and first.is_open and first.issue_type is None
    assert first.url.startswith(github.base_url + "/acme/shop/issues/")
    assert first.ref == f"{REPO}#2"


async def test_check_names_the_repo_and_refuses_bad_token_and_unknown_repo(
    github: FakeGitHub,
) -> None:
    assert await tracker(github).check() == REPO
    with pytest.raises(TrackerFailure) as bad:
        await tracker(github, token="ghp_not_the_token").check()
    assert bad.value.kind == "auth" and bad.value.pauses_connection
    assert "ghp_not_the_token" not in str(bad.value)
    missing = GitHubTracker(github.api_url, "acme/nope", TOKEN)
    with pytest.raises(TrackerFailure) as nope:
        await missing.check()
    assert nope.value.kind == "not_found" and "acme/nope" in nope.value.reason


async def test_changed_since_uses_since_and_an_unchanged_repo_answers_304(
    github: FakeGitHub,
) -> None:
    github.add_issue(REPO, "old")
    cursor = github.tick(60)
    github.add_issue(REPO, "new")
    github.close(REPO, 1)
    t = tracker(github)
    changed = await t.changed_since(cursor)
    assert {(i.title, i.is_open) for i in changed} == {("old", False), ("new", True)}
    assert next(i for i in changed if i.title == "old").closed_by == "octocat"
    again = await t.changed_since(cursor)
    assert {i.title for i in again} == {"old", "new"}
    last = github.calls_to("GET", "/issues")[-1]
    assert last.status == 304 and last.query["since"] == cursor.strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_writes_label_idempotently_and_comment_exactly_once(github: FakeGitHub) -> None:
    t = tracker(github)
    created = await t.create_issue("Flaky deploys", "Costs an hour a day", ["tech-debt"])
    assert github.issue(REPO, 1)["labels"][0]["name"] == "tech-debt"
    await t.add_label(created.ref, "tradeoff:planned")
    await t.add_label(created.ref, "tradeoff:planned")
    assert [lb["name"] for lb in github.issue(REPO, 1)["labels"]] == [
        "tech-debt", "tradeoff:planned"]
    for _ in range(2):
        await t.comment_once(created.ref, "decision-7", ["Planned on 2026-12-03."],
                             "Slack thread", "https://slack.example/archives/C1/p1")
    comments = github.comments(REPO, 1)
    assert len(comments) == 1
    assert comments[0]["body"].startswith("Planned on 2026-12-03.\n\n[Slack thread](https://")
    assert comments[0]["body"].endswith("<!-- tradeoff:decision-7 -->")


def test_parse_ref_accepts_short_refs_and_urls_of_this_repo_only(github: FakeGitHub) -> None:
    t = tracker(github)
    assert t.parse_ref("acme/shop#12") == "acme/shop#12"
    assert t.parse_ref("#12") == "acme/shop#12"
    assert t.parse_ref("https://github.com/Acme/Shop/issues/12") == "acme/shop#12"
    assert t.parse_ref("https://ghe.corp/acme/shop/issues/3?x=1") == "acme/shop#3"
    assert t.parse_ref("other/repo#1") is None
    assert t.parse_ref("PROJ-7") is None


async def test_429_is_waited_out_and_5xx_retried(github: FakeGitHub) -> None:
    github.add_issue(REPO, "one")
    github.rate_limit("GET", "/issues", retry_after=1)
    github.fail("GET", "/issues", 502, times=2)
    started = time.monotonic()
    assert [i.title for i in await tracker(github).open_issues()] == ["one"]
    assert time.monotonic() - started >= 1.0
    assert [c.status for c in github.calls_to("GET", "/issues")] == [429, 502, 502, 200]


async def test_secondary_limit_is_waited_out(github: FakeGitHub) -> None:
    github.secondary_limit("GET", "/repos/acme/shop", reset_in_s=1)
    assert await tracker(github).check() == REPO
    assert [c.status for c in github.calls_to("GET", "/repos/acme/shop")] == [403, 200]


async def test_a_wait_beyond_max_wait_fails_as_rate_limited(github: FakeGitHub) -> None:
    github.rate_limit("GET", "/repos/acme/shop", retry_after=3600)
    with pytest.raises(TrackerFailure) as failure:
        await tracker(github, max_wait_s=5).check()
    assert failure.value.kind == "rate_limited" and failure.value.retry_after == 3600
    assert not failure.value.pauses_connection


async def test_5xx_and_timeouts_give_up_after_the_retries(github: FakeGitHub) -> None:
    github.fail("GET", "/repos/acme/shop", 503, times=10)
    with pytest.raises(TrackerFailure) as down:
        await tracker(github, retries=2).check()
    assert down.value.kind == "unavailable"
    assert len(github.calls_to("GET", "/repos/acme/shop")) == 3
    github.slow("GET", "/repos/acme/shop", 1.0, times=10)
    with pytest.raises(TrackerFailure) as slow:
        await tracker(github, retries=1, timeout_s=0.2).check()
    assert slow.value.kind == "unavailable"


@pytest.mark.parametrize(("status", "kind"), [
    (401, "auth"), (403, "forbidden"), (404, "not_found"), (410, "gone"), (422, "invalid"),
])
async def test_each_refusal_has_its_kind(github: FakeGitHub, status: int, kind: str) -> None:
    github.fail("GET", "/repos/acme/shop", status)
    with pytest.raises(TrackerFailure) as failure:
        await tracker(github).check()
    assert failure.value.kind == kind
    assert failure.value.pauses_connection is (kind in {"auth", "forbidden", "not_found", "gone"})


async def test_the_fakes_answers_parse_as_githubs_published_models(github: FakeGitHub) -> None:
    import httpx

    github.add_issue(REPO, "with labels", "body", labels=("debt",))
    github.add_issue(REPO, "a PR", pull_request=True)
    await tracker(github).comment_once(f"{REPO}#1", "m", ["hi"], "t", "https://x.example")
    github.close(REPO, 1)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(base_url=github.api_url, headers=headers) as http:
        FullRepository.model_validate((await http.get(f"/repos/{REPO}")).json())
        for raw in (await http.get(f"/repos/{REPO}/issues", params={"state": "all"})).json():
            Issue.model_validate(raw)
        for raw in (await http.get(f"/repos/{REPO}/issues/1/comments")).json():
            IssueComment.model_validate(raw)
