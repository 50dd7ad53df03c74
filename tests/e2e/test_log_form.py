"""The modal path of `/debt` and `/feature`: opening it, validating it, saving it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.items import ItemDraft, ItemValidationError, Kind, Size, Urgency
from bot.slack.blocks.item_modal import submitted_draft
from tests.conftest import Bot
from tests.support.db import stored_items


def _block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


async def _opened_view(bot: Bot) -> dict[str, Any]:
    [call] = await bot.fake.wait_for("views.open")
    return dict(call.params["view"])


async def test_bare_debt_opens_the_form_and_stores_nothing(bot: Bot) -> None:
    response = await bot.slack.command("/debt", "")

    assert response.status_code == 200
    view = await _opened_view(bot)
    assert view["callback_id"] == "log_item"
    assert view["title"]["text"] == "Log tech debt"
    assert _block(view, "impact")["label"]["text"] == "Business impact"
    assert _block(view, "impact")["optional"] is False
    assert {b["block_id"] for b in view["blocks"] if b["type"] == "input"} == {
        "title", "impact", "size", "urgency", "area", "link",
    }
    assert "initial_value" not in _block(view, "title")["element"]
    assert await stored_items(bot.store, bot.team_id) == []


async def test_title_without_impact_prefills_the_form(bot: Bot) -> None:
    await bot.slack.command("/debt", "Flaky checkout tests")

    view = await _opened_view(bot)
    assert _block(view, "title")["element"]["initial_value"] == "Flaky checkout tests"
    notice = view["blocks"][0]["text"]["text"]
    assert "business impact" in notice and "nothing is saved" in notice
    assert await stored_items(bot.store, bot.team_id) == []


async def test_title_with_blank_impact_counts_as_missing(bot: Bot) -> None:
    await bot.slack.command("/debt", "Flaky checkout tests |   ")

    view = await _opened_view(bot)
    assert _block(view, "title")["element"]["initial_value"] == "Flaky checkout tests"
    assert await stored_items(bot.store, bot.team_id) == []


async def test_feature_without_value_asks_for_user_value(bot: Bot) -> None:
    await bot.slack.command("/feature", "Dark mode")

    view = await _opened_view(bot)
    assert view["title"]["text"] == "Log a feature request"
    assert _block(view, "impact")["label"]["text"] == "User value"
    assert "user value" in view["blocks"][0]["text"]["text"]
    assert await stored_items(bot.store, bot.team_id) == []


async def test_submitting_the_form_stores_every_field_and_confirms_the_id(bot: Bot) -> None:
    await bot.slack.command("/debt", "")
    view = await _opened_view(bot)
    payload = bot.slack.view_submission(
        view,
        {
            "title": "Upgrade PostgreSQL 11",
            "impact": "Out of support; SOC 2 finding in March",
            "size": ("select", "L"),
            "urgency": ("select", "high"),
            "area": "platform",
            "link": "https://jira.example.com/PLAT-12",
        },
    )
    response = await bot.slack.interaction(payload)

    assert response.status_code == 200
    assert response.content in (b"", b"{}") or "errors" not in response.json()
    [row] = await stored_items(bot.store, bot.team_id)
    assert (row.title, row.impact, row.size, row.urgency) == (
        "Upgrade PostgreSQL 11", "Out of support; SOC 2 finding in March", "L", "high",
    )
    assert (row.area, row.link, row.channel_id) == (
        "platform", "https://jira.example.com/PLAT-12", "C111",
    )
    [confirmation] = await bot.fake.wait_for("response_url")
    assert confirmation.params["response_type"] == "ephemeral"
    assert "D-1" in confirmation.params["text"]


async def test_form_errors_are_shown_in_the_form_and_nothing_is_stored(bot: Bot) -> None:
    await bot.slack.command("/feature", "")
    view = await _opened_view(bot)
    payload = bot.slack.view_submission(
        view, {"title": "x" * 201, "impact": "  ", "link": "ftp://nope"}
    )
    response = await bot.slack.interaction(payload)

    body = response.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"title", "impact", "link"}
    assert "200" in body["errors"]["title"]
    assert "user value" in body["errors"]["impact"]
    assert await stored_items(bot.store, bot.team_id) == []


async def test_form_opened_from_a_shortcut_confirms_with_an_ephemeral_message(bot: Bot) -> None:
    await bot.slack.command("/debt", "")
    view = await _opened_view(bot)
    # A form without a response_url (e.g. opened from elsewhere) confirms via chat.postEphemeral.
    view["private_metadata"] = view["private_metadata"].replace(
        bot.slack.response_url, ""
    ).replace('"url": ""', '"url": null')
    payload = bot.slack.view_submission(view, {"title": "T", "impact": "I"})
    await bot.slack.interaction(payload)

    [call] = await bot.fake.wait_for("chat.postEphemeral")
    assert (call.params["channel"], call.params["user"]) == ("C111", "U111")
    assert "D-1" in call.params["text"]


async def test_when_the_form_cannot_open_the_user_gets_the_one_line_syntax(bot: Bot) -> None:
    bot.fake.fail("views.open", "expired_trigger_id")
    await bot.slack.command("/debt", "Flaky tests")

    [reply] = await bot.fake.wait_for("response_url")
    assert "expired_trigger_id" in reply.params["text"]
    shown = reply.params["blocks"][0]["text"]["text"]
    assert "/debt &lt;title&gt; | &lt;business impact&gt;" in shown
    assert await stored_items(bot.store, bot.team_id) == []


FORM_VALUES: dict[str, str | None] = {
    "title": " Flaky tests ", "impact": "CI reruns", "size": "M", "urgency": "high",
    "area": "ci", "link": None, "channel": None,
}


def test_the_log_and_edit_forms_make_their_draft_one_way() -> None:
    logged = submitted_draft(Kind.DEBT, FORM_VALUES)
    # The edit form has no size block, so its values carry none.
    edited = submitted_draft(Kind.FEATURE, {**FORM_VALUES, "size": None})

    assert logged == ItemDraft(Kind.DEBT, "Flaky tests", "CI reruns", Size.M, Urgency.HIGH, "ci")
    assert edited == ItemDraft(Kind.FEATURE, "Flaky tests", "CI reruns", None, Urgency.HIGH, "ci")
    with pytest.raises(ItemValidationError) as refused:
        submitted_draft(Kind.DEBT, {**FORM_VALUES, "impact": " "})
    assert set(refused.value.errors) == {"impact"}
