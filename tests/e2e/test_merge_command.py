"""`/tradeoff merge <duplicate> <into>`: the duplicate closes and its voters count for the other."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import select

from bot.domain.items import Kind
from bot.store.models import ItemRow, VoteRow
from bot.store.unit_of_work import Store
from tests.conftest import Bot
from tests.support.db import stored_items
from tests.support.digests import parents, replies, ts_of, wait_until_posted
from tests.support.items import add_item
from tests.support.slack_requests import reply_text


def response_type(response: httpx.Response) -> str:
    return str(response.json().get("response_type", "ephemeral"))


async def voters_by_ref(store: Store, team_id: str) -> dict[str, set[str]]:
    """`D-1` → the users with a vote row for it, for every item of the workspace."""
    async with store.unit_of_work() as uow:
        items = {
            row.id: f"{'D' if row.kind == 'debt' else 'F'}-{row.number}"
            for row in await uow.session.scalars(
                select(ItemRow).where(ItemRow.team_id == team_id)
            )
        }
        found: dict[str, set[str]] = {ref: set() for ref in items.values()}
        if items:
            for vote in await uow.session.scalars(
                select(VoteRow).where(VoteRow.item_id.in_(items))
            ):
                found[items[vote.item_id]].add(vote.user_id)
        return found


async def state(store: Store, team_id: str) -> list[tuple[str, int, str, str | None, str | None]]:
    """Every item's kind, number, status, merged_into and closed_by."""
    return [
        (r.kind, r.number, r.status, r.merged_into, r.closed_by)
        for r in await stored_items(store, team_id)
    ]


async def two_duplicates(bot: Bot) -> None:
    """D-1 voted by UV0..UV2, D-2 by UV0 and UV1."""
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky CI tests", votes=3, size="S")
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Tests fail at random", votes=2, size="S")


async def test_merge_moves_the_new_voters_and_closes_the_duplicate(bot: Bot) -> None:
    await two_duplicates(bot)

    response = await bot.slack.command("/tradeoff", "merge D-1 D-2")

    assert response_type(response) == "in_channel"
    text = reply_text(response)
    assert "*D-1* Flaky CI tests was merged into *D-2* Tests fail at random by <@U111>" in text
    assert "; 1 vote moved (one per person)" in text
    assert "Votes on D-1 now count for D-2." in text
    [dup, survivor] = await stored_items(bot.store, bot.team_id)
    assert (dup.status, dup.merged_into, dup.closed_by) == ("merged", "D-2", "U111")
    assert dup.closed_at is not None
    assert (survivor.status, survivor.merged_into) == ("open", None)
    assert await voters_by_ref(bot.store, bot.team_id) == {
        "D-1": set(), "D-2": {"UV0", "UV1", "UV2"},
    }

    listed = reply_text(await bot.slack.command("/tradeoff", "list"))
    item_lines = [line for line in listed.splitlines() if line[:2] in ("D-", "F-")]
    assert item_lines == ["D-2  Tests fail at random · 3 votes · size S"]
    assert "Tech debt (1 open)" in listed


async def test_every_voter_moves_when_the_survivor_had_none(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "SSO login", votes=3)
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Okta sign-in")

    response = await bot.slack.command("/tradeoff", "merge f-1 #F-2")

    assert "*F-1* SSO login was merged into *F-2* Okta sign-in" in reply_text(response)
    assert "3 votes moved" in reply_text(response)
    assert await voters_by_ref(bot.store, bot.team_id) == {
        "F-1": set(), "F-2": {"UV0", "UV1", "UV2"},
    }


async def test_a_merge_without_votes_says_no_vote_moved(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Old Postgres")
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Upgrade Postgres", votes=2)

    response = await bot.slack.command("/tradeoff", "merge D-1 D-2")

    assert "0 votes moved" in reply_text(response)
    assert await voters_by_ref(bot.store, bot.team_id) == {"D-1": set(), "D-2": {"UV0", "UV1"}}
    assert [s[2] for s in await state(bot.store, bot.team_id)] == ["merged", "open"]


async def test_merge_tells_the_digest_thread_and_redraws_its_parent(bot: Bot) -> None:
    await two_duplicates(bot)
    await bot.slack.command("/tradeoff", "digest")
    await wait_until_posted(bot.store, bot.team_id)
    [parent] = parents(bot.fake)
    assert [c.params["text"].split()[0] for c in replies(bot.fake)] == ["D-1", "D-2"]
    assert bot.fake.calls_to("chat.update") == []

    response = await bot.slack.command("/tradeoff", "merge D-1 D-2")

    assert "1 vote moved" in reply_text(response)
    [update] = await bot.fake.wait_for("chat.update")
    told = [c for c in replies(bot.fake) if "was merged into" in c.params.get("text", "")]
    # Both items are in the same thread: it is told once.
    assert len(told) == 1
    assert told[0].params["channel"] == "C111"
    assert told[0].params["thread_ts"] == ts_of(parent)
    assert "*D-1* Flaky CI tests was merged into *D-2*" in told[0].params["text"]
    assert (update.params["channel"], update.params["ts"]) == ("C111", ts_of(parent))
    redrawn = str(update.params["blocks"])
    assert "~D-1~ Flaky CI tests (merged into D-2)" in redrawn
    assert "*1. D-2* Tests fail at random" in redrawn and "3 votes" in redrawn
    assert "*1. D-1*" not in redrawn and "• *D-1*" not in redrawn
    assert update.succeeded
    await asyncio.sleep(0.3)  # no second redraw and no second thread post trail behind
    assert len(bot.fake.calls_to("chat.update")) == 1
    assert len([c for c in replies(bot.fake) if "merged" in c.params.get("text", "")]) == 1


async def test_merge_into_an_item_outside_any_digest_posts_nothing_else(bot: Bot) -> None:
    await two_duplicates(bot)

    await bot.slack.command("/tradeoff", "merge D-1 D-2")
    await asyncio.sleep(0.2)

    assert bot.fake.calls_to("chat.postMessage") == []
    assert bot.fake.calls_to("chat.update") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("merge D-1 D-1", "An item cannot be merged into itself."),
        ("merge d-2 #D-2", "An item cannot be merged into itself."),
        ("merge D-1 D-9", "There is no item D-9 in this workspace."),
        ("merge D-9 D-1", "There is no item D-9 in this workspace."),
        ("merge F-1 D-2", "There is no item F-1 in this workspace."),
        ("merge", "Say the duplicate, then the item to keep: `/tradeoff merge D-7 D-3`."),
        ("merge D-1", "Say the duplicate, then the item to keep"),
        ("merge D-1 D-2 D-3", "Say the duplicate, then the item to keep"),
        ("merge D-1 into D-2", "Say the duplicate, then the item to keep"),
        ("merge D-1 banana", "Say the duplicate, then the item to keep"),
        ("merge <@U222> D-2", "Say the duplicate, then the item to keep"),
    ],
)
async def test_bad_merges_are_ephemeral_errors_and_change_nothing(
    bot: Bot, text: str, expected: str
) -> None:
    await two_duplicates(bot)
    before = await state(bot.store, bot.team_id)

    response = await bot.slack.command("/tradeoff", text)

    assert response_type(response) == "ephemeral"
    shown = reply_text(response)
    assert shown.startswith(":warning:")
    assert expected in shown
    assert "was merged" not in shown
    assert await state(bot.store, bot.team_id) == before
    assert await voters_by_ref(bot.store, bot.team_id) == {
        "D-1": {"UV0", "UV1", "UV2"}, "D-2": {"UV0", "UV1"},
    }
    assert bot.fake.calls_to("chat.postMessage") == []


async def test_a_closed_duplicate_cannot_be_merged(bot: Bot) -> None:
    await two_duplicates(bot)
    await bot.slack.command("/tradeoff", "done D-1")
    before = await state(bot.store, bot.team_id)

    response = await bot.slack.command("/tradeoff", "merge D-1 D-2")

    assert response_type(response) == "ephemeral"
    assert "D-1 is already done." in reply_text(response)
    assert await state(bot.store, bot.team_id) == before
    assert before[0][2:] == ("done", None, "U111")
    assert await voters_by_ref(bot.store, bot.team_id) == {
        "D-1": {"UV0", "UV1", "UV2"}, "D-2": {"UV0", "UV1"},
    }


async def test_nothing_merges_into_a_closed_item(bot: Bot) -> None:
    await two_duplicates(bot)
    await bot.slack.command("/tradeoff", "drop D-2")
    before = await state(bot.store, bot.team_id)

    response = await bot.slack.command("/tradeoff", "merge D-1 D-2")

    assert response_type(response) == "ephemeral"
    assert "D-2 is already dropped." in reply_text(response)
    assert await state(bot.store, bot.team_id) == before
    assert await voters_by_ref(bot.store, bot.team_id) == {
        "D-1": {"UV0", "UV1", "UV2"}, "D-2": {"UV0", "UV1"},
    }


async def test_a_merged_duplicate_cannot_be_merged_again(bot: Bot) -> None:
    await two_duplicates(bot)
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Third copy")
    await bot.slack.command("/tradeoff", "merge D-1 D-2")

    again = await bot.slack.command("/tradeoff", "merge D-1 D-3")
    onto = await bot.slack.command("/tradeoff", "merge D-3 D-1")

    assert "D-1 is already merged." in reply_text(again)
    assert "D-1 is already merged." in reply_text(onto)
    assert [s[2:4] for s in await state(bot.store, bot.team_id)] == [
        ("merged", "D-2"), ("open", None), ("open", None),
    ]
    assert await voters_by_ref(bot.store, bot.team_id) == {
        "D-1": set(), "D-2": {"UV0", "UV1", "UV2"}, "D-3": set(),
    }


async def test_another_workspace_cannot_merge_our_items(bot: Bot) -> None:
    await two_duplicates(bot)
    before = await state(bot.store, bot.team_id)
    bot.slack.team_id = bot.team_id + "X"

    response = await bot.slack.command("/tradeoff", "merge D-1 D-2")

    assert response_type(response) == "ephemeral"
    assert "There is no item D-1" in reply_text(response)
    assert await state(bot.store, bot.team_id) == before
    assert await voters_by_ref(bot.store, bot.team_id) == {
        "D-1": {"UV0", "UV1", "UV2"}, "D-2": {"UV0", "UV1"},
    }


async def test_titles_in_the_merge_message_cannot_ping_anyone(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "<!channel> fix <@U999> now")
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Fix & ship <https://evil|x>")

    response = await bot.slack.command("/tradeoff", "merge D-1 D-2")

    text = reply_text(response)
    assert "&lt;!channel&gt; fix &lt;@U999&gt; now" in text
    assert "Fix &amp; ship &lt;https://evil|x&gt;" in text
    assert "<!channel>" not in text and "<@U999>" not in text and "<https:" not in text
