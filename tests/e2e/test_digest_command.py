"""`/tradeoff digest`: the parent message, its thread, and what is recorded."""

from __future__ import annotations

from bot.domain.items import Kind
from tests.conftest import Bot
from tests.support.digests import messages_of, parents, replies, runs_of, ts_of, wait_until_posted
from tests.support.items import add_item
from tests.support.slack_requests import reply_text


async def test_digest_posts_a_parent_and_one_reply_per_item(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests", votes=2, size="S",
                   urgency="high", interest="6")
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Old Postgres", size="L")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "SSO", votes=4, size="M")

    response = await bot.slack.command("/tradeoff", "digest")
    assert "Posting the tradeoff digest" in reply_text(response)
    await wait_until_posted(bot.store, bot.team_id)

    [parent] = parents(bot.fake)
    assert parent.params["channel"] == "C111"
    blocks = parent.params["blocks"]
    assert blocks[0]["type"] == "header"
    assert blocks[0]["text"]["text"].startswith("Tradeoff digest · week of ")
    first_row = [f["text"] for f in blocks[3]["fields"]]
    assert first_row[0].startswith("*1. D-1* Flaky tests")
    assert "score 6.5" in first_row[0]  # (2 votes + 5 urgency + 6 h) ÷ 2 points (S)
    assert first_row[1].startswith("*1. F-1* SSO")
    text = str(blocks)
    assert "Recommended for the next cycle" in text and "debt budget 20%" in text

    thread = replies(bot.fake)
    assert [c.params["thread_ts"] for c in thread] == [ts_of(parent)] * 3
    assert [c.params["text"].split()[0] for c in thread] == ["D-1", "D-2", "F-1"]

    [run] = await runs_of(bot.store, bot.team_id)
    assert (run.status, run.channel_id, run.parent_ts) == ("complete", "C111", ts_of(parent))
    recorded = await messages_of(bot.store, run.id)
    assert [(m.item_kind, m.item_number, m.message_ts) for m in recorded] == [
        ("debt", 1, ts_of(thread[0])), ("debt", 2, ts_of(thread[1])),
        ("feature", 1, ts_of(thread[2])),
    ]


async def test_thread_replies_are_capped_per_kind_and_the_rest_counted(bot: Bot) -> None:
    for n in range(12):
        await add_item(bot.store, bot.team_id, Kind.DEBT, f"Debt {n}")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Only feature")
    await bot.slack.command("/tradeoff", "settings replies 3")

    await bot.slack.command("/tradeoff", "digest")
    await wait_until_posted(bot.store, bot.team_id)

    thread = replies(bot.fake)
    assert len(thread) == 4  # top 3 debt + the one feature
    hint = str(parents(bot.fake)[0].params["blocks"])
    assert "the other 9 are in `/tradeoff list`" in hint


async def test_empty_channel_gets_a_short_friendly_digest(bot: Bot) -> None:
    await bot.slack.command("/tradeoff", "digest")
    await wait_until_posted(bot.store, bot.team_id)

    [parent] = parents(bot.fake)
    assert "Nothing is open in this channel" in str(parent.params["blocks"])
    assert replies(bot.fake) == []


async def test_quiet_channel_with_nothing_open_gets_no_digest(bot: Bot) -> None:
    await bot.slack.command("/tradeoff", "schedule quiet")

    await bot.slack.command("/tradeoff", "digest")
    await wait_until_posted(bot.store, bot.team_id)

    assert parents(bot.fake) == []
    [notice] = await bot.fake.wait_for("response_url")
    assert "skips empty digests" in notice.params["text"]
    [run] = await runs_of(bot.store, bot.team_id)
    assert run.status == "complete"
