"""The decision record: a number per channel, the alternatives passed over, and the why that a
lead or PM adds from the thread post, shown in history, `show decision <n>` and the export."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.domain.items import Kind
from bot.store.models import DecisionAlternativeRow, DecisionRow
from tests.conftest import Bot
from tests.support.decision_flow import (
    DEV,
    LEAD,
    PM,
    add_record_backlog,
    decide,
    export_done,
    open_why,
    post_redrawn,
    press_why,
    set_sign_off_roles,
    shown_text,
    why_button,
)
from tests.support.exports import by_column, uploaded_csvs
from tests.support.items import add_item
from tests.support.slack_requests import reply_text


async def test_the_decision_post_is_numbered_and_lists_what_was_passed_over(bot: Bot) -> None:
    await set_sign_off_roles(bot)
    await add_record_backlog(bot)

    _, post = await decide(bot)

    text = shown_text(post.params)
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
    await set_sign_off_roles(bot)
    await add_record_backlog(bot)
    await decide(bot)
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Slow CI", size="XS")
    bot.fake.reset()

    _, post = await decide(bot)

    assert post.params["text"] == "Decision recorded: Decision 2"
    history = reply_text(await bot.slack.command("/tradeoff", "history"))
    assert "· Decision 2 · D-3 Slow CI" in history and "· Decision 1 · D-1 Flaky" in history


async def test_someone_without_a_role_is_told_who_may_write_the_why(bot: Bot) -> None:
    await set_sign_off_roles(bot)
    await add_record_backlog(bot)
    _, post = await decide(bot)
    bot.fake.reset()

    await bot.slack.interaction(press_why(bot, why_button(post), "1.1", DEV))

    [told] = await bot.fake.wait_for("response_url")
    assert told.params["response_type"] == "ephemeral"
    assert "Only the channel's tech leads and product managers write the why" in str(
        told.params["text"]
    )
    assert f"<@{LEAD}> (tech lead)" in told.params["text"]
    assert bot.fake.calls_to("views.open") == []


async def test_the_why_is_saved_shown_in_the_thread_history_show_and_export(bot: Bot) -> None:
    await set_sign_off_roles(bot)
    await add_record_backlog(bot)
    _, post = await decide(bot)

    view = await open_why(bot, post, PM)
    assert view["callback_id"] == "decision_why"
    why = "SSO unblocks the *enterprise* deal <@U999>; dark mode can wait & <!channel>"
    bot.slack.user_id = PM
    answer = await bot.slack.interaction(bot.slack.view_submission(view, {"why": why}))

    assert answer.status_code == 200 and b"errors" not in answer.content
    assert post.answer is not None
    update = await post_redrawn(bot, str(post.answer["ts"]))
    shown = shown_text(update.params)
    assert f"*Why* (written by <@{PM}>):" in shown
    assert "&lt;@U999&gt;" in shown and "&lt;!channel&gt;" in shown and "&amp;" in shown
    assert why_button(update)["text"]["text"] == "Edit the why"

    history = reply_text(await bot.slack.command("/tradeoff", "history"))
    assert "· why: SSO unblocks the *enterprise* deal &lt;@U999&gt;" in history
    shown_decision = reply_text(await bot.slack.command("/tradeoff", "show decision 1"))
    assert "*Decision 1*" in shown_decision
    assert ">SSO unblocks the *enterprise* deal &lt;@U999&gt;" in shown_decision
    assert "• *F-2* Dark mode — score 0.2, over capacity" in shown_decision

    bot.slack.user_id = LEAD
    await bot.slack.command("/tradeoff", "export")
    decided = by_column(uploaded_csvs(bot, (await export_done(bot)).params)["Decisions"])
    assert {(d["decision"], d["rationale"], d["rationale_by"]) for d in decided} == {
        ("1", why, PM)
    }

    reopened = await open_why(bot, post, LEAD)
    [block] = reopened["blocks"]
    assert block["element"]["initial_value"] == why


async def test_an_empty_or_over_long_why_stays_in_the_form(bot: Bot) -> None:
    await set_sign_off_roles(bot)
    await add_record_backlog(bot)
    _, post = await decide(bot)
    view = await open_why(bot, post, LEAD)

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
