"""A digest waiting for its lead and PM: set it up, press Agree as someone, read the decisions."""

from __future__ import annotations

from sqlalchemy import select

from bot.domain.items import Kind
from bot.store.models import (
    DecisionRow,
)
from tests.conftest import Bot
from tests.support.eventually import quiet
from tests.support.items import add_item
from tests.support.voting import PostedDigest, post_digest

LEAD, PM, DEV = "ULEAD", "UPM", "UDEV"


async def sign_off_roles(bot: Bot) -> None:
    """Lena leads, Pat is the PM; the command after this one comes from Lena."""
    bot.fake.users[LEAD] = {"profile": {"display_name": "Lena"}}
    bot.fake.users[PM] = {"profile": {"display_name": "Pat"}}
    await bot.slack.command("/tradeoff", f"role <@{LEAD}|lena> lead")
    bot.slack.user_id = LEAD
    await bot.slack.command("/tradeoff", f"role <@{PM}|pat> pm")


async def sign_off_setup(bot: Bot) -> PostedDigest:
    await sign_off_roles(bot)
    # Room for D-1 (S, 2 of the 2.1 debt points) and then either F-1 (M) or F-2 (L).
    await bot.slack.command("/tradeoff", "capacity 7")
    await bot.slack.command("/tradeoff", "budget 30")
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests", size="S", urgency="high")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "SSO", size="M", votes=2)
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Dark mode", size="L")
    return await post_digest(bot)


async def press_agree(bot: Bot, digest: PostedDigest, user: str) -> None:
    """Press Agree as `user`, then wait for the bot's answer and the parent's redraw."""
    answers = len(bot.fake.calls_to("response_url"))
    payload = bot.slack.block_action("agree_pick", str(digest.run_id), digest.parent_ts,
                                     user_id=user)
    response = await bot.slack.interaction(payload)
    assert response.status_code == 200
    await bot.fake.wait_for("response_url", count=answers + 1)
    await quiet(bot.fake, "chat.update")


async def recorded_decisions(bot: Bot) -> list[DecisionRow]:
    async with bot.store.unit_of_work() as uow:
        return list(await uow.session.scalars(
            select(DecisionRow).where(DecisionRow.team_id == bot.team_id)
        ))
