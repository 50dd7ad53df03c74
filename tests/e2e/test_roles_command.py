"""`/tradeoff role` and `/tradeoff roles`: who signs off decisions, per channel and workspace."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from sqlalchemy import select

from bot.store.models import ChannelRoleRow
from bot.store.unit_of_work import Store
from tests.conftest import Bot
from tests.support.slack_requests import reply_text

# Everything in a message Slack would turn into a notification or a link.
_LIVE = re.compile(r"<(?:!|@|#|https?:|mailto:)[^>]*>")
ROLE_EXAMPLE = "`/tradeoff role @jo lead`"


async def stored_roles(store: Store, team_id: str) -> set[tuple[str, str, str]]:
    """(channel, user, role) of every role of the workspace, read straight from the table."""
    async with store.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(ChannelRoleRow).where(ChannelRoleRow.team_id == team_id)
        )
        return {(r.channel_id, r.user_id, r.role) for r in rows}


def response_type(response: httpx.Response) -> str:
    return str(response.json().get("response_type", "ephemeral"))


async def as_user(bot: Bot, user_id: str, text: str) -> httpx.Response:
    bot.slack.user_id = user_id
    response = await bot.slack.command("/tradeoff", text)
    assert response.status_code == 200
    return response


async def test_anyone_may_set_the_first_role_and_the_channel_sees_it(bot: Bot) -> None:
    response = await bot.slack.command("/tradeoff", "role <@U222|jo> lead")

    assert response_type(response) == "in_channel"
    text = reply_text(response)
    assert "<@U222> is now a tech lead in this channel" in text
    assert "(set by <@U111>)" in text
    async with bot.store.unit_of_work() as uow:
        [row] = list(
            await uow.session.scalars(
                select(ChannelRoleRow).where(ChannelRoleRow.team_id == bot.team_id)
            )
        )
    assert (row.team_id, row.channel_id, row.user_id, row.role) == (
        bot.team_id, "C111", "U222", "lead",
    )
    assert row.assigned_by == "U111"
    assert row.assigned_at is not None

    listed = await bot.slack.command("/tradeoff", "roles")

    assert response_type(listed) == "ephemeral"
    assert reply_text(listed).splitlines()[0] == (
        "Tech leads: <@U222>. Product managers: nobody yet."
    )
    assert bot.fake.calls_to("chat.postMessage") == []  # replies go in the ack only


async def test_a_channel_without_roles_says_how_to_set_them(bot: Bot) -> None:
    response = await bot.slack.command("/tradeoff", "roles")

    assert response_type(response) == "ephemeral"
    text = reply_text(response)
    assert "No roles yet" in text
    assert ROLE_EXAMPLE in text
    assert await stored_roles(bot.store, bot.team_id) == set()


async def test_a_bare_mention_and_an_upper_case_role_are_understood(bot: Bot) -> None:
    response = await bot.slack.command("/tradeoff", "role <@U333> PM")

    assert response_type(response) == "in_channel"
    assert "<@U333> is now a product manager" in reply_text(response)
    assert await stored_roles(bot.store, bot.team_id) == {("C111", "U333", "pm")}


async def refuse_three_changes(bot: Bot) -> list[httpx.Response]:
    """U222 leads C111; U999, who holds no role, tries three changes."""
    await bot.slack.command("/tradeoff", "role <@U222|jo> lead")
    return [
        await as_user(bot, "U999", "role <@U999|me> lead"),
        await as_user(bot, "U999", "role <@U222|jo> none"),
        await as_user(bot, "U999", "role <@U333|pat> pm"),
    ]


async def test_someone_without_a_role_is_refused_and_nothing_changes(bot: Bot) -> None:
    refused = await refuse_three_changes(bot)

    for response in refused:
        assert response_type(response) == "ephemeral"
        text = reply_text(response)
        assert text.startswith(
            ":warning: Only this channel's tech leads and product managers can change its roles."
        )
        assert "Tech leads: <@U222>. Product managers: nobody yet." in text
        assert "is now" not in text and "no longer" not in text
    assert await stored_roles(bot.store, bot.team_id) == {("C111", "U222", "lead")}
    # Whoever set the first role holds none, so they cannot change roles either.
    again = await as_user(bot, "U111", "role <@U111> pm")
    assert "Only this channel's tech leads" in reply_text(again)
    assert await stored_roles(bot.store, bot.team_id) == {("C111", "U222", "lead")}
    assert bot.fake.calls_to("chat.postMessage") == []


async def test_a_lead_adds_a_pm_and_removes_someone_with_none(bot: Bot) -> None:
    await bot.slack.command("/tradeoff", "role <@U222|jo> lead")

    added = await as_user(bot, "U222", "role <@U333|pat> pm")
    second = await as_user(bot, "U222", "role <@U444|sam> lead")
    removed = await as_user(bot, "U222", "role <@U444|sam> none")

    assert response_type(added) == "in_channel"
    assert "<@U333> is now a product manager in this channel (set by <@U222>)." in (
        reply_text(added)
    )
    assert "<@U444> is now a tech lead" in reply_text(second)
    assert response_type(removed) == "in_channel"
    assert "<@U444> no longer has a role in this channel (set by <@U222>)." in (
        reply_text(removed)
    )
    assert await stored_roles(bot.store, bot.team_id) == {
        ("C111", "U222", "lead"), ("C111", "U333", "pm"),
    }
    listed = reply_text(await as_user(bot, "U999", "roles"))
    assert "Tech leads: <@U222>. Product managers: <@U333>." in listed
    assert "U444" not in listed


async def test_a_pm_may_change_roles_too(bot: Bot) -> None:
    await bot.slack.command("/tradeoff", "role <@U222|jo> lead")
    await as_user(bot, "U222", "role <@U333|pat> pm")

    response = await as_user(bot, "U333", "role <@U222|jo> none")

    assert "<@U222> no longer has a role" in reply_text(response)
    assert await stored_roles(bot.store, bot.team_id) == {("C111", "U333", "pm")}


@pytest.mark.parametrize(
    "text",
    [
        "role",
        "role lead",
        "role <@U222|jo>",
        "role jo lead",
        "role @jo lead",
        "role <@U222|jo> boss",
        "role <@U222|jo> lead now",
        "role lead <@U222|jo>",
        "role <#C222|general> lead",
        "role <!channel> lead",
    ],
)
async def test_bad_input_gets_the_example_and_stores_nothing(bot: Bot, text: str) -> None:
    response = await bot.slack.command("/tradeoff", text)

    assert response_type(response) == "ephemeral"
    shown = reply_text(response)
    assert shown.startswith(":warning: Mention the person and the role")
    assert ROLE_EXAMPLE in shown
    assert "is now" not in shown
    assert await stored_roles(bot.store, bot.team_id) == set()


async def test_roles_belong_to_one_channel_of_one_workspace(bot: Bot) -> None:
    await bot.slack.command("/tradeoff", "role <@U222|jo> lead")

    bot.slack.channel_id = "C222"
    other_channel = reply_text(await bot.slack.command("/tradeoff", "roles"))
    # C222 has no roles yet, so anyone may set its first one...
    first_there = await as_user(bot, "U999", "role <@U999|me> pm")
    # ...and C111's lead has no say in C222.
    refused = await as_user(bot, "U222", "role <@U999|me> none")

    assert "No roles yet" in other_channel
    assert "<@U999> is now a product manager" in reply_text(first_there)
    assert response_type(refused) == "ephemeral"
    assert "Only this channel's tech leads" in reply_text(refused)
    assert "Tech leads: nobody yet. Product managers: <@U999>." in reply_text(refused)
    assert await stored_roles(bot.store, bot.team_id) == {
        ("C111", "U222", "lead"), ("C222", "U999", "pm"),
    }

    other_team = bot.team_id + "X"
    bot.slack.team_id = other_team
    bot.slack.channel_id = "C111"
    elsewhere = reply_text(await as_user(bot, "U777", "roles"))
    set_there = await as_user(bot, "U777", "role <@U777> lead")

    assert "No roles yet" in elsewhere
    assert "<@U777> is now a tech lead" in reply_text(set_there)
    assert await stored_roles(bot.store, other_team) == {("C111", "U777", "lead")}
    assert await stored_roles(bot.store, bot.team_id) == {
        ("C111", "U222", "lead"), ("C222", "U999", "pm"),
    }
    bot.slack.team_id = bot.team_id
    home = reply_text(await as_user(bot, "U111", "roles"))
    assert "Tech leads: <@U222>. Product managers: nobody yet." in home


async def test_the_channel_reply_pings_only_the_people_concerned(bot: Bot) -> None:
    await bot.slack.command("/tradeoff", "role <@U222|jo> lead")
    await as_user(bot, "U222", "role <@U333|pat> pm")
    await as_user(bot, "U222", "role <@U444|sam> lead")

    for text, expected in [
        ("role <@U555|kim> pm", {"<@U555>", "<@U222>"}),
        ("role <@U444|sam> none", {"<@U444>", "<@U222>"}),
        ("role <@U444|sam> pm", {"<@U444>", "<@U222>"}),
    ]:
        response = await as_user(bot, "U222", text)
        assert response_type(response) == "in_channel"
        live = set(_LIVE.findall(json.dumps(response.json())))
        assert live == expected, text

    assert bot.fake.calls_to("chat.postMessage") == []
    assert await stored_roles(bot.store, bot.team_id) == {
        ("C111", "U222", "lead"), ("C111", "U333", "pm"), ("C111", "U444", "pm"),
        ("C111", "U555", "pm"),
    }
