"""The lead and the PM sign off a digest's pick with its "Agree" button; the decision is stored,
posted in the thread, and the chosen items move to planned."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import select

from bot.domain.items import ItemRef, Kind
from bot.store.models import (
    DecisionAgreementRow,
    DecisionItemRow,
    ItemRow,
)
from tests.conftest import Bot
from tests.support.digests import replies
from tests.support.eventually import quiet
from tests.support.items import add_item
from tests.support.sign_off import (
    DEV,
    LEAD,
    PM,
    press_agree,
    recorded_decisions,
    sign_off_roles,
    sign_off_setup,
)
from tests.support.slack_requests import reply_text
from tests.support.voting import post_digest, votes_settled


async def _status(bot: Bot, kind: str, number: int) -> str:
    async with bot.store.unit_of_work() as uow:
        row = await uow.session.scalar(select(ItemRow.status).where(
            ItemRow.team_id == bot.team_id, ItemRow.kind == kind, ItemRow.number == number
        ))
    return str(row)


async def test_the_parent_carries_the_agree_button(bot: Bot) -> None:
    digest = await sign_off_setup(bot)

    [parent] = [c for c in bot.fake.calls_to("chat.postMessage")
                if c.answer and c.answer["ts"] == digest.parent_ts]
    actions = [b for b in parent.params["blocks"] if b["type"] == "actions"]
    [button] = actions[0]["elements"]
    assert (button["action_id"], button["value"]) == ("agree_pick", str(digest.run_id))
    assert "Waiting for a tech lead and a product manager" in str(parent.params["blocks"])


async def test_someone_without_a_role_gets_an_explanation_and_nothing_is_recorded(
    bot: Bot,
) -> None:
    digest = await sign_off_setup(bot)
    bot.fake.reset()

    await press_agree(bot, digest, DEV)

    [reply] = await bot.fake.wait_for("response_url")
    text = reply.params["text"]
    assert reply.params["response_type"] == "ephemeral"
    assert "Only the channel's tech lead and product manager sign off" in text
    assert f"<@{LEAD}> (tech lead)" in text and f"<@{PM}> (product manager)" in text
    async with bot.store.unit_of_work() as uow:
        agreements = list(await uow.session.scalars(
            select(DecisionAgreementRow).where(DecisionAgreementRow.run_id == digest.run_id)
        ))
    assert agreements == []
    assert await recorded_decisions(bot) == []


async def test_lead_then_pm_make_the_decision(bot: Bot) -> None:
    digest = await sign_off_setup(bot)
    bot.fake.reset()

    await press_agree(bot, digest, LEAD)
    [waiting] = await bot.fake.wait_for("response_url")
    assert "You agreed as tech lead" in waiting.params["text"]
    update = (await bot.fake.wait_for("chat.update"))[-1]
    assert "Agreed: Lena (tech lead). Waiting for a product manager." in str(
        update.params["blocks"]
    )
    assert await recorded_decisions(bot) == []

    await press_agree(bot, digest, PM)
    [post] = await bot.fake.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == digest.parent_ts
    text = post.params["blocks"][0]["text"]["text"]
    assert "Decision recorded" in text
    assert f"<@{LEAD}> (tech lead) and <@{PM}> (product manager)" in text
    assert "*D-1* Flaky tests — 2 pts, 0 votes, score 2.5" in text
    assert "*F-1* SSO — 3 pts, 2 votes, score 1" in text

    [decision] = await recorded_decisions(bot)
    assert (decision.lead_id, decision.pm_id, decision.run_id) == (LEAD, PM, digest.run_id)
    async with bot.store.unit_of_work() as uow:
        items = list(await uow.session.scalars(
            select(DecisionItemRow).where(DecisionItemRow.decision_id == decision.id)
        ))
    assert [(i.item_kind, i.item_number, i.votes) for i in items] == [
        ("debt", 1, 0), ("feature", 1, 2)
    ]
    assert await _status(bot, "debt", 1) == "planned"
    assert await _status(bot, "feature", 1) == "planned"
    assert await _status(bot, "feature", 2) == "open"

    final = bot.fake.calls_to("chat.update")[-1]
    assert "*Decided*" in str(final.params["blocks"])
    assert not [b for b in final.params["blocks"] if b["type"] == "actions"]
    history = reply_text(await bot.slack.command("/tradeoff", "history"))
    assert "D-1 Flaky tests, F-1 SSO" in history


async def test_one_person_holding_both_roles_cannot_decide_alone(bot: Bot) -> None:
    digest = await sign_off_setup(bot)
    bot.slack.user_id = LEAD
    await bot.slack.command("/tradeoff", f"role <@{LEAD}|lena> pm")

    await press_agree(bot, digest, LEAD)
    await press_agree(bot, digest, LEAD)

    assert await recorded_decisions(bot) == []
    await press_agree(bot, digest, PM)
    [decision] = await recorded_decisions(bot)
    assert {decision.lead_id, decision.pm_id} == {LEAD, PM}


async def test_an_agreement_to_an_older_pick_must_be_renewed(bot: Bot) -> None:
    digest = await sign_off_setup(bot)
    await press_agree(bot, digest, LEAD)
    # Votes move "Dark mode" (L) ahead of "SSO" (M): the pick changes.
    for n in range(6):
        await bot.slack.reaction(digest.reply_ts["F-2"], user_id=f"UFAN{n}")
    await votes_settled(bot)

    await press_agree(bot, digest, PM)
    assert await recorded_decisions(bot) == []
    update = bot.fake.calls_to("chat.update")[-1]
    assert "The pick changed since Lena (tech lead) agreed" in str(update.params["blocks"])

    await press_agree(bot, digest, LEAD)
    [decision] = await recorded_decisions(bot)
    async with bot.store.unit_of_work() as uow:
        picked = list(await uow.session.scalars(
            select(DecisionItemRow.item_number).where(
                DecisionItemRow.decision_id == decision.id, DecisionItemRow.item_kind == "feature"
            )
        ))
    assert picked == [2]


async def test_lead_and_pm_pressing_at_once_decide_exactly_once(bot: Bot) -> None:
    digest = await sign_off_setup(bot)

    before = len(bot.fake.calls_to("response_url"))
    await asyncio.gather(press_agree(bot, digest, LEAD), press_agree(bot, digest, PM))
    await bot.fake.wait_for("response_url", count=before + 2)  # both presses answered
    await quiet(bot.fake, "chat.postMessage")

    assert len(await recorded_decisions(bot)) == 1
    posts = [r for r in replies(bot.fake) if "Decision recorded" in r.params["text"]]
    assert len(posts) == 1


async def test_votes_on_planned_items_no_longer_count(bot: Bot) -> None:
    digest = await sign_off_setup(bot)
    await press_agree(bot, digest, LEAD)
    await press_agree(bot, digest, PM)

    await bot.slack.reaction(digest.reply_ts["D-1"], user_id="ULATE")
    await votes_settled(bot)

    async with bot.store.unit_of_work() as uow:
        item = await uow.items.get(bot.team_id, ItemRef(Kind.DEBT, 1))
    assert item is not None and item.votes == 0
    update = bot.fake.calls_to("chat.update")[-1]
    assert "~D-1~ Flaky tests (planned)" in str(update.params["blocks"])


async def test_the_next_digest_shows_what_the_channel_actually_decided(bot: Bot) -> None:
    digest = await sign_off_setup(bot)
    await press_agree(bot, digest, LEAD)
    await press_agree(bot, digest, PM)
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Another one")

    await post_digest(bot)

    parent = [c for c in bot.fake.calls_to("chat.postMessage") if not c.params.get("thread_ts")]
    # D-1 (2 pts) and F-1 (3 pts) were planned: debt got 40% against a 30% budget.
    assert "Last decision: debt 40% of planned size vs 30% budget." in str(
        parent[-1].params["blocks"]
    )


async def test_hidden_tallies_show_who_voted_not_how_many_until_the_decision(bot: Bot) -> None:
    bot.fake.users["UFAN"] = {"profile": {"display_name": "Fan"}}
    await bot.slack.command("/tradeoff", "settings votes hidden")
    digest = await sign_off_setup(bot)
    parent = [c for c in bot.fake.calls_to("chat.postMessage") if not c.params.get("thread_ts")]
    first = str(parent[-1].params["blocks"])
    assert "tallies hidden until the decision" in first
    assert "score" not in first, first
    assert "votes" not in first.replace("no votes yet", ""), first

    await bot.slack.reaction(digest.reply_ts["F-2"], user_id="UFAN")
    await votes_settled(bot)
    redrawn = str(bot.fake.calls_to("chat.update")[-1].params["blocks"])
    assert "voted: Fan" in redrawn and "1 vote" not in redrawn
    listing = reply_text(await bot.slack.command("/tradeoff", "list"))
    assert "F-2  Dark mode · voted: <@UFAN>" in listing and "1 vote" not in listing

    await press_agree(bot, digest, LEAD)
    await press_agree(bot, digest, PM)
    decided = str(bot.fake.calls_to("chat.update")[-1].params["blocks"])
    assert "*Decided*" in decided and "1 vote" in decided and "score" in decided


async def test_capacity_the_features_leave_is_planned_as_debt_and_recorded(bot: Bot) -> None:
    await sign_off_roles(bot)
    await bot.slack.command("/tradeoff", "capacity 7")
    await bot.slack.command("/tradeoff", "budget 30")
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests", size="S", urgency="high")
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Log noise", size="S")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "SSO", size="M", votes=2)
    digest = await post_digest(bot)

    # 2.1 points are reserved for debt (D-1); SSO takes 3 of the 5 left, and the 2 nobody else
    # could use go to D-2 instead of staying idle.
    [parent] = [c for c in bot.fake.calls_to("chat.postMessage")
                if c.answer and c.answer["ts"] == digest.parent_ts]
    pick = next(b["text"]["text"] for b in parent.params["blocks"]
                if b.get("text", {}).get("text", "").startswith("*Recommended"))
    assert re.findall(r"^• \*([DF]-\d+)\*", pick, flags=re.MULTILINE) == ["D-1", "D-2", "F-1"]
    assert pick.endswith("\nDebt 4 pts · features 3 pts.")
    assert "unused" not in pick

    await press_agree(bot, digest, LEAD)
    await press_agree(bot, digest, PM)

    [decision] = await recorded_decisions(bot)
    async with bot.store.unit_of_work() as uow:
        items = list(await uow.session.scalars(
            select(DecisionItemRow).where(DecisionItemRow.decision_id == decision.id)
        ))
    assert [(i.item_kind, i.item_number) for i in items] == [
        ("debt", 1), ("debt", 2), ("feature", 1)
    ]
    assert await _status(bot, "debt", 2) == "planned"


async def test_the_pick_says_why_capacity_stays_unused(bot: Bot) -> None:
    digest = await sign_off_setup(bot)

    [parent] = [c for c in bot.fake.calls_to("chat.postMessage")
                if c.answer and c.answer["ts"] == digest.parent_ts]
    pick = next(b["text"]["text"] for b in parent.params["blocks"]
                if b.get("text", {}).get("text", "").startswith("*Recommended"))
    # D-1 (2) and F-1 (3) leave 2 of 7 points; F-2 is 5 points and nothing else is open.
    assert pick.endswith(
        "\n2 points left unused: no open item with a size fits in what is left."
        "\nDebt 2 pts · features 3 pts."
    )
