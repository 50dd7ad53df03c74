"""Scoring, ranking, the recommended pick and the digest as data: pure rules, no Slack, no SQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.channel_settings import ChannelSettings, WeeklySlot
from bot.domain.decisions import DecisionSplit, debt_share_pct
from bot.domain.digest import PARENT_ITEMS_PER_KIND, compose_digest
from bot.domain.items import Item, Kind, Size, Status, Urgency
from bot.domain.planning import recommend
from bot.domain.scoring import RULE, Ranked, rank, score
from tests.support.builders import an_item

NOW = datetime(2027, 6, 13, 20, 0, tzinfo=UTC)  # a Sunday, 20:00 UTC
BASE = datetime(2027, 1, 1, tzinfo=UTC)


def _item(
    kind: Kind = Kind.DEBT,
    number: int = 1,
    *,
    votes: int = 0,
    size: Size | None = None,
    urgency: Urgency | None = None,
    interest: float | None = None,
    created_at: datetime = BASE,
    status: Status = Status.OPEN,
    title: str = "An item",
) -> Item:
    return an_item(
        kind, number, title=title, status=status, created_at=created_at, size=size,
        urgency=urgency, interest=interest, votes=votes,
    )


def _refs(ranked: list[Ranked]) -> list[str]:
    return [str(r.item.ref) for r in ranked]


def _settings(**changes: object) -> ChannelSettings:
    return ChannelSettings("T1", "C1").with_changes(**changes)


# score() ---------------------------------------------------------------------------------------


def test_score_of_the_documented_example() -> None:
    s = score(_item(votes=5, urgency=Urgency.HIGH, interest=6.0, size=Size.M))

    assert (s.votes, s.urgency_weight, s.interest, s.size_points) == (5, 5, 6.0, 3)
    assert s.size_assumed is False
    assert s.cost_of_delay == 16
    assert s.value == 5.3
    assert s.explain() == "(5 votes + 5 urgency + 6 h/week) ÷ 3 = 5.3"


@pytest.mark.parametrize(
    ("urgency", "weight"),
    [(None, 1), (Urgency.LOW, 1), (Urgency.MEDIUM, 3), (Urgency.HIGH, 5)],
)
def test_urgency_weights(urgency: Urgency | None, weight: int) -> None:
    s = score(_item(urgency=urgency, size=Size.XS))

    assert s.urgency_weight == weight
    assert s.cost_of_delay == weight
    assert s.value == weight


@pytest.mark.parametrize(
    ("size", "points", "value", "shown"),
    [
        (Size.XS, 1, 40.0, "40"),
        (Size.S, 2, 20.0, "20"),
        (Size.M, 3, 13.3, "13.3"),
        (Size.L, 5, 8.0, "8"),
        (Size.XL, 8, 5.0, "5"),
    ],
)
def test_size_points(size: Size, points: int, value: float, shown: str) -> None:
    s = score(_item(votes=39, size=size))  # cost of delay 39 + 1 = 40

    assert s.size_points == points
    assert s.size_assumed is False
    assert s.value == value
    assert s.explain() == f"(39 votes + 1 urgency) ÷ {points} = {shown}"


def test_an_unsized_item_is_not_scored_and_says_why() -> None:
    s = score(_item(votes=2, urgency=Urgency.MEDIUM))

    assert s.size_assumed is True and s.estimated is False
    assert s.label() == "needs an estimate"
    assert s.explain() == (
        "(2 votes + 3 urgency) ÷ size: not scored until a lead estimates its size"
    )


def test_unsized_items_rank_after_every_estimated_one_and_are_never_picked() -> None:
    unsized = _item(Kind.FEATURE, 1, votes=40, urgency=Urgency.HIGH)
    small = _item(Kind.FEATURE, 2, votes=0, size=Size.XL)

    ranked = rank([unsized, small])

    assert [r.item.ref.number for r in ranked] == [2, 1]
    assert recommend([], ranked, 100, 0).picked == [ranked[0]]


@pytest.mark.parametrize(
    ("votes", "urgency", "interest", "size", "value", "explained"),
    [
        (0, None, None, Size.XS, 1.0, "(0 votes + 1 urgency) ÷ 1 = 1"),
        (1, Urgency.LOW, None, Size.S, 1.0, "(1 vote + 1 urgency) ÷ 2 = 1"),
        (3, Urgency.MEDIUM, 2.5, Size.L, 1.7, "(3 votes + 3 urgency + 2.5 h/week) ÷ 5 = 1.7"),
        (10, Urgency.HIGH, 0.0, Size.XL, 1.9, "(10 votes + 5 urgency) ÷ 8 = 1.9"),
        (0, Urgency.HIGH, 168.0, Size.XS, 173.0, "(0 votes + 5 urgency + 168 h/week) ÷ 1 = 173"),
        (4, None, None, Size.M, 1.7, "(4 votes + 1 urgency) ÷ 3 = 1.7"),
    ],
)
def test_score_examples(
    votes: int,
    urgency: Urgency | None,
    interest: float | None,
    size: Size,
    value: float,
    explained: str,
) -> None:
    s = score(_item(votes=votes, urgency=urgency, interest=interest, size=size))

    assert s.value == value
    assert s.explain() == explained


def test_interest_counts_for_debt_cost_of_delay() -> None:
    without = score(_item(size=Size.S))
    with_interest = score(_item(size=Size.S, interest=7.0))

    assert without.value == 0.5
    assert with_interest.value == 4.0
    assert with_interest.cost_of_delay - without.cost_of_delay == 7.0


def test_rule_states_the_weights() -> None:
    assert "votes + urgency" in RULE
    assert "low 1, medium 3, high 5" in RULE
    assert "interest" in RULE


# rank() ----------------------------------------------------------------------------------------


def test_rank_puts_the_best_score_first_with_consecutive_ranks() -> None:
    items = [
        _item(number=1, votes=3, size=Size.XL),  # 4/8 = 0.5
        _item(number=2, votes=9, size=Size.XS),  # 10
        _item(number=3, votes=2, size=Size.M),  # 1
        _item(number=4, urgency=Urgency.HIGH, interest=4.0, size=Size.S),  # 4.5
    ]

    ranked = rank(items)

    assert _refs(ranked) == ["D-2", "D-4", "D-3", "D-1"]
    assert [r.rank for r in ranked] == [1, 2, 3, 4]
    assert [r.score.value for r in ranked] == [10.0, 4.5, 1.0, 0.5]


def test_rank_breaks_ties_by_age_oldest_first() -> None:
    # 6/3 and 2/1 are the same score exactly; the input order is newest first on purpose.
    newest = _item(number=1, votes=5, size=Size.M, created_at=BASE + timedelta(days=2))
    middle = _item(number=2, votes=1, size=Size.XS, created_at=BASE + timedelta(days=1))
    oldest = _item(number=3, votes=9, size=Size.L, created_at=BASE)  # 10/5
    best = _item(number=4, votes=20, size=Size.XS, created_at=BASE + timedelta(days=9))

    ranked = rank([newest, middle, oldest, best])

    assert _refs(ranked) == ["D-4", "D-3", "D-2", "D-1"]
    assert [r.rank for r in ranked] == [1, 2, 3, 4]


def test_rank_orders_by_exact_score_not_the_rounded_one_shown() -> None:
    # Both show 1.7, but 13.6/8 = 1.7 is more than 5/3 = 1.667, so the newer one leads: the
    # age tie-break only applies to scores that are exactly equal.
    older = _item(number=1, votes=4, size=Size.M, created_at=BASE)
    newer = _item(number=2, interest=12.6, size=Size.XL, created_at=BASE + timedelta(days=30))

    ranked = rank([older, newer])

    assert [r.score.value for r in ranked] == [1.7, 1.7]
    assert _refs(ranked) == ["D-2", "D-1"]


def test_rank_of_nothing_is_empty() -> None:
    assert rank([]) == []


def test_rank_accepts_a_generator_and_keeps_every_item() -> None:
    ranked = rank(_item(number=n, votes=n, size=Size.XS) for n in range(1, 31))

    assert [r.rank for r in ranked] == list(range(1, 31))
    assert _refs(ranked) == [f"D-{n}" for n in range(30, 0, -1)]


# recommend() -----------------------------------------------------------------------------------


def _ranked(kind: Kind, sizes: list[Size]) -> list[Ranked]:
    """Items already in rank order: earlier sizes get more votes so they score higher."""
    items = [
        _item(kind, n, votes=10 ** (len(sizes) - n + 1), size=size)
        for n, size in enumerate(sizes, start=1)
    ]
    ranked = rank(items)
    assert _refs(ranked) == [f"{kind.prefix}-{n}" for n in range(1, len(sizes) + 1)]
    return ranked


def test_debt_budget_is_a_share_of_capacity() -> None:
    plan = recommend([], [], capacity=20, budget_pct=20)
    assert plan.debt_budget == 4.0
    assert recommend([], [], capacity=15, budget_pct=30).debt_budget == 4.5
    assert recommend([], [], capacity=20, budget_pct=0).debt_budget == 0.0
    assert plan.picked == []
    assert (plan.debt_points, plan.feature_points) == (0, 0)


def test_best_debt_that_fits_then_features_fill_the_rest() -> None:
    debt = _ranked(Kind.DEBT, [Size.S, Size.S, Size.XS])  # budget 4: D-1 and D-2
    features = _ranked(Kind.FEATURE, [Size.XL, Size.L, Size.M, Size.XS])

    plan = recommend(debt, features, capacity=20, budget_pct=20)

    # 16 points left: F-1 (8) and F-2 (5) make 13, F-3 (3) makes 16, F-4 (1) does not fit.
    assert _refs(plan.picked) == ["D-1", "D-2", "F-1", "F-2", "F-3"]
    assert (plan.debt_points, plan.feature_points) == (4, 16)
    assert (plan.capacity, plan.budget_pct) == (20, 20)


def test_a_debt_item_too_big_for_the_budget_is_skipped_not_blocking() -> None:
    debt = _ranked(Kind.DEBT, [Size.XL, Size.L, Size.S, Size.XS, Size.XS])
    features = _ranked(Kind.FEATURE, [Size.XL, Size.XL])  # exactly the 16 points left

    plan = recommend(debt, features, capacity=20, budget_pct=20)

    assert _refs(plan.picked) == ["D-3", "D-4", "D-5", "F-1", "F-2"]
    assert plan.debt_points == 4


def test_capacity_the_features_leave_goes_to_the_best_debt_that_fits() -> None:
    debt = _ranked(Kind.DEBT, [Size.XL, Size.L, Size.S, Size.XS, Size.XS])

    plan = recommend(debt, [], capacity=20, budget_pct=20)

    # The 4 reserved points take D-3, D-4 and D-5; the 16 nobody else wants take D-1 (8) and
    # D-2 (5). The budget reserves room for debt, it does not cap it.
    assert _refs(plan.picked) == ["D-1", "D-2", "D-3", "D-4", "D-5"]
    assert (plan.debt_points, plan.unused_points) == (17, 3)
    assert plan.idle_reason() == (
        "3 points left unused: no open item with a size fits in what is left."
    )


def test_leftover_capacity_goes_to_the_best_ranked_item_that_fits() -> None:
    debt = rank([
        _item(Kind.DEBT, 1, votes=0, size=Size.M),  # 1 ÷ 3 = 0.3
        _item(Kind.DEBT, 2, votes=11, size=Size.S),  # 12 ÷ 2 = 6
    ])
    features = rank([
        _item(Kind.FEATURE, 1, votes=17, size=Size.L),  # 18 ÷ 5 = 3.6, fills the rest
        _item(Kind.FEATURE, 2, votes=2, size=Size.M),  # 3 ÷ 3 = 1
    ])

    plan = recommend(debt, features, capacity=10, budget_pct=20)

    # Reserved 2: D-2. Features' 8: F-1 (5), then F-2 (3) fills it exactly; D-1 waits.
    assert _refs(plan.picked) == ["D-2", "F-1", "F-2"]
    assert plan.idle_reason() is None

    plan = recommend(debt, features, capacity=13, budget_pct=20)

    # 2.6 reserved: D-2. Features take 8 of 11; the 3 left go to D-1, the only one that fits.
    assert _refs(plan.picked) == ["D-2", "D-1", "F-1", "F-2"]
    assert plan.unused_points == 0


def test_the_reason_for_idle_capacity_counts_the_unsized_items() -> None:
    features = rank([_item(Kind.FEATURE, 1, size=Size.XS), _item(Kind.FEATURE, 2)])

    plan = recommend([], features, capacity=4, budget_pct=20)

    assert plan.idle_reason() == (
        "3 points left unused: no open item with a size fits in what is left; "
        "1 unsized item waits for an estimate."
    )


def test_unused_debt_budget_goes_to_features() -> None:
    debt = _ranked(Kind.DEBT, [Size.XS])  # 1 of a 4-point budget
    features = _ranked(Kind.FEATURE, [Size.XL, Size.XL, Size.S, Size.XS])

    plan = recommend(debt, features, capacity=20, budget_pct=20)

    # 19 left for features: 8 + 8 + 2 + 1 = 19, which only fits because the 3 debt points
    # nobody used were handed over.
    assert _refs(plan.picked) == ["D-1", "F-1", "F-2", "F-3", "F-4"]
    assert (plan.debt_points, plan.feature_points) == (1, 19)


def test_zero_budget_reserves_nothing_for_debt() -> None:
    debt = _ranked(Kind.DEBT, [Size.XS, Size.XS])
    features = _ranked(Kind.FEATURE, [Size.XL, Size.XL, Size.S, Size.XS, Size.XS])

    plan = recommend(debt, features, capacity=20, budget_pct=0)

    assert _refs(plan.picked) == ["F-1", "F-2", "F-3", "F-4", "F-5"]
    assert plan.debt_points == 0


def test_zero_budget_still_lets_debt_use_what_features_leave() -> None:
    debt = _ranked(Kind.DEBT, [Size.XS, Size.XS])
    features = _ranked(Kind.FEATURE, [Size.XS, Size.XS])

    plan = recommend(debt, features, capacity=20, budget_pct=0)

    assert _refs(plan.picked) == ["D-1", "D-2", "F-1", "F-2"]
    assert (plan.debt_points, plan.feature_points, plan.unused_points) == (2, 2, 16)


def test_fractional_budget_rounds_nothing_up() -> None:
    debt = _ranked(Kind.DEBT, [Size.S, Size.XS])

    features = _ranked(Kind.FEATURE, [Size.XL])  # the 8 points left

    plan = recommend(debt, features, capacity=9, budget_pct=20)  # 1.8 points

    assert _refs(plan.picked) == ["D-2", "F-1"]


def test_nothing_is_picked_when_every_item_is_bigger_than_capacity() -> None:
    debt = _ranked(Kind.DEBT, [Size.L, Size.XL])
    features = _ranked(Kind.FEATURE, [Size.M, Size.XL])

    plan = recommend(debt, features, capacity=2, budget_pct=100)

    assert plan.picked == []
    assert (plan.debt_points, plan.feature_points) == (0, 0)


def test_full_budget_lets_debt_take_everything_first() -> None:
    debt = _ranked(Kind.DEBT, [Size.M, Size.S])
    features = _ranked(Kind.FEATURE, [Size.XS])

    plan = recommend(debt, features, capacity=5, budget_pct=100)

    assert _refs(plan.picked) == ["D-1", "D-2"]
    assert (plan.debt_points, plan.feature_points) == (5, 0)


_sizes = st.sampled_from([None, *Size])
_urgencies = st.sampled_from([None, *Urgency])
_item_specs = st.tuples(
    st.sampled_from(list(Kind)),
    st.integers(min_value=0, max_value=50),
    _sizes,
    _urgencies,
    st.one_of(st.none(), st.integers(min_value=0, max_value=1680).map(lambda t: t / 10)),
    st.integers(min_value=0, max_value=400),
)


@given(
    specs=st.lists(_item_specs, max_size=40),
    # Mostly small capacities, where items compete for room; sometimes up to the 1000 allowed.
    capacity=st.one_of(st.integers(min_value=1, max_value=40), st.integers(1, 1000)),
    budget_pct=st.integers(min_value=0, max_value=100),
)
def test_recommendation_respects_capacity_budget_and_is_greedy_complete(
    specs: list[tuple[Kind, int, Size | None, Urgency | None, float | None, int]],
    capacity: int,
    budget_pct: int,
) -> None:
    items = [
        _item(kind, n, votes=votes, size=size, urgency=urgency,
              interest=interest,
              created_at=BASE + timedelta(hours=age))
        for n, (kind, votes, size, urgency, interest, age) in enumerate(specs, start=1)
    ]
    debt = rank(i for i in items if i.kind is Kind.DEBT)
    features = rank(i for i in items if i.kind is Kind.FEATURE)

    plan = recommend(debt, features, capacity, budget_pct)

    debt_budget = capacity * budget_pct / 100
    picked_refs = {r.item.ref for r in plan.picked}
    assert len(picked_refs) == len(plan.picked)
    assert plan.debt_points == sum(
        r.score.size_points for r in plan.picked if r.item.kind is Kind.DEBT
    )
    assert plan.feature_points == sum(
        r.score.size_points for r in plan.picked if r.item.kind is Kind.FEATURE
    )
    assert plan.debt_points + plan.feature_points <= capacity
    assert plan.unused_points == capacity - plan.debt_points - plan.feature_points
    # Picked items keep their rank order: debt first, then features.
    assert plan.picked == [r for r in debt if r.item.ref in picked_refs] + [
        r for r in features if r.item.ref in picked_refs
    ]
    # Unsized items are never picked: their size is unknown.
    assert all(r.score.estimated for r in plan.picked)
    # Greedy completeness: no estimated item left out would still fit in what its kind had left,
    # and none of either kind would fit in the capacity nobody used.
    debt_left = debt_budget - plan.debt_points
    room_left = capacity - plan.debt_points - plan.feature_points
    for r in debt:
        if r.item.ref not in picked_refs and r.score.estimated:
            assert r.score.size_points > debt_left
            assert r.score.size_points > room_left
    for r in features:
        if r.item.ref not in picked_refs and r.score.estimated:
            assert r.score.size_points > room_left
    # Capacity stays idle only with a reason the digest can give.
    assert (plan.idle_reason() is None) == (not plan.picked or room_left == 0)


# compose_digest() ------------------------------------------------------------------------------


def _auckland() -> ChannelSettings:
    return _settings(slot=WeeklySlot(0, time(9, 0), "Pacific/Auckland"))


def test_week_of_is_the_monday_in_the_channels_zone() -> None:
    assert NOW.weekday() == 6  # Sunday in UTC…
    assert NOW.astimezone(ZoneInfo("Pacific/Auckland")).weekday() == 0  # …Monday in Auckland

    assert compose_digest([], _auckland(), NOW).week_of == date(2027, 6, 14)
    # Without a slot the week is UTC's, which is still the one that began on 7 June.
    assert compose_digest([], _settings(), NOW).week_of == date(2027, 6, 7)


def test_week_of_on_a_midweek_day_is_that_weeks_monday() -> None:
    thursday = datetime(2027, 6, 17, 12, 0, tzinfo=UTC)
    assert compose_digest([], _auckland(), thursday).week_of == date(2027, 6, 14)


def test_digest_ranks_only_open_items_and_separates_the_kinds() -> None:
    items = [
        _item(Kind.DEBT, 1, votes=1, size=Size.S),
        _item(Kind.DEBT, 2, votes=50, size=Size.S, status=Status.DONE),
        _item(Kind.DEBT, 3, votes=5, size=Size.S),
        _item(Kind.FEATURE, 1, votes=3, size=Size.XS),
        _item(Kind.FEATURE, 2, votes=90, status=Status.DROPPED),
        _item(Kind.FEATURE, 3, votes=9, size=Size.XS),
        _item(Kind.FEATURE, 4, votes=0, size=Size.XL),
    ]

    digest = compose_digest(items, _settings(), NOW)

    assert _refs(digest.debt) == ["D-3", "D-1"]
    assert _refs(digest.features) == ["F-3", "F-1", "F-4"]
    assert [r.rank for r in digest.debt] == [1, 2]
    assert [r.rank for r in digest.features] == [1, 2, 3]
    assert digest.is_empty is False
    assert digest.now == NOW
    # The default 20 points at 20%: 4 for debt (D-3, 2) + (D-1, 2); then F-3, F-1, F-4.
    assert _refs(digest.plan.picked) == ["D-3", "D-1", "F-3", "F-1", "F-4"]
    assert (digest.plan.capacity, digest.plan.budget_pct) == (20, 20)


def test_digest_uses_the_channels_capacity_and_budget() -> None:
    items = [_item(Kind.DEBT, 1, size=Size.XS), _item(Kind.FEATURE, 1, size=Size.XS)]

    digest = compose_digest(items, _settings(capacity=1, budget_pct=0), NOW)

    assert _refs(digest.plan.picked) == ["F-1"]
    assert digest.plan.capacity == 1


def test_digest_of_closed_items_only_is_empty() -> None:
    items = [_item(Kind.DEBT, 1, status=Status.DONE), _item(Kind.FEATURE, 1, status=Status.DROPPED)]

    digest = compose_digest(items, _settings(), NOW)

    assert digest.is_empty is True
    assert (digest.debt, digest.features, digest.plan.picked) == ([], [], [])
    assert (digest.hidden_count, digest.unthreaded_count, digest.thread_items) == (0, 0, [])
    assert digest.why() == f"Ranking: {RULE}."


def _backlog(debt: int, features: int) -> list[Item]:
    """Items whose rank is their number: item 1 has the most votes."""
    return [
        _item(Kind.DEBT, n, votes=1000 - n, size=Size.M) for n in range(1, debt + 1)
    ] + [_item(Kind.FEATURE, n, votes=1000 - n, size=Size.M) for n in range(1, features + 1)]


def test_parent_shows_at_most_ten_of_each_kind_and_counts_the_rest() -> None:
    assert PARENT_ITEMS_PER_KIND == 10

    digest = compose_digest(_backlog(14, 3), _settings(), NOW)

    assert _refs(digest.shown_debt) == [f"D-{n}" for n in range(1, 11)]
    assert _refs(digest.shown_features) == ["F-1", "F-2", "F-3"]
    assert digest.hidden_count == 4


def test_thread_items_are_the_top_n_of_each_kind() -> None:
    digest = compose_digest(_backlog(6, 4), _settings(replies_per_kind=3), NOW)

    assert _refs(digest.thread_items) == ["D-1", "D-2", "D-3", "F-1", "F-2", "F-3"]
    assert digest.unthreaded_count == 4
    assert digest.hidden_count == 0


def test_thread_can_hold_more_than_the_parent_shows() -> None:
    digest = compose_digest(_backlog(30, 2), _settings(replies_per_kind=25), NOW)

    assert len(digest.thread_items) == 27
    assert _refs(digest.thread_items)[-3:] == ["D-25", "F-1", "F-2"]
    assert digest.unthreaded_count == 5
    assert digest.hidden_count == 20


def test_why_names_the_leader_and_shows_its_arithmetic() -> None:
    items = [
        _item(Kind.DEBT, 7, votes=5, urgency=Urgency.HIGH, interest=6.0, size=Size.M),  # 5.3
        _item(Kind.DEBT, 8, votes=1, size=Size.M),
        _item(Kind.FEATURE, 2, votes=3, size=Size.S),  # 2
    ]

    digest = compose_digest(items, _settings(), NOW)
    why = digest.why()

    assert why.startswith(f"Ranking: {RULE}.")
    assert "D-7 leads" in why
    assert "(5 votes + 5 urgency + 6 h/week) ÷ 3 = 5.3" in why
    assert why.endswith(f"D-7 leads: {digest.debt[0].score.explain()}.")


def test_why_picks_a_feature_when_it_scores_higher() -> None:
    items = [
        _item(Kind.DEBT, 1, votes=1, size=Size.XL),
        _item(Kind.FEATURE, 4, votes=9, urgency=Urgency.MEDIUM, size=Size.S),  # 12/2 = 6
    ]

    why = compose_digest(items, _settings(), NOW).why()

    assert why.endswith("F-4 leads: (9 votes + 3 urgency) ÷ 2 = 6.")
    assert "D-1" not in why


def test_decision_split_share() -> None:
    assert DecisionSplit(decisions=4, debt_points=5, total_points=20).debt_share_pct == 25
    assert DecisionSplit(decisions=3, debt_points=1, total_points=3).debt_share_pct == 33
    assert DecisionSplit(decisions=0, debt_points=0, total_points=0).debt_share_pct == 0
    split = DecisionSplit(decisions=1, debt_points=2, total_points=8)
    assert compose_digest([], _settings(), NOW, split).split == split


def test_debt_share_is_whole_percent_of_planned_size_and_none_of_nothing() -> None:
    assert debt_share_pct(5, 20) == 25
    assert debt_share_pct(1, 3) == 33
    assert debt_share_pct(2, 3) == 67
    assert debt_share_pct(0, 8) == 0
    assert debt_share_pct(0, 0) is None
