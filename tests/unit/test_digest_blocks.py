"""The digest as Block Kit: two ranked columns, the recommended pick and one reply per item, inside
Slack's limits and without live mentions whatever users typed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.channel_settings import MAX_REPLIES_PER_KIND, ChannelSettings
from bot.domain.decisions import DecisionSplit
from bot.domain.digest import Digest, compose_digest
from bot.domain.items import IMPACT_MAX, TITLE_MAX, Item, Kind, Size, Status, Urgency
from bot.slack.blocks.digest import parent_message, reply_message
from bot.slack.blocks.limits import (
    MAX_BLOCKS_PER_MESSAGE,
    MAX_FALLBACK_TEXT,
    MAX_HEADER_TEXT,
    MAX_SECTION_TEXT,
)
from tests.support.block_limits import limit_violations
from tests.support.builders import an_item
from tests.support.mentions import live_tokens

NOW = datetime(2027, 6, 9, 12, 0, tzinfo=UTC)  # a Wednesday
MAX_FIELD_TEXT = 2000
MAX_FIELDS_PER_SECTION = 10
MAX_CONTEXT_ELEMENTS = 10

Message = dict[str, Any]


def _item(
    kind: Kind,
    number: int,
    title: str = "An item",
    impact: str = "It matters",
    *,
    votes: int = 0,
    size: Size | None = Size.M,
    urgency: Urgency | None = None,
    interest: float | None = None,
    age: timedelta = timedelta(0),
    status: Status = Status.OPEN,
) -> Item:
    return an_item(
        kind, number, title=title, impact=impact, status=status, created_at=NOW - age,
        size=size, urgency=urgency, interest=interest, votes=votes,
    )


def _settings(**changes: object) -> ChannelSettings:
    return ChannelSettings("T1", "C1").with_changes(**changes)


def _violations(message: Message) -> list[str]:
    """Every Block Kit limit the message breaks, beyond the shared checker's."""
    problems = list(limit_violations(message))
    blocks: list[dict[str, Any]] = message.get("blocks", [])
    if not 1 <= len(blocks) <= MAX_BLOCKS_PER_MESSAGE:
        problems.append(f"{len(blocks)} blocks")
    if not 1 <= len(message.get("text", "")) <= MAX_FALLBACK_TEXT:
        problems.append("fallback text missing or too long")
    for index, block in enumerate(blocks):
        kind = block["type"]
        if kind == "header":
            text = block["text"]["text"]
            if not 1 <= len(text) <= MAX_HEADER_TEXT:
                problems.append(f"block {index}: header of {len(text)} chars")
        elif kind == "section":
            fields = block.get("fields", [])
            if "text" not in block and not fields:
                problems.append(f"block {index}: section with neither text nor fields")
            if "text" in block and not 1 <= len(block["text"]["text"]) <= MAX_SECTION_TEXT:
                problems.append(f"block {index}: section text of {len(block['text']['text'])}")
            if len(fields) > MAX_FIELDS_PER_SECTION:
                problems.append(f"block {index}: {len(fields)} fields")
            for field in fields:
                if not 1 <= len(field["text"]) <= MAX_FIELD_TEXT:
                    problems.append(f"block {index}: field of {len(field['text'])} chars")
        elif kind == "context":
            elements = block["elements"]
            if not 1 <= len(elements) <= MAX_CONTEXT_ELEMENTS:
                problems.append(f"block {index}: {len(elements)} context elements")
            for element in elements:
                if not 1 <= len(element["text"]) <= MAX_SECTION_TEXT:
                    problems.append(f"block {index}: context text of {len(element['text'])}")
        elif kind == "actions":
            for element in block["elements"]:
                options = element.get("options", [])
                if element["type"] == "overflow" and not 2 <= len(options) <= 5:
                    problems.append(f"block {index}: overflow with {len(options)} options")
        elif kind != "divider":
            problems.append(f"block {index}: unexpected {kind}")
    return problems


def _field_rows(message: Message) -> list[list[str]]:
    return [
        [field["text"] for field in block["fields"]]
        for block in message["blocks"]
        if block["type"] == "section" and "fields" in block
    ]


def _texts(message: Message) -> list[str]:
    """Every text of the message's sections and contexts, in order."""
    texts = []
    for block in message["blocks"]:
        if block["type"] == "section" and "text" in block:
            texts.append(block["text"]["text"])
        if block["type"] == "context":
            texts += [element["text"] for element in block["elements"]]
    return texts


def _plan_section(message: Message) -> str:
    [plan] = [t for t in _texts(message) if t.startswith("*Recommended for the next cycle*")]
    return plan


# The worst backlog -----------------------------------------------------------------------------

_NASTY = "&<!channel> <!here> <@U999> <#C123> <https://evil.example|click> &amp; <mailto:x@y> "


def _worst_backlog() -> list[Item]:
    title = (_NASTY * 10)[:TITLE_MAX]
    impact = (_NASTY * 40)[:IMPACT_MAX]
    assert (len(title), len(impact)) == (TITLE_MAX, IMPACT_MAX)
    sizes = [None, *Size]
    return [
        _item(
            kind, n, title, impact, votes=n % 7, size=sizes[n % len(sizes)],
            urgency=Urgency.HIGH, interest=168.0 if kind is Kind.DEBT else None,
            age=timedelta(days=n),
        )
        for kind in (Kind.DEBT, Kind.FEATURE)
        for n in range(1, 151)
    ]


def test_three_hundred_worst_case_items_fit_and_never_ping() -> None:
    digest = compose_digest(
        _worst_backlog(), _settings(replies_per_kind=MAX_REPLIES_PER_KIND, capacity=1000), NOW
    )

    parent = parent_message(digest)

    assert _violations(parent) == []
    assert live_tokens(parent) == []
    assert len(_field_rows(parent)) == 11  # the headings and ten rows
    assert "…and 280 more open items: see `/tradeoff list`." in _texts(parent)
    assert "150 debt, 150 features" in parent["text"]

    assert len(digest.thread_items) == 2 * MAX_REPLIES_PER_KIND
    for ranked in digest.thread_items:
        reply = reply_message(ranked, digest)
        assert _violations(reply) == [], ranked.item.ref
        assert live_tokens(reply) == [], ranked.item.ref
        assert reply["text"].startswith(f"{ranked.item.ref} ")


def test_the_worst_parent_still_says_where_the_rest_is() -> None:
    digest = compose_digest(_worst_backlog(), _settings(), NOW)

    parent = parent_message(digest)

    assert _violations(parent) == []
    assert (
        "The top 10 of each kind get a reply; the other 280 are in `/tradeoff list`."
        in " ".join(_texts(parent))
    )


def test_reply_names_its_item_in_the_fallback_text() -> None:
    digest = compose_digest(_worst_backlog(), _settings(), NOW)
    [d7] = [r for r in digest.debt if str(r.item.ref) == "D-7"]

    reply = reply_message(d7, digest)

    assert reply["text"].startswith("D-7 &amp;&lt;!channel&gt;")
    assert reply["text"].endswith(": react with :+1: to vote")
    assert "React with :+1: to vote for D-7." in _texts(reply)[-1]


# Two columns -----------------------------------------------------------------------------------


def _three_debt_one_feature() -> Digest:
    items = [
        _item(Kind.DEBT, 1, "Slow deploys", votes=1),
        _item(Kind.DEBT, 2, "Flaky tests", votes=9),
        _item(Kind.DEBT, 3, "Old ORM", votes=4),
        _item(Kind.FEATURE, 1, "Dark mode", votes=2),
    ]
    return compose_digest(items, _settings(), NOW)


def test_columns_put_debt_left_and_features_right_rank_by_rank() -> None:
    rows = _field_rows(parent_message(_three_debt_one_feature()))

    assert [len(row) for row in rows] == [2, 2, 2, 2]
    assert rows[0] == [
        "*Tech debt &amp; bugs* · business or user impact", "*Feature requests* · user value",
    ]
    assert rows[1][0].startswith("*1. D-2* Flaky tests\n")
    assert rows[1][1].startswith("*1. F-1* Dark mode\n")
    assert rows[2][0].startswith("*2. D-3* Old ORM\n")
    assert rows[3][0].startswith("*3. D-1* Slow deploys\n")
    assert rows[2][1] == "—"
    assert rows[3][1] == "—"
    assert rows[2][1] == "—"


def test_features_longer_than_debt_leave_the_left_cell_blank() -> None:
    items = [_item(Kind.FEATURE, n, f"Feature {n}", votes=10 - n) for n in (1, 2)]
    rows = _field_rows(parent_message(compose_digest(items, _settings(), NOW)))

    assert [row[0] for row in rows[1:]] == ["—", "—"]
    assert [row[1].split("\n")[0] for row in rows[1:]] == [
        "*1. F-1* Feature 1", "*2. F-2* Feature 2"
    ]


def test_columns_show_the_top_ten_in_rank_order() -> None:
    items = [_item(Kind.DEBT, n, f"Debt {n}", votes=100 - n) for n in range(1, 16)]
    items += [_item(Kind.FEATURE, n, f"Feature {n}", votes=100 - n) for n in range(1, 13)]

    rows = _field_rows(parent_message(compose_digest(items, _settings(), NOW)))

    assert len(rows) == 11
    for i, row in enumerate(rows[1:]):
        assert row[0].startswith(f"*{i + 1}. D-{i + 1}* Debt {i + 1}\n")
        assert row[1].startswith(f"*{i + 1}. F-{i + 1}* Feature {i + 1}\n")


# Cells -----------------------------------------------------------------------------------------


def test_a_cell_shows_id_title_impact_size_age_votes_and_score() -> None:
    long_impact = "Builds & deploys\nfail " + "x" * 1000
    items = [
        _item(
            Kind.DEBT, 7, "Flaky CI & <slow> builds", long_impact, votes=1, size=Size.L,
            urgency=Urgency.HIGH, interest=6.0, age=timedelta(days=3),
        ),
        _item(Kind.FEATURE, 2, "Dark mode", "Users ask", votes=2, size=None,
              age=timedelta(days=20)),
    ]
    digest = compose_digest(items, _settings(), NOW)

    rows = _field_rows(parent_message(digest))
    debt_cell, feature_cell = rows[1]

    clipped = "Builds &amp; deploys fail " + "x" * (299 - len("Builds &amp; deploys fail ")) + "…"
    assert len(clipped) == 300
    assert debt_cell == (
        "*1. D-7* Flaky CI &amp; &lt;slow&gt; builds\n"
        f"{clipped}\n"
        "size L · 3 days old · 1 vote · 6 h/week interest · *score 2.4*"
    )
    assert feature_cell == (
        "*1. F-2* Dark mode\nUsers ask\nunsized · 2 weeks old · 2 votes · *needs an estimate*"
    )


def test_cell_age_and_votes_wording() -> None:
    items = [
        _item(Kind.DEBT, 1, votes=0, size=Size.XS, age=timedelta(hours=5)),
        _item(Kind.FEATURE, 1, votes=14, size=Size.XL, age=timedelta(days=1)),
    ]
    digest = compose_digest(items, _settings(), NOW)
    debt_cell, feature_cell = _field_rows(parent_message(digest))[1]

    assert debt_cell.endswith("size XS · new today · 0 votes · impact not quantified · *score 1*")
    assert feature_cell.endswith("size XL · 1 day old · 14 votes · *score 1.9*")


def test_reply_shows_the_whole_item_and_its_arithmetic() -> None:
    items = [
        _item(Kind.DEBT, 7, "Flaky CI & builds", "Line one\nLine <two>", votes=1, size=Size.L,
              urgency=Urgency.HIGH, interest=6.0, age=timedelta(days=3)),
    ]
    digest = compose_digest(items, _settings(), NOW)

    reply = reply_message(digest.debt[0], digest)

    assert reply["text"] == "D-7 Flaky CI &amp; builds: react with :+1: to vote"
    assert _texts(reply) == [
        "*D-7* · #1 tech debt · score 2.4\n*Flaky CI &amp; builds*\n>Line one\n>Line &lt;two&gt;\n"
        "size L · 3 days old · 1 vote · 6 h/week interest",
        "React with :+1: to vote for D-7. (1 vote + 5 urgency + 6 h/week) ÷ 5 = 2.4",
    ]


# The recommended pick --------------------------------------------------------------------------


def test_pick_lists_exactly_the_plans_items_with_capacity_and_budget() -> None:
    items = [
        _item(Kind.DEBT, 1, "Retry queue", votes=9, size=Size.S),
        _item(Kind.DEBT, 2, "Log noise", votes=5, size=Size.XS),
        _item(Kind.DEBT, 3, "Rewrite", votes=90, size=Size.XL),
        _item(Kind.FEATURE, 1, "Export", votes=9, size=Size.L),
        _item(Kind.FEATURE, 2, "SSO", votes=3, size=Size.XL),
        _item(Kind.FEATURE, 3, "Tags", votes=1, size=Size.M),
        _item(Kind.FEATURE, 4, "Someday", votes=0, size=Size.XL),
    ]
    digest = compose_digest(items, _settings(capacity=20, budget_pct=20), NOW)

    plan = _plan_section(parent_message(digest))

    picked = [str(r.item.ref) for r in digest.plan.picked]
    # D-3 leads the debt but is too big for the 4-point budget; F-4 no longer fits in the end.
    assert picked == ["D-2", "D-1", "F-1", "F-3", "F-2"]
    assert re.findall(r"^• \*([DF]-\d+)\*", plan, flags=re.MULTILINE) == picked
    assert plan.startswith(
        "*Recommended for the next cycle* (capacity 20 points, debt budget 20% = 4 points)\n"
    )
    assert "• *D-1* Retry queue (2 pts, score 5)" in plan
    assert plan.endswith("\nDebt 3 pts · features 16 pts.")
    assert "Rewrite" not in plan
    assert "Someday" not in plan


def test_pick_states_a_fractional_budget() -> None:
    items = [_item(Kind.DEBT, 1, size=Size.XS), _item(Kind.FEATURE, 1, size=Size.XS)]
    digest = compose_digest(items, _settings(capacity=9, budget_pct=20), NOW)

    plan = _plan_section(parent_message(digest))

    assert "(capacity 9 points, debt budget 20% = 1.8 points)" in plan
    assert plan.endswith("\nDebt 1 pt · features 1 pt.")


def test_empty_pick_says_nothing_fits() -> None:
    items = [_item(Kind.DEBT, 1, size=Size.S), _item(Kind.FEATURE, 1, size=Size.XL)]
    digest = compose_digest(items, _settings(capacity=1, budget_pct=50), NOW)

    plan = _plan_section(parent_message(digest))

    assert digest.plan.picked == []
    assert plan == (
        "*Recommended for the next cycle* (capacity 1 point, debt budget 50% = 0.5 points)\n"
        "Nothing fits; split the items or raise `/tradeoff capacity`."
    )
    assert "•" not in plan


# The rest of the parent ------------------------------------------------------------------------


def test_parent_opens_with_the_week_and_the_counts() -> None:
    message = parent_message(_three_debt_one_feature())

    assert message["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Tradeoff digest · week of 07 Jun 2027"},
    }
    assert message["text"] == "Tradeoff digest · week of 07 Jun 2027: 3 debt, 1 features"
    assert _texts(message)[0] == (
        "3 tech debt · 1 feature requests open · capacity 20 points · debt budget 20%"
    )


def test_parent_explains_the_ranking_with_the_leader() -> None:
    message = parent_message(_three_debt_one_feature())

    why = [t for t in _texts(message) if t.startswith("Ranking:")]
    assert why == [
        "Ranking: score = cost of delay ÷ size, where cost of delay = votes + urgency "
        "(low 1, medium 3, high 5) + interest (hours lost per week). "
        "D-2 leads: (9 votes + 1 urgency) ÷ 3 = 3.3."
    ]


def test_parent_shows_the_decision_split() -> None:
    items = [_item(Kind.DEBT, 1)]
    without = parent_message(compose_digest(items, _settings(), NOW))
    split = DecisionSplit(decisions=4, debt_points=5, total_points=20)
    with_split = parent_message(compose_digest(items, _settings(budget_pct=30), NOW, split))

    assert "No decisions recorded yet in this channel." in _texts(without)
    assert "Last 4 decisions: debt 25% of planned size vs 30% budget." in _texts(with_split)


def test_small_backlog_has_no_more_items_line_and_a_short_thread_hint() -> None:
    message = parent_message(_three_debt_one_feature())

    assert not any("more open items" in t for t in _texts(message))
    assert _texts(message)[-1] == "Vote with :+1: on the items in this thread."


def test_empty_digest_is_a_short_friendly_message() -> None:
    digest = compose_digest([_item(Kind.DEBT, 1, status=Status.DONE)], _settings(), NOW)

    message = parent_message(digest)

    assert digest.is_empty
    assert _violations(message) == []
    assert len(message["blocks"]) == 2
    assert _field_rows(message) == []
    [text] = _texts(message)
    assert "`/debt`" in text
    assert "`/feature`" in text
    assert "`/tradeoff schedule quiet`" in text
    assert "Recommended" not in text
    assert message["text"] == "Tradeoff digest · week of 07 Jun 2027"


# Anything users type ---------------------------------------------------------------------------

# Plain random text rarely spells a mention; these pieces do, and long runs of `&` grow fivefold
# when escaped.
_PIECES = [
    "<!channel>", "<!here>", "<!everyone>", "<@U123>", "<@W9|bob>", "<#C1>", "<!subteam^S1>",
    "<https://evil.example|click>", "<mailto:a@b.c>", "&", "&amp;", "&lt;", "<", ">", "!", "@",
    "*", "_", "`", "~", "|", " ", "\n", "x", "é", "\U0001f600",
]
_markup = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=600).map("".join)
_long_runs = st.builds(
    lambda char, count: char * count, st.sampled_from(["&", "<", ">", "x", "\n"]),
    st.integers(min_value=1, max_value=IMPACT_MAX),
)
_titles = st.one_of(st.text(min_size=1, max_size=TITLE_MAX), _markup, _long_runs).map(
    lambda t: t[:TITLE_MAX]
)
_impacts = st.one_of(st.text(min_size=1, max_size=IMPACT_MAX), _markup, _long_runs).map(
    lambda t: t[:IMPACT_MAX]
)


@settings(deadline=None, max_examples=75, suppress_health_check=[HealthCheck.too_slow])
@given(
    entries=st.lists(
        st.tuples(st.sampled_from(list(Kind)), _titles, _impacts), min_size=1, max_size=14
    ),
    replies=st.integers(min_value=1, max_value=MAX_REPLIES_PER_KIND),
)
def test_any_text_fits_and_never_pings(
    entries: list[tuple[Kind, str, str]], replies: int
) -> None:
    items = [
        _item(kind, n, title, impact, votes=n % 4, size=None if n % 3 else Size.S)
        for n, (kind, title, impact) in enumerate(entries, start=1)
    ]
    digest = compose_digest(items, _settings(replies_per_kind=replies, capacity=1000), NOW)

    parent = parent_message(digest)

    assert _violations(parent) == []
    assert live_tokens(parent) == []
    for ranked in digest.thread_items:
        reply = reply_message(ranked, digest)
        assert _violations(reply) == []
        assert live_tokens(reply) == []
        assert reply["text"].startswith(f"{ranked.item.ref} ")


# Long picks ------------------------------------------------------------------------------------


def test_pick_of_twenty_long_titles_at_default_capacity_keeps_its_totals() -> None:
    items = [_item(Kind.FEATURE, n, "T" * TITLE_MAX, votes=100 - n, size=Size.XS)
             for n in range(1, 21)]
    digest = compose_digest(items, _settings(), NOW)
    assert len(digest.plan.picked) == 20

    plan = _plan_section(parent_message(digest))

    assert re.findall(r"^• \*(F-\d+)\*", plan, flags=re.MULTILINE) == [
        f"F-{n}" for n in range(1, 21)
    ]
    assert plan.endswith("\nDebt 0 pts · features 20 pts.")


def test_pick_too_long_for_one_section_says_what_it_left_out() -> None:
    items = [_item(Kind.FEATURE, n, f"Feature {n} " + "&" * 60, votes=100 - n, size=Size.XS)
             for n in range(1, 41)]
    digest = compose_digest(items, _settings(capacity=100), NOW)
    assert len(digest.plan.picked) == 40

    plan = _plan_section(parent_message(digest))

    listed = re.findall(r"^• \*(F-\d+)\*", plan, flags=re.MULTILINE)
    assert listed == [f"F-{n}" for n in range(1, len(listed) + 1)]
    assert len(listed) == 40 or f"{40 - len(listed)} more" in plan
    assert plan.endswith("\nDebt 0 pts · features 40 pts.")
