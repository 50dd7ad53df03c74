"""The rules for bugs, without Slack or SQL: ids, fields, score, the pick, merging, health and
trends."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.charts import HEIGHT_PX, WIDTH_PX, render_trends_png
from bot.domain.backlog_health import check_health
from bot.domain.channel_settings import ChannelSettings
from bot.domain.decisions import DecidedItem, Decision
from bot.domain.digest import compose_digest
from bot.domain.items import (
    Item,
    ItemRef,
    ItemValidationError,
    Kind,
    Severity,
    Size,
    Urgency,
    make_draft,
    merge_refusal,
)
from bot.domain.kinds import NON_FEATURE
from bot.domain.scoring import score
from bot.domain.trends import compute_trends
from tests.support.builders import an_item
from tests.support.png import png_size

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
# The team, channel, author and time every item of these tests shares.
_HERE: dict[str, Any] = {"team_id": "T", "channel_id": "C", "author_id": "U", "created_at": NOW}


def _bug(number: int = 1, **fields: Any) -> Item:
    values = {**_HERE, "title": f"Bug {number}", "impact": "users hurt", **fields}
    return an_item(Kind.BUG, number, **values)


def test_bug_ids_read_and_print_like_the_others() -> None:
    assert ItemRef.parse("B-12") == ItemRef(Kind.BUG, 12)
    assert ItemRef.parse("#b3") == ItemRef(Kind.BUG, 3)
    assert str(ItemRef(Kind.BUG, 7)) == "B-7"
    assert ItemRef.parse("X-1") is None
    assert {Kind.BUG, Kind.DEBT} == NON_FEATURE
    assert (Kind.BUG.is_feature, Kind.DEBT.is_feature, Kind.FEATURE.is_feature) == (
        False, False, True,
    )


def test_a_bug_draft_has_severity_and_affected_users_instead_of_urgency() -> None:
    draft = make_draft(Kind.BUG, "Crash", "users hurt", severity="Critical", affected="1,500",
                       urgency="high", interest="6")
    assert (draft.severity, draft.affected_per_week) == (Severity.CRITICAL, 1500.0)
    assert (draft.urgency, draft.interest) == (None, None)
    assert make_draft(Kind.BUG, "Crash", "x", affected="2.5 per week").affected_per_week == 2.5
    debt = make_draft(Kind.DEBT, "Old", "hours", severity="critical", affected="9")
    assert (debt.severity, debt.affected_per_week) == (None, None)


@pytest.mark.parametrize("affected", ["lots", "-3", "1e9x", "2,5", "10000000000"])
def test_a_bad_affected_figure_is_refused(affected: str) -> None:
    with pytest.raises(ItemValidationError) as raised:
        make_draft(Kind.BUG, "Crash", "users hurt", affected=affected)
    assert set(raised.value.errors) == {"affected"}


def test_unknown_severity_is_refused() -> None:
    with pytest.raises(ItemValidationError) as raised:
        make_draft(Kind.BUG, "Crash", "users hurt", severity="blocker")
    assert "low, medium, high, critical" in raised.value.errors["severity"]


def test_a_bugs_cost_of_delay_is_votes_plus_severity_plus_affected_users() -> None:
    s = score(_bug(votes=2, severity=Severity.CRITICAL, affected_per_week=12.0, size=Size.M))
    assert (s.votes, s.urgency_weight, s.interest, s.size_points) == (2, 8, 12.0, 3)
    assert s.value == round(22 / 3, 1)
    assert s.explain() == "(2 votes + 8 severity + 12 affected/week) ÷ 3 = 7.3"
    weights = [score(_bug(severity=level, size=Size.XS)).urgency_weight for level in Severity]
    assert weights == [1, 3, 5, 8]
    untriaged = score(_bug(size=Size.XS, urgency=Urgency.HIGH, interest=50.0))
    assert (untriaged.urgency_weight, untriaged.interest) == (1, 0.0)  # neither counts


def test_bugs_share_the_non_feature_budget_with_debt() -> None:
    items = [
        _bug(1, severity=Severity.CRITICAL, size=Size.S),
        an_item(Kind.DEBT, 1, title="Old", impact="i", size=Size.S, urgency=Urgency.HIGH,
                **_HERE),
        an_item(Kind.FEATURE, 1, title="SSO", impact="i", size=Size.S, **_HERE),
    ]
    # 20% of 20 points is 4: the bug (8 ÷ 2 = 4) and the debt (5 ÷ 2 = 2.5) both fit.
    digest = compose_digest(items, ChannelSettings("T", "C"), NOW)
    assert [str(r.item.ref) for r in digest.debt] == ["B-1", "D-1"]
    assert [str(r.item.ref) for r in digest.plan.picked] == ["B-1", "D-1", "F-1"]
    assert (digest.plan.debt_points, digest.plan.feature_points) == (4, 2)
    # 50% of 4 points reserves 2: the bug takes them, the feature the rest, no room for D-1.
    tight = compose_digest(
        items, ChannelSettings("T", "C").with_changes(budget_pct=50, capacity=4), NOW
    )
    assert [str(r.item.ref) for r in tight.plan.picked] == ["B-1", "F-1"]


def test_bugs_merge_with_debt_but_not_with_features() -> None:
    bug, debt, feature = ItemRef(Kind.BUG, 1), ItemRef(Kind.DEBT, 1), ItemRef(Kind.FEATURE, 1)
    assert merge_refusal(bug, debt) is None and merge_refusal(debt, bug) is None
    assert merge_refusal(bug, ItemRef(Kind.BUG, 2)) is None
    assert merge_refusal(debt, feature) is None  # as before bugs existed
    assert "a bug merges only into a bug or a tech debt item" in (
        merge_refusal(bug, feature) or ""
    )
    assert merge_refusal(feature, bug) is not None


def test_health_calls_bugs_without_severity_not_triaged_and_pairs_only_mergeable_kinds() -> None:
    crash = _bug(1, title="Checkout crashes on Safari")
    triaged = _bug(2, severity=Severity.LOW, title="Slow search")
    feature = an_item(Kind.FEATURE, 1, title="Checkout crashes on Safari", impact="i", **_HERE)
    health = check_health([crash, triaged, feature], NOW)
    assert health.untriaged == [crash]
    assert health.duplicates == []  # a bug and a feature request cannot be merged
    assert not health.is_healthy


def _decision(days_ago: int, *items: tuple[Kind, int]) -> Decision:
    decided = tuple(DecidedItem(ItemRef(kind, n), "t", points, 0, 1.0)
                    for n, (kind, points) in enumerate(items, start=1))
    return Decision(1, "T", "C", "UL", "UP", 20, 20, NOW - timedelta(days=days_ago), decided)


def test_trends_tell_bugs_and_debt_apart_inside_the_non_feature_share() -> None:
    decisions = [
        _decision(7, (Kind.DEBT, 2), (Kind.BUG, 3), (Kind.FEATURE, 5)),
        _decision(14, (Kind.DEBT, 1), (Kind.FEATURE, 9)),
    ]
    items = [replace(_bug(1, created_at=NOW - timedelta(days=20)), updated_at=NOW)]

    trends = compute_trends(items, decisions, budget_pct=20, now=NOW, weeks=4)

    assert [(d.debt_share_pct, d.bug_share_pct) for d in trends.decisions] == [(10, 0), (50, 30)]
    assert (trends.debt_points, trends.bug_points, trends.planned_points) == (6, 3, 20)
    assert (trends.points[-1].open_bugs, trends.points[-1].open_debt) == (1, 0)
    assert trends.summary() == (
        "Debt and bugs got 30 % of planned size over 4 weeks against a 20 % budget (6 of 20 "
        "points, 3 of them bugs, in 2 decisions); 0 debt items older than 90 days."
    )
    png = render_trends_png(trends, title="t")
    assert png_size(png) == (WIDTH_PX, HEIGHT_PX)
    assert png == render_trends_png(trends, title="t")
    without_bugs = compute_trends([], decisions[1:], budget_pct=20, now=NOW, weeks=4)
    assert render_trends_png(without_bugs, title="t") != png
