"""👍 on a digest's thread reply is a vote: signed Events API deliveries against the real app."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.domain.items import Kind
from bot.store.models import ProcessedEventRow
from tests.conftest import Bot
from tests.support.items import add_item
from tests.support.slack_requests import reply_text
from tests.support.voting import PostedDigest, post_digest, voters, votes_settled


async def _digest(bot: Bot) -> PostedDigest:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests", size="S")
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Old Postgres", size="L")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "SSO", size="M")
    return await post_digest(bot)


async def test_a_thumbs_up_on_an_item_reply_is_a_vote_and_the_parent_shows_it(bot: Bot) -> None:
    digest = await _digest(bot)

    response = await bot.slack.reaction(digest.reply_ts["D-2"], user_id="UVOTER")

    assert response.status_code == 200
    await votes_settled(bot)
    assert await voters(bot, "D-2") == {"UVOTER"}
    [update] = bot.fake.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == ("C111", digest.parent_ts)
    drawn = str(update.params["blocks"])
    assert "Old Postgres" in drawn and "1 vote" in drawn
    listing = reply_text(await bot.slack.command("/tradeoff", "list"))
    assert "D-2  Old Postgres · 1 vote" in listing


async def test_removing_the_reaction_withdraws_the_vote(bot: Bot) -> None:
    digest = await _digest(bot)
    await bot.slack.reaction(digest.reply_ts["F-1"], user_id="UVOTER")
    await votes_settled(bot)

    await bot.slack.reaction(digest.reply_ts["F-1"], added=False, user_id="UVOTER")
    await votes_settled(bot)

    assert await voters(bot, "F-1") == set()
    assert "0 votes" in str(bot.fake.calls_to("chat.update")[-1].params["blocks"])


async def test_skin_tones_and_aliases_are_one_vote_until_the_last_is_removed(bot: Bot) -> None:
    digest = await _digest(bot)
    ts = digest.reply_ts["D-1"]
    for reaction in ("+1", "+1::skin-tone-2", "thumbsup::skin-tone-6", "thumbsup"):
        await bot.slack.reaction(ts, reaction=reaction, user_id="UVOTER")
    await votes_settled(bot)
    assert await voters(bot, "D-1") == {"UVOTER"}

    for reaction in ("+1", "+1::skin-tone-2", "thumbsup::skin-tone-6"):
        await bot.slack.reaction(ts, added=False, reaction=reaction, user_id="UVOTER")
    await votes_settled(bot)
    assert await voters(bot, "D-1") == {"UVOTER"}  # `thumbsup` is still there

    await bot.slack.reaction(ts, added=False, reaction="thumbsup", user_id="UVOTER")
    await votes_settled(bot)
    assert await voters(bot, "D-1") == set()


async def test_other_emoji_other_messages_and_the_bot_itself_are_ignored(bot: Bot) -> None:
    digest = await _digest(bot)

    await bot.slack.reaction(digest.reply_ts["D-1"], reaction="tada", user_id="UVOTER")
    await bot.slack.reaction(digest.parent_ts, user_id="UVOTER")  # the parent is not an item
    await bot.slack.reaction("1600000000.000001", user_id="UVOTER")  # some other message
    await bot.slack.reaction(digest.reply_ts["D-1"], user_id=bot.fake.bot_user_id)
    await votes_settled(bot)

    for ref in ("D-1", "D-2", "F-1"):
        assert await voters(bot, ref) == set()
    assert bot.fake.calls_to("chat.update") == []


async def test_a_retried_delivery_is_processed_once(bot: Bot) -> None:
    digest = await _digest(bot)
    ts = digest.reply_ts["D-1"]
    await bot.slack.reaction(ts, user_id="UVOTER", event_id="EvADD", event_ts="1700000100.000001")
    await bot.slack.reaction(
        ts, added=False, user_id="UVOTER", event_id="EvREMOVE", event_ts="1700000200.000001"
    )
    await votes_settled(bot)

    # Slack retries the first delivery (it thought we timed out): it must not vote again.
    retry = await bot.slack.reaction(
        ts, user_id="UVOTER", event_id="EvADD", event_ts="1700000100.000001", retry_num=1
    )
    await votes_settled(bot)

    assert retry.status_code == 200
    assert await voters(bot, "D-1") == set()
    async with bot.store.unit_of_work() as uow:
        recorded = await uow.session.scalar(
            select(func.count()).select_from(ProcessedEventRow).where(
                ProcessedEventRow.event_id.in_(["EvADD", "EvREMOVE"])
            )
        )
    assert recorded == 2


async def test_a_removal_that_overtakes_its_addition_still_wins(bot: Bot) -> None:
    digest = await _digest(bot)
    ts = digest.reply_ts["D-1"]

    await bot.slack.reaction(ts, added=False, user_id="UVOTER", event_ts="1700000200.000001")
    await bot.slack.reaction(ts, user_id="UVOTER", event_ts="1700000100.000001")
    await votes_settled(bot)

    assert await voters(bot, "D-1") == set()


async def test_a_vote_on_an_item_closed_since_the_digest_is_ignored_and_shown(bot: Bot) -> None:
    digest = await _digest(bot)
    await bot.slack.command("/tradeoff", "done D-2")

    await bot.slack.reaction(digest.reply_ts["D-2"], user_id="UVOTER")
    await votes_settled(bot)

    assert await voters(bot, "D-2") == set()
    update = bot.fake.calls_to("chat.update")[-1]
    text = str(update.params["blocks"])
    assert "Closed since this digest" in text and "~D-2~ Old Postgres (done)" in text


async def test_fifty_people_voting_at_once_with_retries_count_exactly(bot: Bot) -> None:
    digest = await _digest(bot)
    ts = digest.reply_ts["F-1"]
    users = [f"UCROWD{n:02d}" for n in range(50)]

    async def vote(user: str) -> None:
        event_id = f"Ev{user}"
        # The original delivery and Slack's retry arrive together.
        await asyncio.gather(
            bot.slack.reaction(ts, user_id=user, event_id=event_id),
            bot.slack.reaction(ts, user_id=user, event_id=event_id, retry_num=1),
        )

    await asyncio.gather(*(vote(u) for u in users))
    async with asyncio.timeout(30):
        while len(await voters(bot, "F-1")) < 50:  # noqa: ASYNC110 - polling the database
            await asyncio.sleep(0.05)
    await votes_settled(bot)

    assert await voters(bot, "F-1") == set(users)
    listing = reply_text(await bot.slack.command("/tradeoff", "list"))
    assert "F-1  SSO · 50 votes" in listing


async def test_event_ids_older_than_a_week_are_forgotten(bot: Bot) -> None:
    now = datetime.now(UTC)
    async with bot.store.unit_of_work() as uow:
        assert await uow.votes.first_delivery("EvOLD", bot.team_id, now - timedelta(days=8))
        assert await uow.votes.first_delivery("EvNEW", bot.team_id, now - timedelta(days=1))
        await uow.commit()

    async with bot.store.unit_of_work() as uow:
        await uow.votes.forget_events_before(now - timedelta(days=7))
        await uow.commit()

    async with bot.store.unit_of_work() as uow:
        kept = set(await uow.session.scalars(
            select(ProcessedEventRow.event_id).where(
                ProcessedEventRow.event_id.in_(["EvOLD", "EvNEW"])
            )
        ))
    assert kept == {"EvNEW"}
