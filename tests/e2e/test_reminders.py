"""Reminders to sign: a direct message to each lead and PM who has not agreed, a set time after
the digest and once more the same time later, never more, never after the decision; claimed in
the database so two processes send each one once. The clock is the test's: `send_reminders`
takes the moment it runs at."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.domain.decisions import Role
from bot.domain.items import Kind
from bot.runtime import Runtime, build_runtime
from bot.services.agree import agree_to_pick
from bot.services.channel_settings import change_settings
from bot.services.post_digest import post_digest_now
from bot.services.roles import set_role
from bot.store.models import DigestReminderRow, DigestRunRow
from bot.store.unit_of_work import Store
from tests.conftest import Bot, bot_settings
from tests.fakes.slack_api import FakeSlack
from tests.support.items import add_item
from tests.support.slack_requests import reply_text

TEAM, CHANNEL = "T111", "C111"
LEAD, PM, OTHER_PM = "ULEAD", "UPM", "UPM2"


@pytest.fixture
async def runtime(fresh_database_url: str, fake_slack: FakeSlack) -> AsyncIterator[Runtime]:
    """A bot process of its own database (reminders look at every workspace's digests)."""
    store = Store(fresh_database_url)
    yield build_runtime(bot_settings(fresh_database_url, fake_slack, "off"), store)
    await store.close()


async def _digest(runtime: Runtime, fake: FakeSlack, *, unsized: bool = False) -> datetime:
    """Lena leads, Pat is the PM; a digest with a pick is posted. Returns when it was."""
    store = runtime.store
    await set_role(store, team_id=TEAM, channel_id=CHANNEL, by_user=LEAD, user_id=LEAD,
                   role=Role.LEAD)
    await set_role(store, team_id=TEAM, channel_id=CHANNEL, by_user=LEAD, user_id=PM,
                   role=Role.PM)
    await add_item(store, TEAM, Kind.DEBT, "Flaky tests", size="S", urgency="high")
    await add_item(store, TEAM, Kind.FEATURE, "SSO", size="M", votes=2)
    if unsized:
        await add_item(store, TEAM, Kind.FEATURE, "Offline <!here> mode")
    await post_digest_now(store, runtime.publisher(), team_id=TEAM, channel_id=CHANNEL)
    async with store.unit_of_work() as uow:
        run = await uow.session.scalar(select(DigestRunRow).where(DigestRunRow.team_id == TEAM))
    assert run is not None and run.parent_ts is not None
    fake.reset()
    return run.created_at


def _dms(fake: FakeSlack) -> dict[str, list[str]]:
    """Who got which reminder texts, by the DM channel conversations.open gave for them."""
    by_channel = {dm: user for user, dm in fake.dm_channels.items()}
    out: dict[str, list[str]] = {}
    for post in fake.calls_to("chat.postMessage"):
        user = by_channel.get(str(post.params.get("channel")))
        if user:
            out.setdefault(user, []).append(str(post.params["text"]))
    return out


async def _run_id(store: Store) -> int:
    async with store.unit_of_work() as uow:
        run_id = await uow.session.scalar(select(DigestRunRow.id))
    assert run_id is not None
    return int(run_id)


async def test_reminders_come_after_48_hours_then_once_more_then_never(
    runtime: Runtime, fake_slack: FakeSlack
) -> None:
    posted = await _digest(runtime, fake_slack)

    assert await runtime.send_reminders(posted + timedelta(hours=47, minutes=59)) == 0
    assert fake_slack.calls_to("conversations.open") == []

    assert await runtime.send_reminders(posted + timedelta(hours=48)) == 2
    first = _dms(fake_slack)
    assert sorted(first) == [LEAD, PM]
    lead_text = first[LEAD][0]
    assert lead_text.startswith(":bell: Reminder 1 of 2: the digest in <#C111> is waiting for "
                                "your agreement as tech lead.")
    assert "<https://example.slack.com/archives/C111/p" in lead_text  # the digest's permalink
    assert "as product manager" in first[PM][0]

    assert await runtime.send_reminders(posted + timedelta(hours=95)) == 0
    assert await runtime.send_reminders(posted + timedelta(hours=96)) == 2
    assert await runtime.send_reminders(posted + timedelta(hours=300)) == 0
    every = _dms(fake_slack)
    assert {user: len(texts) for user, texts in every.items()} == {LEAD: 2, PM: 2}
    assert every[PM][1].startswith(":bell: Reminder 2 of 2")


async def test_no_reminder_to_someone_who_agreed_nor_after_the_decision(
    runtime: Runtime, fake_slack: FakeSlack
) -> None:
    posted = await _digest(runtime, fake_slack)
    run_id = await _run_id(runtime.store)
    await agree_to_pick(runtime.store, team_id=TEAM, channel_id=CHANNEL, run_id=run_id,
                        user_id=LEAD)

    assert await runtime.send_reminders(posted + timedelta(hours=48)) == 1
    assert list(_dms(fake_slack)) == [PM]

    await agree_to_pick(runtime.store, team_id=TEAM, channel_id=CHANNEL, run_id=run_id,
                        user_id=PM)
    assert await runtime.send_reminders(posted + timedelta(hours=96)) == 0
    assert [len(texts) for texts in _dms(fake_slack).values()] == [1]


async def test_the_leads_reminder_names_the_unsized_items_escaped(
    runtime: Runtime, fake_slack: FakeSlack
) -> None:
    posted = await _digest(runtime, fake_slack, unsized=True)

    await runtime.send_reminders(posted + timedelta(hours=48))

    dms = _dms(fake_slack)
    assert dms[LEAD][0].endswith(
        "These wait for your estimate before they can be picked: *F-2* Offline &lt;!here&gt; "
        "mode."
    )
    assert "estimate" not in dms[PM][0]
    assert "<!here>" not in str([c.params for c in fake_slack.calls_to("chat.postMessage")])


async def test_the_channel_setting_changes_the_delay_or_turns_reminders_off(
    runtime: Runtime, fake_slack: FakeSlack
) -> None:
    posted = await _digest(runtime, fake_slack)
    await change_settings(runtime.store, team_id=TEAM, channel_id=CHANNEL, user_id=LEAD,
                          remind_hours=None)
    assert await runtime.send_reminders(posted + timedelta(hours=100)) == 0

    await change_settings(runtime.store, team_id=TEAM, channel_id=CHANNEL, user_id=LEAD,
                          remind_hours=4)
    assert await runtime.send_reminders(posted + timedelta(hours=5)) == 2
    # Down for days: what is owed goes out as one message, which counts for both rounds.
    await set_role(runtime.store, team_id=TEAM, channel_id=CHANNEL, by_user=LEAD,
                   user_id=OTHER_PM, role=Role.PM)
    assert await runtime.send_reminders(posted + timedelta(hours=9)) == 3
    assert {user: len(texts) for user, texts in _dms(fake_slack).items()} == {
        LEAD: 2, PM: 2, OTHER_PM: 1,
    }
    assert _dms(fake_slack)[OTHER_PM][0].startswith(":bell: Reminder 2 of 2")


async def test_a_refused_dm_is_recorded_and_not_tried_again(
    runtime: Runtime, fake_slack: FakeSlack
) -> None:
    posted = await _digest(runtime, fake_slack)
    fake_slack.fail("chat.postMessage", "messages_tab_disabled", times=2)

    assert await runtime.send_reminders(posted + timedelta(hours=48)) == 0
    assert await runtime.send_reminders(posted + timedelta(hours=49)) == 0

    async with runtime.store.unit_of_work() as uow:
        rows = list(await uow.session.scalars(select(DigestReminderRow)))
    assert sorted((r.user_id, r.round, r.outcome) for r in rows) == [
        (LEAD, 1, "messages_tab_disabled"), (PM, 1, "messages_tab_disabled"),
    ]
    assert len(fake_slack.calls_to("chat.postMessage")) == 2


async def test_two_processes_send_each_reminder_once(
    fresh_database_url: str, runtime: Runtime, fake_slack: FakeSlack
) -> None:
    posted = await _digest(runtime, fake_slack)
    other_store = Store(fresh_database_url)
    other = build_runtime(bot_settings(fresh_database_url, fake_slack, "off"), other_store)
    try:
        at = posted + timedelta(hours=48)
        sent = await asyncio.gather(*(r.send_reminders(at) for r in (runtime, other, runtime)))
    finally:
        await other_store.close()

    assert sum(sent) == 2
    assert {user: len(texts) for user, texts in _dms(fake_slack).items()} == {LEAD: 1, PM: 1}




async def test_settings_remind_sets_shows_and_refuses_bad_hours(bot: Bot) -> None:
    bad = reply_text(await bot.slack.command("/tradeoff", "settings remind 500"))
    assert bad.splitlines()[0] == (
        ":warning: Reminders come a number of hours after the digest, 1 to 168, or "
        "`off`: e.g. `/tradeoff settings remind 48`."
    )
    assert "Sign-off reminders: *48 hours* after each digest" in reply_text(
        await bot.slack.command("/tradeoff", "settings")
    )

    said = reply_text(await bot.slack.command("/tradeoff", "settings remind 12"))
    assert "set sign-off reminders to *12 hours* after each digest" in said
    async with bot.store.unit_of_work() as uow:
        assert (await uow.channels.get(bot.team_id, CHANNEL)).remind_hours == 12

    await bot.slack.command("/tradeoff", "settings remind off")
    assert "Sign-off reminders: *off*" in reply_text(
        await bot.slack.command("/tradeoff", "settings")
    )
