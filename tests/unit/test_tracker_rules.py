"""The bridge's pure rules: credentials sealing and key rotation, what an issue becomes, what
a tracker change does to its item, and what the write-back says."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet

from bot.config import ConfigError, Settings
from bot.credentials import CannotDecrypt, SecretBox, SecretKeyInvalid, parse_secret_keys
from bot.domain.decisions import DecidedItem, Decision
from bot.domain.items import ItemRef, Kind, Status
from bot.domain.tracker_connections import TrackerCredentials, TrackerKind
from bot.domain.tracker_issues import (
    TrackerIssue,
    first_paragraph,
    imported_fields,
    parse_label_list,
)
from bot.domain.tracker_sync import ItemState, SyncAction, actor_label, changes_for
from bot.domain.tracker_writeback import writeback_note

WHEN = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def issue(**changes: object) -> TrackerIssue:
    values: dict[str, object] = dict(
        ref="acme/shop#1", title="Flaky deploys", body="", url="https://github.com/x",
        labels=(), issue_type=None, is_open=True, updated_at=WHEN)
    values.update(changes)
    return TrackerIssue(**values)  # type: ignore[arg-type]


def test_keys_rotate_old_secrets_open_with_the_old_key_after_the_new_one() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = SecretBox([old]).seal("github_pat_secret")
    assert "github_pat_secret" not in sealed
    rotated = SecretBox(parse_secret_keys(f"{new}, {old}"))
    assert rotated.open(sealed) == "github_pat_secret"
    assert SecretBox([new]).open(rotated.rotate(sealed)) == "github_pat_secret"
    with pytest.raises(CannotDecrypt):
        SecretBox([new]).open(sealed)


def test_a_bad_key_is_named_by_position_never_shown() -> None:
    with pytest.raises(SecretKeyInvalid) as bad:
        parse_secret_keys(f"{Fernet.generate_key().decode()},not-a-key-at-all")
    assert "key #2" in str(bad.value) and "not-a-key-at-all" not in str(bad.value)
    with pytest.raises(ConfigError) as config:
        Settings.from_env({"TRADEOFF_SECRET_KEY": "not-a-key-at-all"})
    assert "TRADEOFF_SECRET_KEY" in str(config.value)
    assert "not-a-key-at-all" not in str(config.value)


def test_secret_keys_are_scrubbed_from_logs_and_credentials_hide_in_repr() -> None:
    key = Fernet.generate_key().decode()
    assert key in Settings.from_env({"TRADEOFF_SECRET_KEY": key}).secrets()
    assert "pat" not in repr(TrackerCredentials("github_pat_x", "me@example.com"))


def test_what_an_issue_becomes() -> None:
    debt = imported_fields(issue(labels=("Tech-Debt",), body="\n\nCI costs an hour\na day.\n\n"
                                 "More."), ("tech-debt", "debt"))
    assert (debt.kind, debt.impact) == (Kind.DEBT, "CI costs an hour a day.")
    empty = imported_fields(issue(labels=("debt",)), ("tech-debt", "debt"))
    assert empty.impact == "impact not quantified"
    feature = imported_fields(issue(title="  Dark   mode "), ("tech-debt",))
    assert (feature.kind, feature.title) == (Kind.FEATURE, "Dark mode")
    by_type = imported_fields(issue(issue_type="Tech Debt"), ("tech debt",))
    assert by_type.kind is Kind.DEBT
    long = imported_fields(issue(title="x" * 300, body="y" * 3000), ())
    assert len(long.title) == 200 and len(long.impact) == 2000
    assert first_paragraph("  \n\n") == ""
    assert parse_label_list(" debt, ,tech-debt,debt ") == ("debt", "tech-debt")


def test_what_a_tracker_change_does_to_its_item() -> None:
    kind = TrackerKind.GITHUB
    open_item = ItemState(Status.OPEN, "Flaky deploys", None)
    [close] = changes_for(open_item, issue(is_open=False, closed_by="octocat"), kind)
    assert (close.action, close.note) == (SyncAction.CLOSE, "closed in GitHub by octocat")
    [dropped] = changes_for(open_item, issue(is_open=False, closed_by="octocat",
                                             not_planned=True), kind)
    assert (dropped.action, dropped.closed_as) == (SyncAction.CLOSE, Status.DROPPED)
    assert dropped.note == "closed in GitHub as not planned by octocat"
    assert close.closed_as is Status.DONE
    planned = ItemState(Status.PLANNED, "Flaky deploys", None)
    assert changes_for(planned, issue(is_open=False), kind)[0].action is SyncAction.CLOSE
    by_tracker = ItemState(Status.DONE, "Flaky deploys", "tracker:github")
    assert changes_for(by_tracker, issue(), kind)[0].action is SyncAction.REOPEN
    by_slack = ItemState(Status.DONE, "Flaky deploys", "ULEAD")
    assert changes_for(by_slack, issue(), kind) == []
    assert changes_for(by_slack, issue(), kind, "mona", reopened=True)[0].note == (
        "reopened in GitHub by mona")
    [rename] = changes_for(open_item, issue(title="Flaky deploys on Fridays"), kind)
    assert rename.title == "Flaky deploys on Fridays"
    assert changes_for(open_item, issue(), kind) == []
    merged = ItemState(Status.MERGED, "Flaky deploys", "U1")
    assert changes_for(merged, issue(is_open=False), kind) == []
    assert actor_label("tracker:jira") == "Jira" and actor_label("U123") is None


def test_the_write_back_says_when_who_score_and_share() -> None:
    d1, f1 = ItemRef(Kind.DEBT, 1), ItemRef(Kind.FEATURE, 1)
    decision = Decision(7, "T", "C", "ULEAD", "UPM", 10, 20, WHEN,
                        (DecidedItem(d1, "Flaky", 2, 0, 2.5), DecidedItem(f1, "SSO", 3, 2, 1.0)))
    note = writeback_note(decision, d1, lead="Lena", pm="Pat", thread_url="https://s/x")
    assert note.marker == "decision-7-D-1"
    assert note.lines == (
        "Planned in Tradeoff on 2026-12-03 as D-1, 2 points.",
        "Agreed by the tech lead Lena and the PM Pat.",
        "Score 2.5; debt and bugs take 40% of this cycle's 5 planned points (budget 20%).",
    )
    assert (note.link_text, note.link_url) == ("The decision's Slack thread", "https://s/x")
