"""Replies stay inside Slack's Block Kit limits however big the backlog or the text."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.items import IMPACT_MAX, TITLE_MAX, Item, Kind
from bot.slack.blocks.item_modal import ModalContext, item_modal
from bot.slack.blocks.limits import MAX_BLOCKS_PER_VIEW, MAX_PRIVATE_METADATA, MAX_VIEW_TITLE
from bot.slack.blocks.replies import item_logged_reply, list_reply
from tests.support.block_limits import limit_violations
from tests.support.builders import an_item
from tests.support.mentions import live_tokens

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def _item(kind: Kind, number: int, title: str, impact: str = "i", votes: int = 0) -> Item:
    return an_item(kind, number, title=title, impact=impact, created_at=NOW, votes=votes)


def test_list_of_300_long_items_fits_and_says_what_it_left_out() -> None:
    items = [_item(Kind.DEBT, n, "&" * TITLE_MAX) for n in range(1, 151)]
    items += [_item(Kind.FEATURE, n, "t" * TITLE_MAX) for n in range(1, 151)]

    reply = list_reply(items)

    assert limit_violations(reply) == []
    assert "more lines not shown" in reply["blocks"][-1]["text"]["text"]


def test_list_of_300_short_items_shows_all_of_them() -> None:
    items = [_item(Kind.DEBT, n, f"Debt {n}") for n in range(1, 151)]
    items += [_item(Kind.FEATURE, n, f"Feature {n}", votes=1) for n in range(1, 151)]

    reply = list_reply(items)

    assert limit_violations(reply) == []
    text = "\n".join(b["text"]["text"] for b in reply["blocks"])
    assert text.count("\nD-") + text.count("\nF-") == 300
    assert "F-150  Feature 150 · 1 vote" in text


@given(
    title=st.text(min_size=1, max_size=TITLE_MAX),
    impact=st.text(min_size=1, max_size=IMPACT_MAX),
)
def test_confirmation_of_any_item_fits_and_never_pings(title: str, impact: str) -> None:
    reply = item_logged_reply(_item(Kind.DEBT, 1, title, impact))
    assert limit_violations(reply) == []
    assert live_tokens(reply) == []


def test_worst_case_confirmation_is_clipped_not_rejected() -> None:
    reply = item_logged_reply(_item(Kind.DEBT, 1, "<" * TITLE_MAX, "&" * IMPACT_MAX))
    assert limit_violations(reply) == []


def test_modal_fits_view_limits() -> None:
    long_url = "https://hooks.slack.com/commands/T111/" + "9" * 200
    for kind in Kind:
        view = item_modal(ModalContext(kind, "C111", long_url), title="x" * 500, notice="n")
        assert len(view["title"]["text"]) <= MAX_VIEW_TITLE
        assert len(view["blocks"]) <= MAX_BLOCKS_PER_VIEW
        assert len(view["private_metadata"]) <= MAX_PRIVATE_METADATA
        title_element = view["blocks"][1]["element"]
        assert len(title_element["initial_value"]) <= title_element["max_length"]
