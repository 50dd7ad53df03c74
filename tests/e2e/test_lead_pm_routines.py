"""The lead's and the PM's routines: `/tradeoff estimate`, `interest` and `show`, the Estimate
button and modal, and unsized items in the digest."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.domain.items import Kind
from bot.store.models import ItemChangeRow, ItemRow
from tests.conftest import Bot
from tests.support.digests import parents, replies, ts_of
from tests.support.items import add_item
from tests.support.slack_requests import reply_text
from tests.support.voting import post_digest

LEAD, PM, DEV = "ULEAD", "UPM", "UDEV"
Change = tuple[str, str | None, str | None, str]


def response_type(response: httpx.Response) -> str:
    return str(response.json().get("response_type", "ephemeral"))


async def set_roles(bot: Bot) -> None:
    """ULEAD leads the channel and UPM manages its product; commands then come from the lead."""
    first = await bot.slack.command("/tradeoff", f"role <@{LEAD}|lena> lead")
    assert first.status_code == 200
    bot.slack.user_id = LEAD
    second = await bot.slack.command("/tradeoff", f"role <@{PM}|pat> pm")
    assert second.status_code == 200


async def as_user(bot: Bot, user_id: str, text: str) -> httpx.Response:
    bot.slack.user_id = user_id
    response = await bot.slack.command("/tradeoff", text)
    assert response.status_code == 200
    return response


async def item_row(bot: Bot, kind: Kind, number: int) -> ItemRow:
    async with bot.store.unit_of_work() as uow:
        row = await uow.session.scalar(select(ItemRow).where(
            ItemRow.team_id == bot.team_id, ItemRow.kind == kind.value, ItemRow.number == number
        ))
    assert row is not None
    return row


async def changes(bot: Bot, kind: Kind, number: int, field: str | None = None) -> list[Change]:
    """The audit rows of one item, oldest first: (field, old, new, changed_by)."""
    async with bot.store.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(ItemChangeRow)
            .where(
                ItemChangeRow.team_id == bot.team_id,
                ItemChangeRow.item_kind == kind.value,
                ItemChangeRow.item_number == number,
            )
            .order_by(ItemChangeRow.id)
        )
        found = [(r.field, r.old_value, r.new_value, r.changed_by) for r in rows]
    return [c for c in found if field is None or c[0] == field]


# --- /tradeoff estimate ---------------------------------------------------------------------


async def test_the_lead_estimates_and_the_change_is_audited(bot: Bot) -> None:
    await set_roles(bot)
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Dark mode")

    response = await as_user(bot, LEAD, "estimate F-1 M high")

    assert response_type(response) == "in_channel"
    text = reply_text(response)
    assert f"<@{LEAD}> estimated *F-1* Dark mode at *M* (high confidence)." in text
    row = await item_row(bot, Kind.FEATURE, 1)
    assert (row.size, row.size_confidence) == ("M", "high")
    assert await changes(bot, Kind.FEATURE, 1, "size") == [
        ("size", None, "M (high confidence)", LEAD),
    ]

    again = await as_user(bot, LEAD, "estimate f-1 l")

    assert response_type(again) == "in_channel"
    assert "at *L*." in reply_text(again)
    row = await item_row(bot, Kind.FEATURE, 1)
    assert (row.size, row.size_confidence) == ("L", None)
    assert await changes(bot, Kind.FEATURE, 1, "size") == [
        ("size", None, "M (high confidence)", LEAD),
        ("size", "M (high confidence)", "L", LEAD),
    ]


@pytest.mark.parametrize("user_id", [PM, DEV])
async def test_only_the_lead_estimates(bot: Bot, user_id: str) -> None:
    await set_roles(bot)
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Dark mode", size="S")

    response = await as_user(bot, user_id, "estimate F-1 XL low")

    assert response_type(response) == "ephemeral"
    text = reply_text(response)
    assert f"Only the item's channel tech lead can do that (here: <@{LEAD}>)" in text
    assert f"<@{PM}>" not in text
    row = await item_row(bot, Kind.FEATURE, 1)
    assert (row.size, row.size_confidence) == ("S", None)
    assert await changes(bot, Kind.FEATURE, 1, "size") == []


async def test_without_any_role_nobody_can_estimate(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests")

    response = await as_user(bot, DEV, "estimate D-1 S")

    assert response_type(response) == "ephemeral"
    assert "(here: nobody yet)" in reply_text(response)
    assert "`/tradeoff role`" in reply_text(response)
    assert (await item_row(bot, Kind.DEBT, 1)).size is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("estimate D-1 S", "D-1 is already done."),
        ("estimate F-9 S", "There is no item F-9 in this workspace."),
        ("estimate F-1 XXL", "Give the item, its size and optionally your confidence"),
        ("estimate F-1 M sure", "Give the item, its size and optionally your confidence"),
        ("estimate F-1 M high now", "Give the item, its size and optionally your confidence"),
        ("estimate F-1", "Give the item, its size and optionally your confidence"),
        ("estimate nonsense M", "Give the item, its size and optionally your confidence"),
    ],
)
async def test_estimate_errors_change_nothing(bot: Bot, text: str, message: str) -> None:
    await set_roles(bot)
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Dark mode")
    assert response_type(await as_user(bot, LEAD, "done D-1")) == "in_channel"

    response = await as_user(bot, LEAD, text)

    assert response_type(response) == "ephemeral"
    assert f":warning: {message}" in reply_text(response)
    for kind in (Kind.DEBT, Kind.FEATURE):  # the two items logged above
        row = await item_row(bot, kind, 1)
        assert (row.size, row.size_confidence) == (None, None)
        assert await changes(bot, kind, 1, "size") == []


# --- /tradeoff interest ---------------------------------------------------------------------


async def test_the_lead_and_the_pm_quantify_debt(bot: Bot) -> None:
    await set_roles(bot)
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests")

    by_lead = await as_user(bot, LEAD, "interest D-1 6")

    assert response_type(by_lead) == "in_channel"
    assert (
        f"<@{LEAD}> quantified *D-1* Flaky tests: it costs *6 hours a week*."
        in reply_text(by_lead)
    )
    assert (await item_row(bot, Kind.DEBT, 1)).interest == 6.0

    by_pm = await as_user(bot, PM, "interest d-1 2.5h")

    assert response_type(by_pm) == "in_channel"
    assert "*2.5 hours a week*" in reply_text(by_pm)
    assert (await item_row(bot, Kind.DEBT, 1)).interest == 2.5
    assert await changes(bot, Kind.DEBT, 1, "interest") == [
        ("interest", None, "6 h/week", LEAD),
        ("interest", "6 h/week", "2.5 h/week", PM),
    ]


@pytest.mark.parametrize(
    ("user_id", "text", "message"),
    [
        (LEAD, "interest F-1 6", "F-1 is a feature request; interest is what a debt item costs."),
        (LEAD, "interest D-1 lots", "Give the debt item and the hours it costs per week"),
        (LEAD, "interest D-1 200", "Give the debt item and the hours it costs per week"),
        (PM, "interest D-1", "Give the debt item and the hours it costs per week"),
        (PM, "interest D-9 3", "There is no item D-9 in this workspace."),
        (DEV, "interest D-1 3", "Only the item's channel tech lead or product manager can do"),
    ],
)
async def test_interest_errors_change_nothing(
    bot: Bot, user_id: str, text: str, message: str
) -> None:
    await set_roles(bot)
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Dark mode")

    response = await as_user(bot, user_id, text)

    assert response_type(response) == "ephemeral"
    assert f":warning: {message}" in reply_text(response)
    for kind in (Kind.DEBT, Kind.FEATURE):  # the two items logged above
        assert (await item_row(bot, kind, 1)).interest is None
        assert await changes(bot, kind, 1, "interest") == []


async def test_the_interest_refusal_names_the_lead_and_the_pm(bot: Bot) -> None:
    await set_roles(bot)
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests")

    text = reply_text(await as_user(bot, DEV, "interest D-1 3"))

    named = re.search(r"\(here: (.*?)\)", text)
    assert named is not None
    assert sorted(named.group(1).split(", ")) == [f"<@{LEAD}>", f"<@{PM}>"]


# --- /tradeoff show -------------------------------------------------------------------------


def history_lines(text: str) -> list[str]:
    return text.split("*History*\n", 1)[1].splitlines()


async def test_show_lists_the_item_and_its_history_in_order(bot: Bot) -> None:
    await set_roles(bot)
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests", impact="CI reruns", votes=2)
    await as_user(bot, LEAD, "estimate D-1 S medium")
    await as_user(bot, PM, "interest D-1 4")
    await as_user(bot, LEAD, "done D-1")

    response = await as_user(bot, DEV, "show D-1")

    assert response_type(response) == "ephemeral"
    text = reply_text(response)
    assert "*D-1* Flaky tests\n>CI reruns\n" in text
    facts = text.split("\n")[3]
    assert "status done" in facts and "size S (medium confidence)" in facts
    assert "2 votes" in facts and "4 h/week interest" in facts
    assert "Logged by <@UAUTHOR> in <#C111>." in text
    history = [line.split(" UTC · ", 1)[1] for line in history_lines(text)]
    assert history == [
        "<@UAUTHOR> · logged it",
        f"<@{LEAD}> · size: none → S (medium confidence)",
        f"<@{PM}> · interest: none → 4 h/week",
        f"<@{LEAD}> · status: open → done",
    ]


async def test_show_an_unsized_unquantified_debt_item(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Old Postgres")

    text = reply_text(await as_user(bot, DEV, "show d1"))

    assert "*D-1* Old Postgres" in text
    assert "status open · unsized · 0 votes" in text
    assert "impact not quantified" in text
    assert [line.split(" · ", 1)[1] for line in history_lines(text)] == [
        "<@UAUTHOR> · logged it"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("show D-2", "There is no item D-2 in this workspace."),
        ("show F-1", "There is no item F-1 in this workspace."),  # another workspace's F-1
        ("show", "Say which item: `/tradeoff show D-3`."),
        ("show D-1 D-2", "Say which item: `/tradeoff show D-3`."),
    ],
)
async def test_show_errors(bot: Bot, text: str, message: str) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Ours")
    await add_item(bot.store, bot.team_id + "X", Kind.FEATURE, "Their secret plan")

    response = await as_user(bot, DEV, text)

    assert response_type(response) == "ephemeral"
    assert reply_text(response).startswith(f":warning: {message}")
    assert "Their secret plan" not in reply_text(response)


# --- the Estimate button and modal ----------------------------------------------------------


async def open_estimate_modal(bot: Bot) -> dict[str, Any]:
    """Post a digest, press Estimate on F-1's reply as the lead; the view the bot opened."""
    await set_roles(bot)
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests", size="S")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Dark mode", votes=1)
    digest = await post_digest(bot)
    [reply] = [r for r in replies(bot.fake) if ts_of(r) == digest.reply_ts["F-1"]]
    accessory = reply.params["blocks"][0]["accessory"]
    assert (accessory["type"], accessory["action_id"], accessory["value"]) == (
        "button", "estimate_item", "F-1",
    )
    assert accessory["text"]["text"] == "Estimate"

    payload = bot.slack.block_action("estimate_item", "F-1", digest.reply_ts["F-1"],
                                     user_id=LEAD)
    assert (await bot.slack.interaction(payload)).status_code == 200
    [opened] = await bot.fake.wait_for("views.open")
    assert opened.params["trigger_id"] == payload["trigger_id"]
    view: dict[str, Any] = opened.params["view"]
    return view


async def test_the_estimate_button_opens_the_modal_and_the_lead_saves_it(bot: Bot) -> None:
    view = await open_estimate_modal(bot)

    assert view["callback_id"] == "estimate_item"
    assert json.loads(view["private_metadata"]) == {"ref": "F-1"}
    assert view["title"]["text"] == "Estimate F-1"
    selects = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert [o["value"] for o in selects["size"]["options"]] == ["XS", "S", "M", "L", "XL"]
    assert [o["value"] for o in selects["confidence"]["options"]] == ["low", "medium", "high"]

    bot.slack.user_id = LEAD
    payload = bot.slack.view_submission(
        view, {"size": ("select", "M"), "confidence": ("select", "low")}
    )
    response = await bot.slack.interaction(payload)

    assert response.status_code == 200
    assert response.text == ""  # a plain ack closes the modal
    row = await item_row(bot, Kind.FEATURE, 1)
    assert (row.size, row.size_confidence) == ("M", "low")
    assert await changes(bot, Kind.FEATURE, 1, "size") == [
        ("size", None, "M (low confidence)", LEAD),
    ]


@pytest.mark.parametrize("user_id", [PM, DEV])
async def test_a_non_lead_cannot_save_the_modal(bot: Bot, user_id: str) -> None:
    view = await open_estimate_modal(bot)

    bot.slack.user_id = user_id
    payload = bot.slack.view_submission(
        view, {"size": ("select", "M"), "confidence": ("select", "low")}
    )
    response = await bot.slack.interaction(payload)

    assert response.status_code == 200
    body = response.json()
    assert body["response_action"] == "errors"
    assert "Only a tech lead of this item's channel estimates it" in body["errors"]["size"]
    row = await item_row(bot, Kind.FEATURE, 1)
    assert (row.size, row.size_confidence) == (None, None)
    assert await changes(bot, Kind.FEATURE, 1, "size") == []


async def test_the_modal_without_a_size_asks_for_one(bot: Bot) -> None:
    view = await open_estimate_modal(bot)

    bot.slack.user_id = LEAD
    response = await bot.slack.interaction(
        bot.slack.view_submission(view, {"confidence": ("select", "low")})
    )

    assert response.json() == {"response_action": "errors", "errors": {"size": "Choose a size."}}
    assert (await item_row(bot, Kind.FEATURE, 1)).size is None


# --- unsized items in the digest ------------------------------------------------------------


async def test_an_unsized_feature_is_ranked_last_and_never_picked(bot: Bot) -> None:
    await set_roles(bot)
    bot.fake.users[LEAD] = {"profile": {"display_name": "Lena"}}
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "Dark mode", votes=9)
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "SSO", size="S", votes=1)

    digest = await post_digest(bot)

    [parent] = [p for p in parents(bot.fake) if ts_of(p) == digest.parent_ts]
    blocks = parent.params["blocks"]
    feature_cells = [
        b["fields"][1]["text"] for b in blocks
        if b["type"] == "section" and "fields" in b and b["fields"][1]["text"] != "—"
    ][1:]  # the first row holds the column headings
    assert len(feature_cells) == 2
    assert feature_cells[0].startswith("*1. F-2* SSO")
    assert "score " in feature_cells[0]
    assert feature_cells[1].startswith("*2. F-1* Dark mode")
    assert "unsized" in feature_cells[1] and "9 votes" in feature_cells[1]
    assert feature_cells[1].endswith("*needs an estimate*")
    assert "score " not in feature_cells[1]

    [plan] = [b["text"]["text"] for b in blocks
              if b["type"] == "section" and "Recommended for the next cycle" in
              b.get("text", {}).get("text", "")]
    assert "*F-2* SSO" in plan
    assert "F-1" not in plan and "Dark mode" not in plan

    contexts = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    assert "*Needs an estimate* (lead: Lena): F-1 — not scored or picked until sized." in contexts
    assert not any(c.startswith("Backlog health:") for c in contexts)
    assert f"<@{LEAD}>" not in json.dumps(blocks)  # named, never pinged


async def test_an_interest_of_zero_hours_shows_as_quantified(bot: Bot) -> None:
    await set_roles(bot)
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Harmless warning", size="XS")

    response = await as_user(bot, PM, "interest D-1 0")

    assert "*0 hours a week*" in reply_text(response)
    assert (await item_row(bot, Kind.DEBT, 1)).interest == 0.0
    health = reply_text(await as_user(bot, PM, "health"))
    assert "looks healthy" in health  # quantified as far as the health report goes
    text = reply_text(await as_user(bot, PM, "show D-1"))
    assert "impact not quantified" not in text
    assert "0 h/week interest" in text


async def test_show_quotes_every_line_of_the_impact(bot: Bot) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests",
                   impact="CI reruns\nReleases slip")

    text = reply_text(await as_user(bot, DEV, "show D-1"))

    assert "*D-1* Flaky tests\n>CI reruns\n>Releases slip\n" in text
