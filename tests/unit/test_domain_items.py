"""Item rules without Slack or SQL: ids, validation, ordering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.items import ItemRef, ItemValidationError, Kind, Size, Urgency, make_draft
from bot.domain.labels import age_label, votes_label


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


def test_labels() -> None:
    now = datetime(2026, 11, 26, tzinfo=UTC)
    assert [votes_label(n) for n in (0, 1, 2)] == ["0 votes", "1 vote", "2 votes"]
    assert age_label(now, now) == "new today"
    assert age_label(now - timedelta(days=1), now) == "1 day old"
    assert age_label(now - timedelta(days=30), now) == "4 weeks old"


def test_nul_characters_are_dropped_so_every_backend_can_store_the_text() -> None:
    draft = make_draft(Kind.DEBT, "a\x00b", "c\x00")
    assert (draft.title, draft.impact) == ("ab", "c")


@pytest.mark.parametrize(
    ("raw", "hours"), [("6", 6.0), ("2.5h", 2.5), (" 3,5 ", 3.5), ("", None), (None, None)]
)
def test_debt_interest_is_hours_per_week(raw: str | None, hours: float | None) -> None:
    assert make_draft(Kind.DEBT, "T", "I", interest=raw).interest == hours


@pytest.mark.parametrize("raw", ["lots", "-1", "169", "nan", "inf"])
def test_unusable_interest_is_explained(raw: str) -> None:
    with pytest.raises(ItemValidationError) as caught:
        make_draft(Kind.DEBT, "T", "I", interest=raw)
    assert "hours this debt costs per week" in caught.value.errors["interest"]


def test_features_have_no_interest() -> None:
    assert make_draft(Kind.FEATURE, "T", "V", interest="5").interest is None
