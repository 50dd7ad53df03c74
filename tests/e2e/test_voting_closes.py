"""When voting closes: past the channel's voting time reactions change no tally, the parent
says when voting closes, and a decision always freezes the votes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bot.domain.items import Kind
from bot.store.models import DigestRunRow
from tests.conftest import Bot
from tests.support.items import add_item
from tests.support.slack_requests import reply_text
from tests.support.voting import post_digest, voters, votes_settled


async def test_after_voting_closes_reactions_change_no_tally(bot: Bot) -> None:
    said = reply_text(await bot.slack.command("/tradeoff", "settings voting 24"))
    assert "set voting to close *24 hours* after each digest" in said
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests", size="S")
    digest = await post_digest(bot)
    [parent] = [c for c in bot.fake.calls_to("chat.postMessage")
                if c.answer and c.answer["ts"] == digest.parent_ts]
    hint = str(parent.params["blocks"][-1])
    assert "Voting closes " in hint and "reactions after that change no tally" in hint

    await bot.slack.reaction(digest.reply_ts["D-1"], user_id="UEARLY")
    await votes_settled(bot)
    assert await voters(bot, "D-1") == {"UEARLY"}

    # The test's clock: the digest was posted 25 hours ago.
    async with bot.store.unit_of_work() as uow:
        posted = (await uow.digests.get(digest.run_id)).created_at
        await uow.session.execute(update(DigestRunRow).where(DigestRunRow.id == digest.run_id)
                                  .values(created_at=posted - timedelta(hours=25)))
        await uow.commit()
    await bot.slack.reaction(digest.reply_ts["D-1"], user_id="ULATE")
    await bot.slack.reaction(digest.reply_ts["D-1"], user_id="UEARLY", added=False)
    await votes_settled(bot)

    assert await voters(bot, "D-1") == {"UEARLY"}


async def test_voting_open_and_bad_values(bot: Bot) -> None:
    bad = reply_text(await bot.slack.command("/tradeoff", "settings voting soon"))
    assert bad.startswith(":warning: Voting closes a number of hours after the digest, 1 to 168")
    await bot.slack.command("/tradeoff", "settings voting 12")
    assert "Voting: *closes 12 hours* after each digest" in reply_text(
        await bot.slack.command("/tradeoff", "settings")
    )
    await bot.slack.command("/tradeoff", "settings voting open")
    assert "Voting: *open until the decision*" in reply_text(
        await bot.slack.command("/tradeoff", "settings")
    )
