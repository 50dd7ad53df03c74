"""Reading and writing Jira's ADF, reading Jira refs, and how an issue's JSON becomes a
TrackerIssue: pure functions, no HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.tracker_issues import first_paragraph, imported_fields
from bot.trackers import jira_adf as adf
from bot.trackers.jira_issues import issue_from_jira, jira_ref

SITE = "https://acme.atlassian.net"


def para(*inline: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(inline)}


def doc(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": list(blocks)}


def test_the_first_paragraph_skips_headings_and_empty_paragraphs_and_joins_inline_nodes() -> None:
    description = doc(
        {"type": "heading", "attrs": {"level": 1}, "content": [adf.text("Context")]},
        para(),
        para(adf.text("Checkout "), {"type": "text", "text": "fails", "marks": [
            {"type": "strong"}]}, {"type": "hardBreak"}, adf.text("for "),
             {"type": "mention", "attrs": {"id": "557058:1", "text": "@Ada"}},
             adf.text(" "), {"type": "emoji", "attrs": {"shortName": ":fire:"}},
             adf.text(" see "), {"type": "inlineCard", "attrs": {"url": "https://x.test/1"}}),
        para(adf.text("Second paragraph.")),
    )
    assert adf.paragraph_texts(description) == [
        "Checkout fails for @Ada :fire: see https://x.test/1", "Second paragraph."]
    assert first_paragraph(adf.plain_text(description)) == (
        "Checkout fails for @Ada :fire: see https://x.test/1")


def test_paragraphs_inside_lists_and_panels_count_and_code_blocks_do_not() -> None:
    description = doc(
        {"type": "codeBlock", "content": [adf.text("SELECT 1")]},
        {"type": "bulletList", "content": [{"type": "listItem", "content": [
            para(adf.text("In a list"))]}]},
        {"type": "panel", "attrs": {"panelType": "info"}, "content": [para(adf.text("Panel"))]},
    )
    assert adf.plain_text(description) == "In a list\n\nPanel"


@pytest.mark.parametrize("empty", [None, {}, doc(), doc(para()), doc(para(adf.text("  ")))])
def test_an_empty_description_is_empty_text_and_debt_says_impact_not_quantified(
    empty: Any,
) -> None:
    assert adf.plain_text(empty) == ""
    issue = issue_from_jira(SITE, raw_issue(description=empty, labels=["tech-debt"]))
    assert imported_fields(issue, ["tech-debt"]).impact == "impact not quantified"


def test_plain_text_becomes_paragraphs_and_line_breaks_and_reads_back() -> None:
    written = adf.from_plain("First line\nsame paragraph\n\n\nSecond <b>@here</b>")
    assert written == doc(
        para(adf.text("First line"), {"type": "hardBreak"}, adf.text("same paragraph")),
        para(adf.text("Second <b>@here</b>")))  # ADF text is never markup: nothing to escape
    assert adf.plain_text(written) == "First line same paragraph\n\nSecond <b>@here</b>"
    assert adf.from_plain("   ") == doc()


def test_a_marker_is_found_in_any_text_node() -> None:
    body = adf.document([[adf.text("Planned.")], [adf.link("thread", "https://s.test")],
                         [adf.code("tradeoff:decision-7-D-4")]])
    assert "tradeoff:decision-7-D-4" in adf.all_text(body)
    assert "tradeoff:decision-7-D-40" not in adf.all_text(body)


@pytest.mark.parametrize(("text", "ref"), [
    ("SHOP-7", "SHOP-7"), ("shop-07", "SHOP-7"), ("  SHOP-12 ", "SHOP-12"),
    (f"{SITE}/browse/SHOP-7", "SHOP-7"), (f"{SITE}/browse/shop-7/", "SHOP-7"),
    (f"{SITE}/browse/SHOP-7?focusedCommentId=1#c", "SHOP-7"),
    (f"{SITE}/jira/software/projects/SHOP/boards/1/browse/SHOP-3", "SHOP-3"),
    ("https://ACME.atlassian.net/browse/SHOP-7", "SHOP-7"),
    ("OTHER-7", None), ("SHOP-", None), ("SHOP 7", None), ("#7", None), ("7", None),
    ("https://evil.example/browse/SHOP-7", None), (f"{SITE}/browse/OTHER-7", None),
    (f"{SITE}/issues/SHOP-7", None), ("SHOP-7; DROP", None),
])
def test_refs_are_keys_of_the_project_or_its_browse_urls(text: str, ref: str | None) -> None:
    assert jira_ref(text, SITE, "SHOP") == ref


def raw_issue(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "summary": "Flaky deploys", "description": None, "labels": [],
        "issuetype": {"name": "Task"}, "resolution": None,
        "status": {"id": "10000", "name": "To Do", "statusCategory": {"key": "new"}},
        "updated": "2026-08-01T14:30:05.123+0200",
    }
    return {"id": "10001", "key": "SHOP-7", "fields": {**base, **fields}}


def test_an_open_issue_maps_to_its_browse_url_labels_type_and_utc_time() -> None:
    issue = issue_from_jira(SITE + "/", raw_issue(labels=["ux"], issuetype={"name": "Story"}))
    assert (issue.ref, issue.url, issue.labels, issue.issue_type, issue.is_open) == (
        "SHOP-7", f"{SITE}/browse/SHOP-7", ("ux",), "Story", True)
    assert issue.updated_at.isoformat() == "2026-08-01T12:30:05.123000+00:00"
    assert issue.closed_by is None and not issue.not_planned


def done_issue(resolution: str, histories: list[dict[str, Any]]) -> dict[str, Any]:
    raw = raw_issue(resolution={"name": resolution}, status={
        "id": "10001", "name": "Done", "statusCategory": {"key": "done"}})
    raw["changelog"] = {"histories": histories}
    return raw


def history(who: str, created: str, to: str) -> dict[str, Any]:
    return {"author": {"displayName": who}, "created": created,
            "items": [{"field": "status", "to": to}]}


def test_who_closed_it_is_the_newest_change_into_its_status() -> None:
    closed = issue_from_jira(SITE, done_issue("Done", [
        history("Ada", "2026-07-01T10:00:00.000+0000", "10001"),
        history("Grace", "2026-07-03T10:00:00.000+0000", "10001"),
        history("Linus", "2026-07-02T10:00:00.000+0000", "10000"),
    ]))
    assert (closed.is_open, closed.closed_by, closed.not_planned) == (False, "Grace", False)
    assert issue_from_jira(SITE, done_issue("Done", [])).closed_by is None


@pytest.mark.parametrize(("resolution", "not_planned"), [
    ("Won't Do", True), ("Duplicate", True), ("Won't Fix", True), ("Done", False),
    ("Fixed", False),
])
def test_wont_do_resolutions_mean_not_planned(resolution: str, not_planned: bool) -> None:
    assert issue_from_jira(SITE, done_issue(resolution, [])).not_planned is not_planned
