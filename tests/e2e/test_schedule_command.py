"""`/tradeoff schedule`: setting, showing and stopping the weekly digest, and its stored job."""

from __future__ import annotations

from bot.scheduler import DigestScheduler
from bot.services.channel_settings import get_settings
from tests.conftest import Bot
from tests.support.slack_requests import reply_text


async def _noop(_team: str, _channel: str) -> None:
    return None


async def _stored_job_ids(bot: Bot) -> list[str]:
    """The jobs a process starting now on the same database would run."""
    scheduler = DigestScheduler(bot.store, _noop)
    await scheduler.start(paused=True)
    try:
        return [jid for jid in scheduler.job_ids() if bot.team_id in jid]
    finally:
        scheduler.shutdown()


async def test_schedule_with_explicit_zone_is_saved_announced_and_stored_as_a_job(
    bot: Bot,
) -> None:
    response = await bot.slack.command("/tradeoff", "schedule Monday 09:00 Europe/Berlin")

    assert response.status_code == 200
    [announcement] = await bot.fake.wait_for("response_url")
    assert announcement.params["response_type"] == "in_channel"
    assert "set the weekly digest to *Monday 09:00 Europe/Berlin*" in announcement.params["text"]
    assert "Next: Mon " in announcement.params["text"]
    settings = await get_settings(bot.store, team_id=bot.team_id, channel_id="C111")
    assert settings.slot is not None
    assert (settings.slot.weekday, str(settings.slot.at), settings.slot.timezone) == (
        0, "09:00:00", "Europe/Berlin",
    )
    assert await _stored_job_ids(bot) == [f"digest:{bot.team_id}:C111"]


async def test_zone_defaults_to_the_callers_slack_time_zone(bot: Bot) -> None:
    bot.fake.users["U111"] = {"tz": "America/New_York"}

    await bot.slack.command("/tradeoff", "schedule fri 4:30pm")

    [call] = await bot.fake.wait_for("users.info")
    assert call.params["user"] == "U111"
    [announcement] = await bot.fake.wait_for("response_url")
    assert "Friday 16:30 America/New_York" in announcement.params["text"]


async def test_zone_defaults_to_utc_when_slack_will_not_say(bot: Bot) -> None:
    bot.fake.fail("users.info", "user_not_found")

    await bot.slack.command("/tradeoff", "schedule tuesday 10:15")

    [announcement] = await bot.fake.wait_for("response_url")
    assert "Tuesday 10:15 UTC" in announcement.params["text"]


async def test_bare_schedule_shows_it_and_off_stops_it(bot: Bot) -> None:
    none_yet = reply_text(await bot.slack.command("/tradeoff", "schedule"))
    assert "no weekly digest" in none_yet and "/tradeoff schedule monday 09:00" in none_yet

    await bot.slack.command("/tradeoff", "schedule wed 08:00 Asia/Tokyo")
    await bot.fake.wait_for("response_url")
    shown = reply_text(await bot.slack.command("/tradeoff", "schedule"))
    assert "Weekly digest: *Wednesday 08:00 Asia/Tokyo*" in shown and "Next: Wed" in shown

    stopped = await bot.slack.command("/tradeoff", "schedule off")
    assert stopped.json()["response_type"] == "in_channel"
    assert "stopped the weekly digest" in reply_text(stopped)
    settings = await get_settings(bot.store, team_id=bot.team_id, channel_id="C111")
    assert settings.slot is None
    assert await _stored_job_ids(bot) == []


async def test_bad_schedules_explain_with_an_example_and_change_nothing(bot: Bot) -> None:
    cases = [
        ("schedule funday 09:00", "'funday' is not a weekday"),
        ("schedule monday 25:00", "'25:00' is not a time of day"),
        ("schedule monday nine", "'nine' is not a time"),
        ("schedule monday 09:00 Mars/Olympus", "'Mars/Olympus' is not an IANA time zone"),
        ("schedule monday", "Say the weekday, the time"),
    ]
    for command, problem in cases:
        bot.fake.reset()
        await bot.slack.command("/tradeoff", command)
        [reply] = await bot.fake.wait_for("response_url")
        shown = reply.params["text"]
        assert problem in shown, command
        assert "Example: `/tradeoff schedule monday 09:00 Europe/Berlin`" in shown
        assert reply.params["response_type"] == "ephemeral"
    settings = await get_settings(bot.store, team_id=bot.team_id, channel_id="C111")
    assert settings.slot is None
    assert await _stored_job_ids(bot) == []


async def test_quiet_weeks_can_be_switched_on_and_off(bot: Bot) -> None:
    on = reply_text(await bot.slack.command("/tradeoff", "schedule quiet"))
    assert "will be skipped" in on
    assert (await get_settings(bot.store, team_id=bot.team_id, channel_id="C111")).quiet

    off = reply_text(await bot.slack.command("/tradeoff", "schedule quiet off"))
    assert "even in weeks with nothing open" in off
    assert not (await get_settings(bot.store, team_id=bot.team_id, channel_id="C111")).quiet
