"""Item rules without Slack or SQL: ids, validation, ordering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.items import (
    Item,
    ItemRef,
    ItemValidationError,
    Kind,
    Size,
    Status,
    Urgency,
    make_draft,
)
from bot.domain.side_by_side import age_label, side_by_side, votes_label


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("D-3", ItemRef(Kind.DEBT, 3)),
        ("d3", ItemRef(Kind.DEBT, 3)),
        ("#F-12", ItemRef(Kind.FEATURE, 12)),
        (" f-7 ", ItemRef(Kind.FEATURE, 7)),
        ("D-0", None),
        ("X-1", None),
        ("D-", None),
        ("D-1-2", None),
        ("", None),
        ("<!channel>", None),
    ],
)
def test_item_ref_parsing(text: str, expected: ItemRef | None) -> None:
    assert ItemRef.parse(text) == expected


def test_item_ref_prints_as_users_type_it() -> None:
    assert str(ItemRef(Kind.DEBT, 42)) == "D-42"
    assert str(ItemRef(Kind.FEATURE, 1)) == "F-1"


def test_draft_trims_and_parses_optional_fields() -> None:
    draft = make_draft(
        Kind.DEBT, "  Title ", " Impact ", size="l", urgency="HIGH", area=" api ", link=""
    )
    assert (draft.title, draft.impact, draft.area, draft.link) == ("Title", "Impact", "api", None)
    assert (draft.size, draft.urgency) == (Size.L, Urgency.HIGH)


def test_draft_collects_every_problem_at_once() -> None:
    with pytest.raises(ItemValidationError) as caught:
        make_draft(
            Kind.FEATURE, "", "", size="XXL", urgency="now", area="a" * 101, link="javascript:x"
        )
    assert set(caught.value.errors) == {"title", "impact", "size", "urgency", "area", "link"}
    assert "user value" in caught.value.errors["impact"]


def test_debt_asks_for_business_impact() -> None:
    with pytest.raises(ItemValidationError) as caught:
        make_draft(Kind.DEBT, "T", None)
    assert "business impact" in caught.value.errors["impact"]


def _item(number: int, votes: int, urgency: Urgency | None, days_old: int, kind: Kind) -> Item:
    now = datetime(2026, 11, 26, tzinfo=UTC)
    created = now - timedelta(days=days_old)
    return Item(
        ref=ItemRef(kind, number), team_id="T", channel_id="C", title=f"{number}",
        impact="i", author_id="U", status=Status.OPEN, created_at=created,
        updated_at=created, urgency=urgency, votes=votes,
    )


def test_side_by_side_orders_by_votes_then_urgency_then_age() -> None:
    items = [
        _item(1, 1, Urgency.LOW, 1, Kind.DEBT),
        _item(2, 3, None, 1, Kind.DEBT),
        _item(3, 1, Urgency.HIGH, 1, Kind.DEBT),
        _item(4, 1, Urgency.HIGH, 9, Kind.DEBT),
        _item(1, 0, None, 0, Kind.FEATURE),
    ]
    view = side_by_side(items)
    assert [i.ref.number for i in view.debt] == [2, 4, 3, 1]
    assert [str(i.ref) for i in view.features] == ["F-1"]


def test_labels() -> None:
    now = datetime(2026, 11, 26, tzinfo=UTC)
    assert [votes_label(n) for n in (0, 1, 2)] == ["0 votes", "1 vote", "2 votes"]
    assert age_label(now, now) == "new today"
    assert age_label(now - timedelta(days=1), now) == "1 day old"
    assert age_label(now - timedelta(days=30), now) == "4 weeks old"
