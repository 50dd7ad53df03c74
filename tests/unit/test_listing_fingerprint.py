"""A kept `/tradeoff list` is only right while its fingerprint covers every field the list
shows: change any field of an item, and the list either stays the same or the field's column
is in LISTED_COLUMNS."""

from __future__ import annotations

import dataclasses
import enum
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.domain.items import Confidence, Item, ItemRef, Kind, Severity, Size, Status, Urgency
from bot.slack.blocks.replies import list_reply
from bot.store.listing_fingerprint import LISTED_COLUMNS

NOW = datetime(2026, 12, 1, tzinfo=UTC)

# Fields that are not one column of the items table, and what covers them instead.
COVERED_OTHERWISE = {"ref": "kind and number", "votes": "the votes", "voters": "the votes"}


def _item(kind: Kind) -> Item:
    return Item(
        ref=ItemRef(kind, 3), team_id="T1", channel_id="C1", title="Flaky tests",
        impact="Deploys stall", author_id="U1", status=Status.OPEN, created_at=NOW,
        updated_at=NOW, size=Size.S, urgency=Urgency.HIGH, area="ci",
        link="https://github.com/acme/shop/issues/12", closed_at=None, closed_by=None,
        interest=2.0, merged_into=None, size_confidence=Confidence.HIGH,
        severity=Severity.HIGH, affected_per_week=40.0, tracker_ref="acme/shop#12", votes=2,
        voters=["U2", "U3"],
    )


def _other(value: Any, name: str) -> Any:
    if name == "ref":
        return ItemRef(value.kind, value.number + 1)
    if name == "merged_into":
        return ItemRef(Kind.DEBT, 9)
    if isinstance(value, enum.Enum):
        return next(member for member in type(value) if member is not value)
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, datetime):
        return value + timedelta(days=1)
    if isinstance(value, list):
        return [*value, "U9"]
    if value is None:
        return NOW if name.endswith("_at") else "U9"
    return f"{value} changed"


@pytest.mark.parametrize("kind", list(Kind))
def test_every_field_the_list_shows_is_in_the_fingerprint(kind: Kind) -> None:
    item = _item(kind)
    shown_by = []
    for field in dataclasses.fields(Item):
        changed = dataclasses.replace(item, **{field.name: _other(getattr(item, field.name),
                                                                  field.name)})
        if any(list_reply([changed], votes_hidden=hidden) != list_reply([item],
                                                                        votes_hidden=hidden)
               for hidden in (False, True)):
            shown_by.append(field.name)
    assert "title" in shown_by and "votes" in shown_by  # the check sees a change at all
    missing = [name for name in shown_by
               if name not in LISTED_COLUMNS and name not in COVERED_OTHERWISE]
    assert not missing, f"the list shows {missing} but its fingerprint leaves them out"
