"""Who may vote: everyone (the default), the channel's members, or one user group's members.
A 👍 from anyone else is not counted, and they get one ephemeral note per digest saying why."""

from __future__ import annotations

from bot.domain.items import Kind
from tests.conftest import Bot
from tests.support.eventually import eventually
from tests.support.items import add_item
from tests.support.slack_requests import reply_text
from tests.support.voting import PostedDigest, post_digest, voters, votes_settled

MEMBER, OUTSIDER = "UMEMBER", "UOUTSIDE"


async def _digest(bot: Bot) -> PostedDigest:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests", size="S")
    return await post_digest(bot)


async def _notes(bot: Bot, count: int) -> list[str]:
    texts: list[str] = []

    async def check() -> None:
        texts[:] = [str(c.params["text"]) for c in bot.fake.calls_to("chat.postEphemeral")
                    if c.params.get("user") == OUTSIDER]
        assert len(texts) >= count

    await eventually(check)
    return texts


async def test_members_only_counts_people_in_the_channel_across_pages(bot: Bot) -> None:
    # 450 members: three pages of conversations.members at the bot's page size of 200.
    bot.fake.channel_members["C111"] = [f"U{n:05d}" for n in range(449)] + [MEMBER]
    said = reply_text(await bot.slack.command("/tradeoff", "settings voters members"))
    assert "set who may vote here: *members of this channel*" in said
    digest = await _digest(bot)

    await bot.slack.reaction(digest.reply_ts["D-1"], user_id=MEMBER)
    await bot.slack.reaction(digest.reply_ts["D-1"], user_id=OUTSIDER)
    await votes_settled(bot)

    assert await voters(bot, "D-1") == {MEMBER}
    pages = bot.fake.calls_to("conversations.members")
    assert len(pages) == 3  # listed once, then reused for the second vote
    [note] = await _notes(bot, 1)
    assert note.startswith("Your :+1: is not counted: in this channel only members of this "
                           "channel vote")

    # A second refused 👍 on the same digest gets no second note.
    await bot.slack.reaction(digest.reply_ts["D-1"], user_id=OUTSIDER, reaction="thumbsup")
    await votes_settled(bot)
    assert len(await _notes(bot, 1)) == 1
    assert await voters(bot, "D-1") == {MEMBER}


async def test_a_user_group_as_slack_sends_it_decides_who_votes(bot: Bot) -> None:
    bot.fake.user_groups["S0BACKEND"] = [MEMBER]
    said = reply_text(await bot.slack.command(
        "/tradeoff", "settings voters <!subteam^S0BACKEND|@backend>"
    ))
    assert "set who may vote here: *members of @backend*" in said
    assert "<!subteam" not in said
    shown = reply_text(await bot.slack.command("/tradeoff", "settings"))
    assert "Who may vote: *members of @backend*" in shown
    digest = await _digest(bot)

    await bot.slack.reaction(digest.reply_ts["D-1"], user_id=OUTSIDER)
    await bot.slack.reaction(digest.reply_ts["D-1"], user_id=MEMBER)
    await votes_settled(bot)

    assert await voters(bot, "D-1") == {MEMBER}
    [call] = bot.fake.calls_to("usergroups.users.list")
    assert call.params["usergroup"] == "S0BACKEND"
    [note] = await _notes(bot, 1)
    assert "only members of @backend vote" in note


async def test_a_failing_lookup_counts_the_vote_rather_than_lose_it(bot: Bot) -> None:
    bot.fake.channel_members["C111"] = [MEMBER]
    await bot.slack.command("/tradeoff", "settings voters members")
    digest = await _digest(bot)
    bot.fake.http_error("conversations.members", 503, times=5)

    await bot.slack.reaction(digest.reply_ts["D-1"], user_id=OUTSIDER)
    await votes_settled(bot)

    assert await voters(bot, "D-1") == {OUTSIDER}


async def test_a_bad_voters_value_is_explained_and_everyone_still_votes(bot: Bot) -> None:
    said = reply_text(await bot.slack.command("/tradeoff", "settings voters @backend"))
    assert said.startswith(":warning: Say who may vote: `/tradeoff settings voters everyone`")
    digest = await _digest(bot)

    await bot.slack.reaction(digest.reply_ts["D-1"], user_id=OUTSIDER)
    await votes_settled(bot)

    assert await voters(bot, "D-1") == {OUTSIDER}
    assert bot.fake.calls_to("conversations.members") == []
