"""Backlog health: the domain rules, `/tradeoff health`, its merge buttons and the digest's
pointer to it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from itertools import combinations
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update

from bot.domain.backlog_health import DUPLICATE_SIMILARITY, check_health, similarity
from bot.domain.items import Item, ItemRef, Kind, Size, Status
from bot.store.models import ItemRow, VoteRow
from tests.conftest import Bot
from tests.support.builders import an_item
from tests.support.digests import parents, ts_of
from tests.support.items import add_item
from tests.support.voting import post_digest

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
LEAD = "ULEAD"


def item(
    ref: str,
    title: str,
    *,
    age: timedelta = timedelta(days=1),
    votes: int = 0,
    size: Size | None = Size.M,
    interest: float | None = 2.0,
    status: Status = Status.OPEN,
) -> Item:
    parsed = ItemRef.parse(ref)
    assert parsed is not None
    return an_item(
        parsed.kind, parsed.number, title=title, impact="x", status=status,
        created_at=NOW - age, size=size,
        interest=interest if parsed.kind is Kind.DEBT else None, votes=votes,
    )


def refs(items: list[Item]) -> list[str]:
    return [str(i.ref) for i in items]


# --- the domain -----------------------------------------------------------------------------


def test_filler_words_do_not_make_titles_different() -> None:
    assert similarity("Flaky checkout tests", "Flaky tests in checkout") == 1.0
    assert similarity("The flaky tests of our checkout", "flaky CHECKOUT tests") == 1.0


def test_unrelated_titles_are_not_alike() -> None:
    assert similarity("Flaky checkout tests", "Dark mode") == 0.0
    assert similarity("Flaky checkout tests", "Slow checkout page") < 0.8
    assert similarity("", "Dark mode") == 0.0
    assert similarity("the of", "the of") == 0.0


@pytest.mark.parametrize("twin", [
    "MIGRATE BILLING TO POSTGRES 16",  # case
    "Migrate billing to postgres16",  # digits joined to the word
    "Migrate billing, to Postgres-16!",  # punctuation
    "Postgres 16: migrate billing",  # word order
    "Migrate biling to Postgres 16",  # a typo
    "migrate billing to the postgres16 (asap)",  # several at once, one extra word
])
def test_duplicates_are_found_as_a_person_would_see_them(twin: str) -> None:
    health = check_health([
        item("D-1", "Migrate billing to Postgres 16", age=timedelta(days=3)),
        item("D-2", "Dark mode", age=timedelta(days=2)),
        item("D-3", twin, age=timedelta(days=1)),
    ], NOW)

    [pair] = health.duplicates
    assert (str(pair.keep.ref), str(pair.duplicate.ref)) == ("D-1", "D-3")
    assert pair.similarity >= DUPLICATE_SIMILARITY


def test_titles_whose_numbers_differ_are_different_work() -> None:
    assert similarity("Migrate billing to Postgres 16", "Migrate billing to Postgres 17") == 0.0
    assert similarity("Upgrade Python 3.11", "Upgrade Python 3.12") == 0.0
    assert similarity("Upgrade Python 3.11", "upgrade python 3.11") == 1.0


def test_stale_items_are_old_and_without_votes() -> None:
    health = check_health([
        item("D-1", "Old and unloved", age=timedelta(weeks=9)),
        item("D-2", "Old but wanted", age=timedelta(weeks=9), votes=1),
        item("F-1", "Young", age=timedelta(weeks=7)),
        item("F-2", "Ancient feature", age=timedelta(weeks=20)),
        item("F-3", "Closed and old", age=timedelta(weeks=20), status=Status.DONE),
    ], NOW)

    assert refs(health.stale) == ["F-2", "D-1"]  # oldest first
    assert not health.is_healthy


def test_duplicates_keep_the_older_item() -> None:
    health = check_health([
        item("D-2", "Flaky tests in checkout", age=timedelta(days=1)),
        item("D-1", "Flaky checkout tests", age=timedelta(days=3)),
        item("F-1", "Dark mode", age=timedelta(days=2)),
        item("D-3", "flaky checkout tests", age=timedelta(days=5), status=Status.MERGED),
    ], NOW)

    [pair] = health.duplicates
    assert (str(pair.keep.ref), str(pair.duplicate.ref), pair.similarity) == ("D-1", "D-2", 1.0)


def test_unsized_and_unquantified_items_are_listed() -> None:
    health = check_health([
        item("D-1", "Sized and quantified"),
        item("D-2", "No interest", interest=None),
        item("D-3", "No size", size=None),
        item("F-1", "Feature without size", size=None),
        item("F-2", "Sized feature"),
        item("D-4", "Closed", size=None, interest=None, status=Status.DROPPED),
    ], NOW)

    assert sorted(refs(health.unsized)) == ["D-3", "F-1"]
    assert refs(health.unquantified) == ["D-2"]
    assert (health.stale, health.duplicates) == ([], [])


def test_a_tidy_or_closed_backlog_is_healthy() -> None:
    assert check_health([], NOW).is_healthy
    assert check_health([
        item("D-1", "Sized and quantified"),
        item("F-1", "Sized feature"),
        item("F-2", "Dropped old unsized", age=timedelta(weeks=30), size=None,
             status=Status.DROPPED),
    ], NOW).is_healthy


# --- /tradeoff health -----------------------------------------------------------------------


async def backdate(bot: Bot, kind: Kind, number: int, weeks: int) -> None:
    async with bot.store.unit_of_work() as uow:
        await uow.session.execute(
            update(ItemRow)
            .where(ItemRow.team_id == bot.team_id, ItemRow.kind == kind.value,
                   ItemRow.number == number)
            .values(created_at=datetime.now(UTC) - timedelta(weeks=weeks))
        )
        await uow.commit()


async def unhealthy_backlog(bot: Bot) -> None:
    """F-2 stale, D-3 a duplicate of the older D-1, F-1 unsized, D-2 without interest."""
    team = bot.team_id
    await add_item(bot.store, team, Kind.DEBT, "Flaky checkout tests", size="S", interest="3",
                   votes=2)
    await add_item(bot.store, team, Kind.DEBT, "Slow database backups", size="M", votes=1)
    await add_item(bot.store, team, Kind.DEBT, "Flaky tests in checkout", size="S", interest="1",
                   votes=3)
    await add_item(bot.store, team, Kind.FEATURE, "Dark mode", votes=1)
    await add_item(bot.store, team, Kind.FEATURE, "Export to spreadsheet", size="L")
    await backdate(bot, Kind.FEATURE, 2, weeks=10)
    # Not this channel's: never in its health report.
    await add_item(bot.store, team, Kind.FEATURE, "Elsewhere unsized", channel_id="COTHER")


def sections(response: httpx.Response) -> list[str]:
    return [b["text"]["text"] for b in response.json()["blocks"] if b["type"] == "section"]


def section_refs(texts: list[str], heading: str) -> list[str]:
    [text] = [t for t in texts if t.startswith(heading)]
    return re.findall(r"\*([DF]-\d+)\*", text)


async def test_health_lists_each_problem_with_its_items(bot: Bot) -> None:
    await bot.slack.command("/tradeoff", f"role <@{LEAD}|lena> lead")
    await unhealthy_backlog(bot)

    response = await bot.slack.command("/tradeoff", "health")

    assert response.json().get("response_type", "ephemeral") == "ephemeral"
    texts = sections(response)
    assert texts[0].startswith("*Backlog health*")
    assert section_refs(texts, "*Open over 8 weeks with no votes*") == ["F-2"]
    assert section_refs(texts, "*Needs an estimate*") == ["F-1"]
    assert f"(leads: <@{LEAD}>;" in next(t for t in texts if t.startswith("*Needs an estimate*"))
    assert section_refs(texts, "*Debt impact not quantified*") == ["D-2"]
    assert section_refs(texts, "*Likely duplicates* (100% alike)") == ["D-3", "D-1"]
    actions = [b for b in response.json()["blocks"] if b["type"] == "actions"]
    [[button]] = [a["elements"] for a in actions]
    assert (button["action_id"], button["value"]) == ("merge_duplicate", "D-3>D-1")
    assert button["text"]["text"] == "Merge D-3 into D-1"
    assert "Elsewhere" not in str(response.json())


async def test_a_healthy_backlog_says_so(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests", size="S", interest="2")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Dark mode", size="M")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Old but loved", size="M", votes=1)
    await backdate(bot, Kind.FEATURE, 2, weeks=12)

    response = await bot.slack.command("/tradeoff", "health")

    [text] = sections(response)
    assert text.startswith(":white_check_mark: The backlog looks healthy")
    assert not [b for b in response.json()["blocks"] if b["type"] == "actions"]


async def votes_of(bot: Bot) -> dict[str, set[str]]:
    async with bot.store.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(ItemRow.kind, ItemRow.number, VoteRow.user_id)
            .join(VoteRow, VoteRow.item_id == ItemRow.id)
            .where(ItemRow.team_id == bot.team_id)
        )
        found: dict[str, set[str]] = {}
        for kind, number, user in rows:
            found.setdefault(f"{Kind(kind).prefix}-{number}", set()).add(user)
    return found


async def debt_state(bot: Bot) -> list[tuple[int, str, str | None]]:
    async with bot.store.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(ItemRow)
            .where(ItemRow.team_id == bot.team_id, ItemRow.kind == Kind.DEBT.value)
            .order_by(ItemRow.number)
        )
        return [(r.number, r.status, r.merged_into) for r in rows]


async def press_merge(bot: Bot, value: str) -> dict[str, Any]:
    answers = len(bot.fake.calls_to("response_url"))
    payload = bot.slack.block_action("merge_duplicate", value, "1700000000.000100")
    assert (await bot.slack.interaction(payload)).status_code == 200
    calls = await bot.fake.wait_for("response_url", count=answers + 1)
    assert len(calls) == answers + 1
    params: dict[str, Any] = calls[-1].params
    return params


async def test_the_merge_button_merges_the_duplicate_into_the_older_item(bot: Bot) -> None:
    await unhealthy_backlog(bot)
    health = await bot.slack.command("/tradeoff", "health")
    [button] = next(b for b in health.json()["blocks"] if b["type"] == "actions")["elements"]
    assert await votes_of(bot) == {
        "D-1": {"UV0", "UV1"}, "D-2": {"UV0"}, "D-3": {"UV0", "UV1", "UV2"}, "F-1": {"UV0"},
    }

    answer = await press_merge(bot, button["value"])

    assert answer["response_type"] == "in_channel"
    assert answer["replace_original"] in (False, "false")
    assert (
        "*D-3* Flaky tests in checkout was merged into *D-1* Flaky checkout tests by <@U111>"
        in answer["text"]
    )
    assert await debt_state(bot) == [(1, "open", None), (2, "open", None), (3, "merged", "D-1")]
    votes = await votes_of(bot)
    assert votes["D-1"] == {"UV0", "UV1", "UV2"}
    assert "D-3" not in votes

    again = await press_merge(bot, button["value"])

    assert again["response_type"] == "ephemeral"
    assert "D-3 is already merged" in again["text"]
    assert await debt_state(bot) == [(1, "open", None), (2, "open", None), (3, "merged", "D-1")]
    assert await votes_of(bot) == votes

    healthier = await bot.slack.command("/tradeoff", "health")
    assert not [b for b in healthier.json()["blocks"] if b["type"] == "actions"]
    shown = await bot.slack.command("/tradeoff", "show D-3")
    history = next(t for t in sections(shown) if t.startswith("*History*"))
    assert "<@U111> · status: open → merged" in history
    assert "<@U111> · merged into: none → D-1" in history


# --- the digest points at it ----------------------------------------------------------------


def parent_contexts(bot: Bot, parent_ts: str) -> list[str]:
    [parent] = [p for p in parents(bot.fake) if ts_of(p) == parent_ts]
    return [e["text"] for b in parent.params["blocks"] if b["type"] == "context"
            for e in b["elements"]]


async def test_the_digest_points_at_the_health_report(bot: Bot) -> None:
    await unhealthy_backlog(bot)

    digest = await post_digest(bot)

    contexts = parent_contexts(bot, digest.parent_ts)
    assert (
        "Backlog health: 1 item open over 8 weeks with no votes · 1 likely duplicate pair · "
        "1 debt item without interest — `/tradeoff health`."
    ) in contexts
    assert (
        "*Needs an estimate* (lead: no lead set yet): F-1 — not scored or picked until sized."
    ) in contexts


async def test_a_healthy_digest_has_no_health_line(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests", size="S", interest="2")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Dark mode", size="M")

    digest = await post_digest(bot)

    contexts = parent_contexts(bot, digest.parent_ts)
    assert contexts  # the parent was found and has its usual context lines
    assert not [c for c in contexts if "Backlog health" in c or "Needs an estimate" in c]


@given(st.lists(st.lists(st.sampled_from(["a1", "b2", "c3", "d4", "e5", "f6"]), min_size=1,
                         max_size=6), max_size=25))
def test_the_pair_filter_finds_exactly_the_pairs_a_full_comparison_finds(
    titles: list[list[str]],
) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    items = [
        an_item(Kind.DEBT, n, title=" ".join(words), created_at=start + timedelta(minutes=n))
        for n, words in enumerate(titles, start=1)
    ]
    found = {(p.keep.ref, p.duplicate.ref) for p in check_health(items, start).duplicates}
    expected = {
        (a.ref, b.ref) for a, b in combinations(items, 2)
        if similarity(a.title, b.title) >= DUPLICATE_SIMILARITY
    }
    assert found == expected
