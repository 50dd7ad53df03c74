"""A decided digest in place for tests of the decision record: roles, a backlog whose pick
leaves items out for each reason, the decision and its "Add the why" form."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.domain.items import Kind
from bot.store.models import DecisionRow
from tests.conftest import Bot
from tests.fakes.slack_api import SlackCall
from tests.support.eventually import eventually, quiet
from tests.support.items import add_item
from tests.support.voting import PostedDigest, post_digest

LEAD, PM, DEV = "ULEAD", "UPM", "UDEV"


async def set_sign_off_roles(bot: Bot) -> None:
    await bot.slack.command("/tradeoff", f"role <@{LEAD}|lena> lead")
    bot.slack.user_id = LEAD
    await bot.slack.command("/tradeoff", f"role <@{PM}|pat> pm")


async def add_record_backlog(bot: Bot) -> None:
    """Capacity 7, debt budget 2.1: D-1 and F-1 are picked; F-2 (L) no longer fits, D-2 (XL)
    is bigger than the debt budget, F-3 has no size."""
    await bot.slack.command("/tradeoff", "capacity 7")
    await bot.slack.command("/tradeoff", "budget 30")
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests", size="S", urgency="high")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "SSO", size="M", votes=2)
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Dark mode", size="L")
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Rewrite <!here> importer", size="XL")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Offline mode")


async def press_agree(bot: Bot, digest: PostedDigest, user: str) -> None:
    answers = len(bot.fake.calls_to("response_url"))
    await bot.slack.interaction(
        bot.slack.block_action("agree_pick", str(digest.run_id), digest.parent_ts, user_id=user)
    )
    await bot.fake.wait_for("response_url", count=answers + 1)
    await quiet(bot.fake, "chat.update")


async def decide(bot: Bot) -> tuple[PostedDigest, SlackCall]:
    """A digest decided by the lead and the PM; the decision's thread post."""
    digest = await post_digest(bot)
    await press_agree(bot, digest, LEAD)
    await press_agree(bot, digest, PM)
    posts = [c for c in await bot.fake.wait_for("chat.postMessage")
             if "Decision recorded" in str(c.params.get("text"))
             and c.params.get("thread_ts") == digest.parent_ts]
    assert len(posts) == 1
    await eventually(lambda: post_ts_stored(bot))
    return digest, posts[0]


async def post_ts_stored(bot: Bot) -> None:
    async with bot.store.unit_of_work() as uow:
        rows = list(await uow.session.scalars(
            select(DecisionRow.post_ts).where(DecisionRow.team_id == bot.team_id)
        ))
    assert rows and all(rows)


async def post_redrawn(bot: Bot, ts: str) -> SlackCall:
    found: list[SlackCall] = []

    async def check() -> None:
        found[:] = [c for c in bot.fake.calls_to("chat.update") if c.params.get("ts") == ts]
        assert found

    await eventually(check)
    return found[-1]


async def export_done(bot: Bot) -> SlackCall:
    """The export's upload; a first digest of the month uploads its chart as well."""
    found: list[SlackCall] = []

    async def check() -> None:
        found[:] = [c for c in bot.fake.calls_to("files.completeUploadExternal")
                    if "Decisions" in json.dumps(c.params.get("files")) and c.status]
        assert found

    await eventually(check)
    return found[-1]


def shown_text(message: dict[str, Any]) -> str:
    return "\n".join(
        str(b.get("text", {}).get("text") or b.get("elements", [{}])[0].get("text", ""))
        for b in message["blocks"]
    )


def why_button(post: SlackCall) -> dict[str, Any]:
    [actions] = [b for b in post.params["blocks"] if b.get("block_id") == "decision_why"]
    [button] = actions["elements"]
    assert button["action_id"] == "add_decision_why"
    return dict(button)


def press_why(bot: Bot, button: dict[str, Any], ts: str, user: str) -> dict[str, Any]:
    payload = bot.slack.block_action("add_decision_why", button["value"], ts, user_id=user)
    payload["actions"][0]["block_id"] = "decision_why"
    return payload


async def open_why(bot: Bot, post: SlackCall, user: str) -> dict[str, Any]:
    opened = len(bot.fake.calls_to("views.open"))
    ts = str(post.answer["ts"]) if post.answer else ""
    await bot.slack.interaction(press_why(bot, why_button(post), ts, user))
    form = (await bot.fake.wait_for("views.open", count=opened + 1))[-1]
    view = form.params["view"]
    return dict(view if isinstance(view, dict) else json.loads(view))
