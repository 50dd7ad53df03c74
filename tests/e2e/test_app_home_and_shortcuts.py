"""The App Home tab, the message shortcuts, and the item menu (edit, done, drop) on thread
replies and on Home: what Slack receives, what the database holds, what the person sees."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.domain.decisions import Role
from bot.domain.items import Kind
from bot.store.models import ItemChangeRow
from tests.conftest import Bot
from tests.support.block_limits import limit_violations
from tests.support.db import stored_items
from tests.support.eventually import eventually
from tests.support.home import (
    home_action,
    initial,
    menu_choice,
    open_home,
    opened_view,
    shortcut_payload,
    thread_menu,
)
from tests.support.items import add_item
from tests.support.mentions import live_tokens
from tests.support.slack_requests import reply_text

OTHER_CHANNEL = "C222"
SECRET_CHANNEL = "C999"


def home_texts(view: dict[str, Any]) -> str:
    """Everything a person reads on the Home tab, as one string."""
    parts = []
    for block in view["blocks"]:
        if "text" in block:
            parts.append(block["text"]["text"])
        parts += [f["text"] for f in block.get("fields", [])]
        parts += [e.get("text", "") for e in block.get("elements", []) if isinstance(e, dict)
                  and isinstance(e.get("text"), str)]
    return "\n".join(parts)


# --- App Home ------------------------------------------------------------------------------


async def test_home_shows_only_the_persons_channels_side_by_side_with_votes_and_scores(
    bot: Bot,
) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky deploys", votes=3, size="S")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Dark mode", votes=1, size="M")
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Secret migration",
                   channel_id=SECRET_CHANNEL)
    bot.fake.memberships["U111"] = ["C111", OTHER_CHANNEL]

    view = await open_home(bot)

    text = home_texts(view)
    assert view["type"] == "home"
    assert "<#C111>" in text and "Flaky deploys" in text and "Dark mode" in text
    assert "3 votes" in text and "score" in text.lower()
    assert "Secret migration" not in text and SECRET_CHANNEL not in text
    assert "no weekly digest scheduled" in text
    buttons = [e["action_id"] for b in view["blocks"] if b["type"] == "actions"
               for e in b["elements"]]
    assert buttons == ["home_log_debt", "home_log_bug", "home_log_feature"]
    assert len(view["blocks"]) <= 100 and limit_violations(view) == []
    [lookup] = bot.fake.calls_to("users.conversations")
    assert lookup.params["user"] == "U111"


async def test_home_shows_the_next_digest_and_the_persons_own_items(bot: Bot) -> None:
    await bot.slack.command("/tradeoff", "schedule monday 09:00 Europe/Berlin")
    await bot.slack.command("/debt", "Slow CI | 20 minutes per build")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Someone else's idea")
    bot.fake.memberships["U111"] = ["C111"]

    view = await open_home(bot)

    text = home_texts(view)
    assert "next digest Mon" in text and "09:00 Europe/Berlin" in text
    own = [b for b in view["blocks"] if b.get("accessory", {}).get("type") == "overflow"]
    assert len(own) == 1 and "D-1" in own[0]["text"]["text"]
    values = [o["value"] for o in own[0]["accessory"]["options"]]
    assert values == ["edit:D-1", "done:D-1", "drop:D-1"]


async def test_home_never_pings_and_escapes_what_people_typed(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "<!channel> fix <@U999> & <!here>")
    bot.fake.memberships["U111"] = ["C111"]

    view = await open_home(bot)

    # `<#C111>` is the channel's name as Slack shows it, built from Slack's own channel id.
    assert live_tokens(view, allowed=("<#C111>",)) == []
    assert "&lt;!channel&gt;" in home_texts(view)


async def test_home_explains_when_slack_will_not_list_the_persons_channels(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky deploys")
    bot.fake.fail("users.conversations", "missing_scope")

    view = await open_home(bot)

    text = home_texts(view)
    assert "channels:read" in text
    assert "Flaky deploys" not in text


async def test_home_buttons_open_the_log_form_with_a_channel_picker_and_save_there(
    bot: Bot,
) -> None:
    bot.fake.memberships["U111"] = [OTHER_CHANNEL]
    await bot.slack.interaction(home_action(bot, {
        "action_id": "home_log_debt", "block_id": "home_log", "type": "button",
        "text": {"type": "plain_text", "text": "Log tech debt"}, "action_ts": "1.2"}))
    [form] = await bot.fake.wait_for("views.open")
    view = opened_view(form)
    assert view["title"]["text"] == "Log tech debt"
    assert any(b.get("block_id") == "channel" for b in view["blocks"])

    payload = bot.slack.view_submission(view, {"title": "Old cron box", "impact": "Pages at 3am"})
    payload["view"]["state"]["values"]["channel"] = {
        "value": {"type": "conversations_select", "selected_conversation": OTHER_CHANNEL}
    }
    answer = await bot.slack.interaction(payload)

    assert answer.status_code == 200 and b"errors" not in answer.content
    [row] = await stored_items(bot.store, bot.team_id)
    assert (row.title, row.channel_id, row.author_id) == ("Old cron box", OTHER_CHANNEL, "U111")
    [confirmation] = await bot.fake.wait_for("chat.postEphemeral")
    assert confirmation.params["channel"] == OTHER_CHANNEL
    [*_, redraw] = await bot.fake.wait_for("views.publish")
    assert "Old cron box" in home_texts(opened_view(redraw))


async def test_the_home_form_without_a_channel_keeps_the_form_open_with_an_error(
    bot: Bot,
) -> None:
    await bot.slack.interaction(home_action(bot, {
        "action_id": "home_log_feature", "block_id": "home_log", "type": "button",
        "text": {"type": "plain_text", "text": "Log a feature request"}, "action_ts": "1.2"}))
    view = opened_view((await bot.fake.wait_for("views.open"))[0])

    answer = await bot.slack.interaction(
        bot.slack.view_submission(view, {"title": "Dark mode", "impact": "Night shift"})
    )

    assert answer.json()["response_action"] == "errors"
    assert "channel" in answer.json()["errors"]
    assert await stored_items(bot.store, bot.team_id) == []


# --- Message shortcuts ---------------------------------------------------------------------


async def test_log_as_tech_debt_prefills_the_form_from_the_message_with_a_permalink(
    bot: Bot,
) -> None:
    text = "Deploys fail every Friday &amp; nobody knows why\nWe lost 3 hours &lt;again&gt;"
    await bot.slack.interaction(shortcut_payload(bot, "log_message_as_debt", text))

    [form] = await bot.fake.wait_for("views.open")
    view = opened_view(form)
    assert view["title"]["text"] == "Log tech debt"
    assert initial(view, "title") == "Deploys fail every Friday & nobody knows why"
    assert initial(view, "impact") == (
        "Deploys fail every Friday & nobody knows why\nWe lost 3 hours <again>"
    )
    assert initial(view, "link") == "https://example.slack.com/archives/C111/p1583636382000300"
    [lookup] = bot.fake.calls_to("chat.getPermalink")
    assert lookup.params["message_ts"] == "1583636382.000300"

    await bot.slack.interaction(bot.slack.view_submission(view, {
        "title": initial(view, "title"), "impact": initial(view, "impact"),
        "link": initial(view, "link")}))
    [row] = await stored_items(bot.store, bot.team_id)
    assert (row.kind, row.channel_id) == ("debt", "C111")
    assert row.link == "https://example.slack.com/archives/C111/p1583636382000300"


async def test_log_as_feature_falls_back_to_the_archive_link_and_clips_the_title(
    bot: Bot,
) -> None:
    bot.fake.fail("chat.getPermalink", "message_not_found")
    await bot.slack.interaction(
        shortcut_payload(bot, "log_message_as_feature", "x" * 500 + "\nsecond line")
    )

    view = opened_view((await bot.fake.wait_for("views.open"))[0])
    assert view["title"]["text"] == "Log a feature request"
    assert len(initial(view, "title")) == 200
    assert initial(view, "link") == "https://acme.slack.com/archives/C111/p1583636382000300"
    assert await stored_items(bot.store, bot.team_id) == []  # nothing until the form is saved


# --- The item menu: edit, done, drop -------------------------------------------------------


async def test_edit_from_a_thread_reply_saves_the_change_and_the_audit_trail(bot: Bot) -> None:
    await bot.slack.command("/debt", "Flaky deploys | two rollbacks a week")

    await bot.slack.interaction(thread_menu(bot, "edit:D-1"))
    view = opened_view((await bot.fake.wait_for("views.open"))[0])
    assert view["title"]["text"] == "Edit D-1"
    assert initial(view, "title") == "Flaky deploys"
    assert initial(view, "impact") == "two rollbacks a week"

    answer = await bot.slack.interaction(bot.slack.view_submission(view, {
        "title": "Flaky deploys on Fridays", "impact": "two rollbacks a week",
        "urgency": ("select", "high")}))

    assert answer.status_code == 200 and b"errors" not in answer.content
    [row] = await stored_items(bot.store, bot.team_id)
    assert (row.title, row.urgency) == ("Flaky deploys on Fridays", "high")
    async with bot.store.unit_of_work() as uow:
        changes = list(await uow.session.scalars(
            select(ItemChangeRow).where(ItemChangeRow.team_id == bot.team_id)
            .order_by(ItemChangeRow.id)))
    assert [(c.field, c.old_value, c.new_value, c.changed_by) for c in changes[1:]] == [
        ("title", "Flaky deploys", "Flaky deploys on Fridays", "U111"),
        ("urgency", None, "high", "U111"),
    ]
    [note] = await bot.fake.wait_for("chat.postEphemeral")
    assert "changed title, urgency" in note.params["text"]
    shown = reply_text(await bot.slack.command("/tradeoff", "show D-1"))
    assert "Flaky deploys on Fridays" in shown and "title" in shown


async def test_only_the_author_or_the_channels_lead_or_pm_may_edit(bot: Bot) -> None:
    await bot.slack.command("/debt", "Flaky deploys | two rollbacks a week")

    await bot.slack.interaction(thread_menu(bot, "edit:D-1", user_id="USTRANGER"))

    [refusal] = await bot.fake.wait_for("chat.postEphemeral")
    assert refusal.params["user"] == "USTRANGER"
    assert "lead or PM" in refusal.params["text"]
    assert bot.fake.calls_to("views.open") == []

    async with bot.store.unit_of_work() as uow:
        await uow.roles.assign(bot.team_id, "C111", "ULEAD", Role.LEAD, "U111",
                               datetime.now(UTC))
        await uow.commit()
    await bot.slack.interaction(thread_menu(bot, "edit:D-1", user_id="ULEAD"))
    await bot.fake.wait_for("views.open")


async def test_an_edit_that_breaks_the_rules_stays_in_the_form_and_changes_nothing(
    bot: Bot,
) -> None:
    await bot.slack.command("/debt", "Flaky deploys | two rollbacks a week")
    await bot.slack.interaction(thread_menu(bot, "edit:D-1"))
    view = opened_view((await bot.fake.wait_for("views.open"))[0])

    answer = await bot.slack.interaction(
        bot.slack.view_submission(view, {"title": "", "impact": "still bad"})
    )

    assert set(answer.json()["errors"]) == {"title"}
    [row] = await stored_items(bot.store, bot.team_id)
    assert row.title == "Flaky deploys"


async def test_done_from_a_thread_reply_closes_the_item_and_tells_the_channel(bot: Bot) -> None:
    await bot.slack.command("/debt", "Flaky deploys | two rollbacks a week")

    await bot.slack.interaction(thread_menu(bot, "done:D-1"))

    [announcement] = await bot.fake.wait_for("chat.postMessage")
    assert announcement.params["channel"] == "C111"
    assert "D-1" in announcement.params["text"] and "marked done" in announcement.params["text"]
    [row] = await stored_items(bot.store, bot.team_id)
    assert (row.status, row.closed_by) == ("done", "U111")

    await bot.slack.interaction(thread_menu(bot, "drop:D-1"))
    [refusal] = await bot.fake.wait_for("chat.postEphemeral")
    assert "already done" in refusal.params["text"]


async def test_drop_from_home_closes_the_item_and_redraws_home(bot: Bot) -> None:
    await bot.slack.command("/debt", "Flaky deploys | two rollbacks a week")
    bot.fake.memberships["U111"] = ["C111"]

    await bot.slack.interaction(home_action(bot, menu_choice("drop:D-1")))

    [redraw] = await bot.fake.wait_for("views.publish")
    assert "Flaky deploys" not in home_texts(opened_view(redraw))
    [row] = await stored_items(bot.store, bot.team_id)
    assert row.status == "dropped"


async def test_the_menu_on_an_unknown_item_says_so_on_home_and_changes_nothing(bot: Bot) -> None:
    bot.fake.memberships["U111"] = ["C111"]

    await bot.slack.interaction(home_action(bot, menu_choice("done:D-42")))

    [redraw] = await bot.fake.wait_for("views.publish")
    assert "no item D-42" in home_texts(opened_view(redraw))


async def test_thread_replies_carry_the_item_menu(bot: Bot) -> None:
    await bot.slack.command("/debt", "Flaky deploys | two rollbacks a week")

    await bot.slack.command("/tradeoff", "digest")

    async def replied() -> None:
        replies = [c for c in bot.fake.calls_to("chat.postMessage") if c.params.get("thread_ts")]
        assert replies
        blocks = replies[0].params["blocks"]
        blocks = blocks if isinstance(blocks, list) else json.loads(blocks)
        menus = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
        assert [o["value"] for o in menus[0]["options"]] == ["edit:D-1", "done:D-1", "drop:D-1"]

    await eventually(replied)
