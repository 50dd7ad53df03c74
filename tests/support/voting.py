"""A digest in place to vote on, and reading votes back."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.domain.items import ItemRef
from bot.store.models import ItemRow, ProcessedEventRow, VoteRow
from tests.conftest import Bot
from tests.support.digests import newest_run_id, parents, replies, ts_of, wait_until_posted
from tests.support.eventually import eventually, quiet


@dataclass(frozen=True)
class PostedDigest:
    run_id: int
    parent_ts: str
    reply_ts: dict[str, str]  # "D-1" → ts of its thread reply


async def post_digest(bot: Bot) -> PostedDigest:
    """`/tradeoff digest` through Slack, waited for until it is complete."""
    before = await newest_run_id(bot.store, bot.team_id)
    await bot.slack.command("/tradeoff", "digest")
    run = await wait_until_posted(bot.store, bot.team_id, after=before)
    parent = next(p for p in parents(bot.fake) if ts_of(p) == run.parent_ts)
    thread = [r for r in replies(bot.fake) if r.params["thread_ts"] == ts_of(parent)]
    return PostedDigest(
        run.id, ts_of(parent), {r.params["text"].split()[0]: ts_of(r) for r in thread}
    )


async def voters(bot: Bot, ref: str) -> set[str]:
    parsed = ItemRef.parse(ref)
    assert parsed is not None
    async with bot.store.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(VoteRow.user_id)
            .join(ItemRow, ItemRow.id == VoteRow.item_id)
            .where(
                ItemRow.team_id == bot.team_id,
                ItemRow.kind == parsed.kind.value,
                ItemRow.number == parsed.number,
            )
        )
        return set(rows)


async def votes_settled(bot: Bot) -> None:
    """Wait until every vote event sent so far is processed and parent redraws have stopped."""
    sent = set(bot.slack.sent_event_ids)

    async def all_processed() -> None:
        async with bot.store.unit_of_work() as uow:
            done = set(await uow.session.scalars(
                select(ProcessedEventRow.event_id).where(ProcessedEventRow.event_id.in_(sent))
            ))
        assert done == sent

    await eventually(all_processed)
    await quiet(bot.fake, "chat.update")
