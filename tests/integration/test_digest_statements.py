"""A channel's digest costs the same few statements however many items it has open: one read
per kind of thing, one plan of replies written at once, the replies' ts recorded in batches,
and the run's completion in the commit of the last batch. The 1,000-channel digest's speed
rests on that (bench.digest_build); this holds it there."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from bench.digest_build import SqlCounter
from bot.domain.items import Kind
from bot.runtime import Runtime, build_runtime
from bot.services import digest_thread
from bot.services.post_digest import LEASE, Outcome, post_digest
from bot.store.unit_of_work import Store
from tests.conftest import bot_settings
from tests.fakes.slack_api import FakeSlack
from tests.support.decisions import record_decision
from tests.support.digests import messages_of, replies, runs_of
from tests.support.items import add_item

CHANNEL = "C123"


@pytest.fixture
def runtime(database_url: str, store: Store, fake_slack: FakeSlack) -> Runtime:
    return build_runtime(bot_settings(database_url, fake_slack, scheduler="off"), store)


@pytest.fixture
def statements(store: Store) -> SqlCounter:
    """What the store's engine sends, by verb and table, as bench.digest_build counts it."""
    return SqlCounter(store.engine)


@pytest.fixture(autouse=True)
def count_closes_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only RECORD_EVERY closes a batch, however slowly the machine runs the test."""
    monkeypatch.setattr(digest_thread, "RECORD_AFTER_S", 3600.0)


async def _digest_statements(
    runtime: Runtime, store: Store, statements: SqlCounter, team_id: str, per_kind: int
) -> Counter[str]:
    """The statements of the channel's second digest: the first of a month also reads the
    channel's history for its trends chart."""
    for n in range(per_kind):
        await add_item(store, team_id, Kind.DEBT, f"Debt {n}", channel_id=CHANNEL)
        await add_item(store, team_id, Kind.FEATURE, f"Feature {n}", channel_id=CHANNEL)
    for slot_key in ("first", "second"):
        statements.reset()
        result = await post_digest(store, runtime.publisher(), team_id=team_id,
                                   channel_id=CHANNEL, slot_key=slot_key)
        assert result.outcome is Outcome.POSTED
    return Counter(statements.by_label)


@pytest.mark.parametrize("per_kind", [12, 60])
async def test_a_digest_costs_the_same_statements_for_24_or_120_open_items(
    runtime: Runtime, store: Store, statements: SqlCounter, team_id: str,
    fake_slack: FakeSlack, per_kind: int,
) -> None:
    counted = await _digest_statements(runtime, store, statements, team_id, per_kind)

    # Ten replies of each kind (the default thread size), whatever is open.
    assert len(replies(fake_slack)) == 2 * 20
    # The plan and each batch of replies go to the database as one executemany, not a
    # statement per message.
    assert counted == Counter({
        "INSERT digest_runs": 1,        # the claim
        "SELECT channel_settings": 1,
        "SELECT decisions": 1,          # the last decisions' points by kind, in one statement
        "SELECT items": 1,
        "SELECT votes": 1,              # the voters of every open item, in one statement
        "SELECT channel_roles": 1,
        "SELECT digest_runs": 1,        # is this the month's first digest?
        # the plan: every reply and column entry at once
        "INSERT digest_messages (executemany)": 1,
        "UPDATE digest_runs": 2,        # the parent's ts; the run's completion
        "UPDATE digest_messages (executemany)": 2,  # the replies' ts, ten at a time
    })
    [_, run] = await runs_of(store, team_id)
    assert run.status == "complete" and run.parent_ts is not None
    planned = [m for m in await messages_of(store, run.id) if m.in_thread]
    assert len(planned) == 20 and all(m.message_ts for m in planned)



async def test_past_decisions_cost_the_digest_no_more_statements(
    runtime: Runtime, store: Store, statements: SqlCounter, team_id: str,
) -> None:
    """The split and the catch-up need each past cycle's points by kind, not its items: one
    statement reads them, however many decisions and items the channel has."""
    for debt in (3, 5, 8):
        await record_decision(store, team_id, CHANNEL, debt=debt, feature=5)

    counted = await _digest_statements(runtime, store, statements, team_id, per_kind=12)

    assert counted["SELECT decisions"] == 1
    assert not [label for label in counted if label.startswith("SELECT decision_")]


async def test_a_process_that_loses_the_race_for_a_slot_reads_the_run_and_leaves_it(
    runtime: Runtime, store: Store, statements: SqlCounter, team_id: str,
    fake_slack: FakeSlack,
) -> None:
    """Every process's scheduler fires for every channel: the losers' share of the digest is
    the claim and one read of the winner's run, whose lease says it is being posted."""
    await add_item(store, team_id, Kind.DEBT, "Debt", channel_id=CHANNEL)
    now = datetime.now(UTC)
    async with store.unit_of_work() as uow:  # the winner, still posting
        winner = await uow.digests.claim(team_id, CHANNEL, "slot", now, LEASE)
        await uow.commit()
    assert winner is not None
    statements.reset()

    result = await post_digest(store, runtime.publisher(), team_id=team_id,
                               channel_id=CHANNEL, slot_key="slot", now=now)

    assert result.outcome is Outcome.IN_PROGRESS
    assert Counter(statements.by_label) == Counter({
        "INSERT digest_runs": 1, "SELECT digest_runs": 1,
    })
    assert fake_slack.calls_to("chat.postMessage") == []
    [run] = await runs_of(store, team_id)
    assert run.status == "posting" and run.parent_ts is None
