"""The decision record: a number per channel, the alternatives passed over, and the why that a
lead or PM adds from the thread post, shown in history, `show decision <n>` and the export."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.domain.items import Kind
from bot.store.models import DecisionAlternativeRow, DecisionRow
from tests.conftest import Bot
from tests.fakes.slack_api import SlackCall
from tests.support.eventually import eventually, quiet
from tests.support.items import add_item
from tests.support.slack_requests import reply_text
from tests.support.voting import PostedDigest, post_digest
from tests.test_history_export import by_column, uploaded_csvs

LEAD, PM, DEV = "ULEAD", "UPM", "UDEV"


async def _roles(bot: Bot) -> None:
    await bot.slack.command("/tradeoff", f"role <@{LEAD}|lena> lead")
    bot.slack.user_id = LEAD
    await bot.slack.command("/tradeoff", f"role <@{PM}|pat> pm")


async def _backlog(bot: Bot) -> None:
    """Capacity 7, debt budget 2.1: D-1 and F-1 are picked; F-2 (L) no longer fits, D-2 (XL)
    is bigger than the debt budget, F-3 has no size."""
    await bot.slack.command("/tradeoff", "capacity 7")
    await bot.slack.command("/tradeoff", "budget 30")
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests", size="S", urgency="high")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "SSO", size="M", votes=2)
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Dark mode", size="L")
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Rewrite <!here> importer", size="XL")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Offline mode")


async def _press_agree(bot: Bot, digest: PostedDigest, user: str) -> None:
    answers = len(bot.fake.calls_to("response_url"))
    await bot.slack.interaction(
        bot.slack.block_action("agree_pick", str(digest.run_id), digest.parent_ts, user_id=user)
    )
    await bot.fake.wait_for("response_url", count=answers + 1)
    await quiet(bot.fake, "chat.update")


async def _decide(bot: Bot) -> tuple[PostedDigest, SlackCall]:
    """A digest decided by the lead and the PM; the decision's thread post."""
    digest = await post_digest(bot)
    await _press_agree(bot, digest, LEAD)
    await _press_agree(bot, digest, PM)
    posts = [c for c in await bot.fake.wait_for("chat.postMessage")
             if "Decision recorded" in str(c.params.get("text"))
             and c.params.get("thread_ts") == digest.parent_ts]
    assert len(posts) == 1
    await eventually(lambda: _post_ts_stored(bot))
    return digest, posts[0]


async def _post_ts_stored(bot: Bot) -> None:
    async with bot.store.unit_of_work() as uow:
        rows = list(await uow.session.scalars(
            select(DecisionRow.post_ts).where(DecisionRow.team_id == bot.team_id)
        ))
    assert rows and all(rows)


async def _post_redrawn(bot: Bot, ts: str) -> SlackCall:
    found: list[SlackCall] = []

    async def check() -> None:
        found[:] = [c for c in bot.fake.calls_to("chat.update") if c.params.get("ts") == ts]
        assert found

    await eventually(check)
    return found[-1]


async def _export_done(bot: Bot) -> SlackCall:
    """The export's upload; a first digest of the month uploads its chart as well."""
    found: list[SlackCall] = []

    async def check() -> None:
        found[:] = [c for c in bot.fake.calls_to("files.completeUploadExternal")
                    if "Decisions" in json.dumps(c.params.get("files")) and c.status]
        assert found

    await eventually(check)
    return found[-1]


def _text(message: dict[str, Any]) -> str:
    return "\n".join(
        str(b.get("text", {}).get("text") or b.get("elements", [{}])[0].get("text", ""))
        for b in message["blocks"]
    )


def _why_button(post: SlackCall) -> dict[str, Any]:
    [actions] = [b for b in post.params["blocks"] if b.get("block_id") == "decision_why"]
    [button] = actions["elements"]
    assert button["action_id"] == "add_decision_why"
    return dict(button)


def _press_why(bot: Bot, button: dict[str, Any], ts: str, user: str) -> dict[str, Any]:
    payload = bot.slack.block_action("add_decision_why", button["value"], ts, user_id=user)
    payload["actions"][0]["block_id"] = "decision_why"
    return payload


async def _open_why(bot: Bot, post: SlackCall, user: str) -> dict[str, Any]:
    opened = len(bot.fake.calls_to("views.open"))
    ts = str(post.answer["ts"]) if post.answer else ""
    await bot.slack.interaction(_press_why(bot, _why_button(post), ts, user))
    form = (await bot.fake.wait_for("views.open", count=opened + 1))[-1]
    view = form.params["view"]
    return dict(view if isinstance(view, dict) else json.loads(view))


async def test_the_decision_post_is_numbered_and_lists_what_was_passed_over(bot: Bot) -> None:
    await _roles(bot)
    await _backlog(bot)

    _, post = await _decide(bot)

    text = _text(post.params)
    assert post.params["text"] == "Decision recorded: Decision 1"
    assert "*Decision recorded: Decision 1*" in text
    assert "*Alternatives considered* (not picked):\n" in text
    assert (
        "• *F-2* Dark mode — score 0.2, over capacity\n"
        "• *D-2* Rewrite &lt;!here&gt; importer — score 0.1, over budget\n"
        "• *F-3* Offline mode — no score, unsized"
    ) in text
    assert "<!here>" not in json.dumps(post.params)
    async with bot.store.unit_of_work() as uow:
        stored = list(await uow.session.scalars(
            select(DecisionAlternativeRow)
            .join(DecisionRow, DecisionRow.id == DecisionAlternativeRow.decision_id)
            .where(DecisionRow.team_id == bot.team_id)
            .order_by(DecisionAlternativeRow.id)
        ))
    assert [(a.item_kind, a.item_number, a.reason) for a in stored] == [
        ("feature", 2, "over capacity"), ("debt", 2, "over budget"), ("feature", 3, "unsized"),
    ]


async def test_the_next_decision_of_the_channel_is_number_two(bot: Bot) -> None:
    await _roles(bot)
    await _backlog(bot)
    await _decide(bot)
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Slow CI", size="XS")
    bot.fake.reset()

    _, post = await _decide(bot)

    assert post.params["text"] == "Decision recorded: Decision 2"
    history = reply_text(await bot.slack.command("/tradeoff", "history"))
    assert "· Decision 2 · D-3 Slow CI" in history and "· Decision 1 · D-1 Flaky" in history


async def test_someone_without_a_role_is_told_who_may_write_the_why(bot: Bot) -> None:
    await _roles(bot)
    await _backlog(bot)
    _, post = await _decide(bot)
    bot.fake.reset()

    await bot.slack.interaction(_press_why(bot, _why_button(post), "1.1", DEV))

    [told] = await bot.fake.wait_for("response_url")
    assert told.params["response_type"] == "ephemeral"
    assert "Only the channel's tech leads and product managers write the why" in str(
        told.params["text"]
    )
    assert f"<@{LEAD}> (tech lead)" in told.params["text"]
    assert bot.fake.calls_to("views.open") == []


async def test_the_why_is_saved_shown_in_the_thread_history_show_and_export(bot: Bot) -> None:
    await _roles(bot)
    await _backlog(bot)
    _, post = await _decide(bot)

    view = await _open_why(bot, post, PM)
    assert view["callback_id"] == "decision_why"
    why = "SSO unblocks the *enterprise* deal <@U999>; dark mode can wait & <!channel>"
    bot.slack.user_id = PM
    answer = await bot.slack.interaction(bot.slack.view_submission(view, {"why": why}))

    assert answer.status_code == 200 and b"errors" not in answer.content
    assert post.answer is not None
    update = await _post_redrawn(bot, str(post.answer["ts"]))
    shown = _text(update.params)
    assert f"*Why* (written by <@{PM}>):" in shown
    assert "&lt;@U999&gt;" in shown and "&lt;!channel&gt;" in shown and "&amp;" in shown
    assert _why_button(update)["text"]["text"] == "Edit the why"

    history = reply_text(await bot.slack.command("/tradeoff", "history"))
    assert "· why: SSO unblocks the *enterprise* deal &lt;@U999&gt;" in history
    shown_decision = reply_text(await bot.slack.command("/tradeoff", "show decision 1"))
    assert "*Decision 1*" in shown_decision
    assert ">SSO unblocks the *enterprise* deal &lt;@U999&gt;" in shown_decision
    assert "• *F-2* Dark mode — score 0.2, over capacity" in shown_decision

    bot.slack.user_id = LEAD
    await bot.slack.command("/tradeoff", "export")
    decided = by_column(uploaded_csvs(bot, (await _export_done(bot)).params)["Decisions"])
    assert {(d["decision"], d["rationale"], d["rationale_by"]) for d in decided} == {
        ("1", why, PM)
    }

    reopened = await _open_why(bot, post, LEAD)
    [block] = reopened["blocks"]
    assert block["element"]["initial_value"] == why


async def test_an_empty_or_over_long_why_stays_in_the_form(bot: Bot) -> None:
    await _roles(bot)
    await _backlog(bot)
    _, post = await _decide(bot)
    view = await _open_why(bot, post, LEAD)

    empty = await bot.slack.interaction(bot.slack.view_submission(view, {"why": "   "}))
    too_long = await bot.slack.interaction(bot.slack.view_submission(view, {"why": "x" * 2005}))

    assert empty.json() == {"response_action": "errors", "errors": {
        "why": "Write a sentence or two on why this pick was made."}}
    assert too_long.json()["errors"]["why"].startswith("That is 5 characters over the 2,000")
    async with bot.store.unit_of_work() as uow:
        assert list(await uow.session.scalars(
            select(DecisionRow.rationale).where(DecisionRow.team_id == bot.team_id)
        )) == [None]


async def test_show_decision_with_a_bad_or_unknown_number_says_how(bot: Bot) -> None:
    missing = reply_text(await bot.slack.command("/tradeoff", "show decision 4"))
    bad = reply_text(await bot.slack.command("/tradeoff", "show decision x"))

    assert "This channel has no decision 4" in missing
    assert "Say which decision by its number: `/tradeoff show decision 3`" in bad
