"""The catch-up budget: the rule (property-tested), the pick it changes, what the digest says,
and the setting that turns it on and off."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.domain.catch_up import CatchUp, catch_up
from bot.domain.channel_settings import ChannelSettings
from bot.domain.decisions import DecidedItem, Decision
from bot.domain.digest import compose_digest
from bot.domain.items import ItemRef, Kind, Size
from bot.domain.planning import recommend
from bot.domain.scoring import rank
from bot.slack.blocks.digest import parent_message
from bot.store.models import ChannelSettingsRow
from tests.conftest import Bot
from tests.support.builders import an_item
from tests.support.decisions import record_decision
from tests.support.digests import wait_until_posted
from tests.support.items import add_item
from tests.support.slack_requests import reply_text

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def _decision(n: int, debt: int, feature: int, budget: int = 20) -> Decision:
    items = (DecidedItem(ItemRef(Kind.DEBT, n), "d", debt, 0, 1.0),
             DecidedItem(ItemRef(Kind.FEATURE, n), "f", feature, 0, 1.0))
    return Decision(n, "T", "C", "UL", "UP", 20, budget, NOW - timedelta(weeks=10 - n), items)


def test_three_cycles_under_budget_add_their_shortfall() -> None:
    # 20 % of 20 points is 4 a cycle: a run of 2, 2, 4 ends on budget and owes nothing.
    assert catch_up([_decision(1, 2, 18), _decision(2, 2, 18), _decision(3, 4, 16)],
                    cycles=3) is None
    owed = catch_up([_decision(1, 2, 18), _decision(2, 2, 18), _decision(3, 2, 18)], cycles=3)
    assert owed == CatchUp(points=6, cycles=3)
    assert owed.explain() == "+6 points of debt to catch up on the last 3 cycles"


def test_off_or_too_few_decisions_owe_nothing() -> None:
    two = [_decision(1, 0, 20), _decision(2, 0, 20)]
    assert catch_up(two, cycles=None) is None
    assert catch_up(two, cycles=3) is None
    # Only the last N count: an old over-budget cycle does not cancel a recent run under it.
    assert catch_up([_decision(1, 20, 0), *two], cycles=2) == CatchUp(8, 2)


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 100)),
                min_size=1, max_size=8),
       st.integers(1, 8))
def test_catch_up_is_the_rounded_up_shortfall_and_only_when_every_cycle_fell_short(
    cycles_data: list[tuple[int, int, int]], cycles: int
) -> None:
    decisions = [_decision(n, d, f, b) for n, (d, f, b) in enumerate(cycles_data)]
    owed = catch_up(decisions, cycles=cycles)
    window = decisions[-cycles:]
    short = [d.total_points * d.budget_pct / 100 - d.debt_points for d in window]
    every_short = len(decisions) >= cycles and all(s > 0 for s in short)
    assert (owed is not None) == every_short
    if owed is not None:
        assert owed.cycles == cycles
        assert owed.points == math.ceil(sum(short) - 1e-9) >= 1


@given(st.lists(st.sampled_from(list(Size)), max_size=8),
       st.lists(st.sampled_from(list(Size)), max_size=8),
       st.integers(1, 40), st.integers(0, 100), st.integers(0, 40))
def test_the_pick_reserves_the_budget_plus_the_catch_up_within_capacity(
    debt_sizes: list[Size], feature_sizes: list[Size], capacity: int, budget: int, extra: int
) -> None:
    debt = rank([an_item(Kind.DEBT, n + 1, size=s) for n, s in enumerate(debt_sizes)])
    features = rank([an_item(Kind.FEATURE, n + 1, size=s) for n, s in enumerate(feature_sizes)])
    owed = CatchUp(extra, 3) if extra else None

    plain = recommend(debt, features, capacity, budget)
    raised = recommend(debt, features, capacity, budget, owed)

    assert raised.debt_budget == min(capacity, capacity * budget / 100 + extra)
    assert raised.debt_points >= plain.debt_points  # paying back never gives debt less
    assert raised.debt_points + raised.feature_points <= capacity


def test_the_digest_says_how_many_points_it_adds_and_why() -> None:
    items = [an_item(Kind.DEBT, n, size=Size.S) for n in range(1, 6)]
    items += [an_item(Kind.FEATURE, n, size=Size.S) for n in range(1, 9)]
    settings = ChannelSettings("T", "C", catch_up_cycles=3)
    owed = catch_up([_decision(1, 2, 18), _decision(2, 2, 18), _decision(3, 2, 18)], cycles=3)

    digest = compose_digest(items, settings, NOW, catch_up=owed)
    plain = compose_digest(items, settings, NOW)

    assert (plain.plan.debt_points, digest.plan.debt_points) == (4, 10)
    text = str(parent_message(digest))
    assert "debt budget 20% = 10 points" in text
    assert "+6 points of debt to catch up on the last 3 cycles." in text


async def test_the_setting_turns_catch_up_on_and_the_next_digest_pays_back(bot: Bot) -> None:
    for n in range(3):
        # well under 20 % each time
        await record_decision(bot.store, bot.team_id, "C111", n, 20 - n)
    for n in range(6):
        await add_item(bot.store, bot.team_id, Kind.DEBT, f"Debt {n}", size="S")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "SSO", size="XL")

    shown = reply_text(await bot.slack.command("/tradeoff", "settings catchup 3"))
    assert "catch-up budget on" in shown
    async with bot.store.unit_of_work() as uow:
        row = await uow.session.scalar(select(ChannelSettingsRow).where(
            ChannelSettingsRow.team_id == bot.team_id))
        assert row is not None and row.catch_up_cycles == 3
    assert "the last 3 cycles" in reply_text(await bot.slack.command("/tradeoff", "settings"))

    await bot.slack.command("/tradeoff", "digest")
    await wait_until_posted(bot.store, bot.team_id)
    [parent, *_] = bot.fake.calls_to("chat.postMessage")
    assert "points of debt to catch up on the last 3 cycles" in str(parent.params["blocks"])

    refused = reply_text(await bot.slack.command("/tradeoff", "settings catchup 99"))
    assert "1 to 12, or `off`" in refused
    assert "turned the catch-up budget off" in reply_text(
        await bot.slack.command("/tradeoff", "settings catchup off"))
