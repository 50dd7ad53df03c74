"""`/tradeoff canvas on` keeps a channel canvas "Tradeoff": the open backlog side by side and
the decision log with the why, updated after each digest, decision and why; a workspace
without channel canvases is told once and nothing else changes."""

from __future__ import annotations

from bot.domain.items import Kind
from tests.conftest import Bot
from tests.support.decision_flow import (
    LEAD,
    PM,
    add_record_backlog,
    decide,
    open_why,
    set_sign_off_roles,
)
from tests.support.eventually import eventually, quiet
from tests.support.items import add_item
from tests.support.voting import post_digest


async def _said_later(bot: Bot, count: int = 1) -> list[str]:
    texts: list[str] = []

    async def check() -> None:
        texts[:] = [str(c.params.get("text")) for c in bot.fake.calls_to("response_url")]
        assert len(texts) >= count

    await eventually(check)
    return texts


def _canvas(bot: Bot) -> str:
    [canvas] = [c for c in bot.fake.canvases.values() if c["channel"] == "C111"]
    return canvas["markdown"]


async def test_canvas_on_writes_the_backlog_with_mentions_escaped(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky <!here> tests ![](@U999)", size="S")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "SSO", size="M")

    await bot.slack.command("/tradeoff", "canvas on")

    [said] = await _said_later(bot)
    assert said.startswith('The canvas "Tradeoff" is in the channel\'s tabs')
    markdown = _canvas(bot)
    assert markdown.startswith("# Tradeoff\n\n## Open backlog")
    assert "| Debt and bugs | Features |" in markdown
    assert r"**D-1** Flaky \<\!here\> tests \!\[\]\(\@U999\)" in markdown
    assert "![](@U999)" not in markdown and "<!here>" not in markdown
    assert "**F-1** SSO (score" in markdown
    assert "No decisions yet." in markdown
    async with bot.store.unit_of_work() as uow:
        assert (await uow.channels.get(bot.team_id, "C111")).canvas_on


async def test_the_canvas_follows_digests_decisions_and_the_why(bot: Bot) -> None:
    await set_sign_off_roles(bot)
    await add_record_backlog(bot)
    await bot.slack.command("/tradeoff", "canvas on")
    await _said_later(bot)

    _, post = await decide(bot)
    await eventually(_check_contains(bot, "### Decision 1, "))
    assert "Why: not written yet." in _canvas(bot)

    view = await open_why(bot, post, PM)
    bot.slack.user_id = PM
    await bot.slack.interaction(bot.slack.view_submission(view, {"why": "Acme <@U1> renewal"}))
    await eventually(_check_contains(bot, r"Why: Acme \<\@U1\> renewal"))
    assert len(bot.fake.canvases) == 1  # edited in place, never a second canvas

    bot.slack.user_id = LEAD
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Audit log", size="XS")
    await post_digest(bot)
    await eventually(_check_contains(bot, "Audit log"))


def _check_contains(bot: Bot, text: str):  # type: ignore[no-untyped-def]
    async def check() -> None:
        assert text in _canvas(bot)

    return check


async def test_a_plan_without_channel_canvases_is_said_once_and_nothing_changes(
    bot: Bot,
) -> None:
    bot.fake.fail("conversations.canvases.create", "team_tier_cannot_create_channel_canvases")

    await bot.slack.command("/tradeoff", "canvas on")

    [said] = await _said_later(bot)
    assert said == (":warning: No canvas here: this workspace's Slack plan has no channel "
                    "canvases. Nothing else changes.")
    async with bot.store.unit_of_work() as uow:
        settings = await uow.channels.get(bot.team_id, "C111")
    assert (settings.canvas_on, settings.canvas_id) == (False, None)
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests", size="S")
    await post_digest(bot)
    await quiet(bot.fake, "conversations.canvases.create")
    assert len(bot.fake.calls_to("conversations.canvases.create")) == 1
    assert bot.fake.calls_to("canvases.edit") == []


async def test_canvas_off_stops_updating_it(bot: Bot) -> None:
    await bot.slack.command("/tradeoff", "canvas on")
    await _said_later(bot)
    await bot.slack.command("/tradeoff", "canvas off")
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests", size="S")

    await post_digest(bot)
    await quiet(bot.fake, "canvases.edit")

    assert bot.fake.calls_to("canvases.edit") == []
    assert "Flaky tests" not in _canvas(bot)
