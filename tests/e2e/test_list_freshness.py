"""`/tradeoff list` keeps built lists while nothing they show changed, and never shows one
after something did: each change below comes between two lists, the first of which is kept."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.items import ItemRef, Kind, Size
from tests.conftest import Bot
from tests.support.items import add_item
from tests.support.slack_requests import reply_text
from tests.support.voting import post_digest, votes_settled


async def _listed(bot: Bot) -> list[str]:
    text = reply_text(await bot.slack.command("/tradeoff", "list"))
    return [line for line in text.splitlines() if line[:2] in ("D-", "F-", "B-")]


async def test_the_list_follows_votes_edits_closes_and_new_items(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Dark mode")
    digest = await post_digest(bot)
    assert await _listed(bot) == ["D-1  Flaky tests · 0 votes", "F-1  Dark mode · 0 votes"]
    assert await _listed(bot) == ["D-1  Flaky tests · 0 votes", "F-1  Dark mode · 0 votes"]

    await bot.slack.reaction(digest.reply_ts["D-1"], user_id="UFAN")
    await votes_settled(bot)
    assert (await _listed(bot))[0] == "D-1  Flaky tests · 1 vote"

    await bot.slack.reaction(digest.reply_ts["D-1"], user_id="UFAN", added=False)
    await votes_settled(bot)
    assert (await _listed(bot))[0] == "D-1  Flaky tests · 0 votes"

    # Another process (or the tracker sync) changes the row: nothing in this one is told.
    async with bot.store.unit_of_work() as uow:
        await uow.items.set_estimate(
            bot.team_id, ItemRef(Kind.DEBT, 1), Size.M, None, "ULEAD", datetime.now(UTC)
        )
        await uow.commit()
    assert (await _listed(bot))[0] == "D-1  Flaky tests · 0 votes · size M"

    await bot.slack.command("/debt", "Old Postgres | upgrades stall")
    assert "D-2  Old Postgres · 0 votes" in await _listed(bot)

    await bot.slack.command("/tradeoff", "done D-1")
    assert [line[:3] for line in await _listed(bot)] == ["D-2", "F-1"]


async def test_hidden_tallies_name_the_voter_who_replaced_a_removed_vote(bot: Bot) -> None:
    """On SQLite a vote's id can be reused once the newest vote is deleted: the list must tell
    the second voter from the first all the same."""
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Dark mode")
    digest = await post_digest(bot)
    await bot.slack.command("/tradeoff", "settings votes hidden")
    assert await _listed(bot) == ["F-1  Dark mode · no votes yet"]

    await bot.slack.reaction(digest.reply_ts["F-1"], user_id="UFIRST")
    await votes_settled(bot)
    assert await _listed(bot) == ["F-1  Dark mode · voted: <@UFIRST>"]
    await bot.slack.reaction(digest.reply_ts["F-1"], user_id="UFIRST", added=False)
    await bot.slack.reaction(digest.reply_ts["F-1"], user_id="USECOND")
    await votes_settled(bot)
    assert await _listed(bot) == ["F-1  Dark mode · voted: <@USECOND>"]

    await bot.slack.command("/tradeoff", "settings votes shown")
    assert await _listed(bot) == ["F-1  Dark mode · 1 vote"]
