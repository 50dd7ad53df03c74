"""The digest schedule: reading what users type, and weekly slots that keep their wall-clock time
across daylight-saving changes, in our own arithmetic and in APScheduler's trigger."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from bot.domain.channel_settings import ChannelSettings, WeeklySlot
from bot.domain.schedule_text import (
    EXAMPLE,
    ScheduleTextError,
    parse_slot,
    parse_time,
    parse_timezone,
    parse_weekday,
)
from bot.scheduler import weekly_trigger

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"

# parse_weekday ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "weekday"),
    [
        ("monday", 0),
        ("Mon", 0),
        ("MONDAYS", 0),
        ("tue", 1),
        ("Tuesdays", 1),
        ("wed", 2),
        ("thursday", 3),
        ("thu", 3),
        (" fri ", 4),
        ("saturday", 5),
        ("sun", 6),
        ("Sundays", 6),
    ],
)
def test_parse_weekday(text: str, weekday: int) -> None:
    assert parse_weekday(text) == weekday


@pytest.mark.parametrize("text", ["funday", "m", "", "su", "mo", "mondayss", "1"])
def test_parse_weekday_rejects_with_an_example(text: str) -> None:
    with pytest.raises(ScheduleTextError) as caught:
        parse_weekday(text)
    message = str(caught.value)
    assert "/tradeoff schedule monday 09:00 Europe/Berlin" in message
    assert EXAMPLE == "/tradeoff schedule monday 09:00 Europe/Berlin"
    assert f"'{text}' is not a weekday" in message


# parse_time ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00", time(9, 0)),
        ("9:00", time(9, 0)),
        ("9", time(9, 0)),
        ("23:59", time(23, 59)),
        ("00:00", time(0, 0)),
        ("9am", time(9, 0)),
        ("9 AM", time(9, 0)),
        ("12am", time(0, 0)),
        ("12:30am", time(0, 30)),
        ("12pm", time(12, 0)),
        ("1pm", time(13, 0)),
        ("5:30 pm", time(17, 30)),
        (" 07:05 ", time(7, 5)),
    ],
)
def test_parse_time(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text", ["24:00", "9:60", "13pm", "0am", "noon", "", "9:5", "9.30", "-1", "09:00:00"]
)
def test_parse_time_rejects_with_an_example(text: str) -> None:
    with pytest.raises(ScheduleTextError) as caught:
        parse_time(text)
    assert str(caught.value).endswith("Example: `/tradeoff schedule monday 09:00 Europe/Berlin`.")
    assert f"'{text}'" in str(caught.value)


# parse_timezone --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        (" Europe/Berlin ", "Europe/Berlin"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("Pacific/Auckland", "Pacific/Auckland"),
    ],
)
def test_parse_timezone(text: str, expected: str) -> None:
    assert parse_timezone(text) == expected
    ZoneInfo(expected)  # what is stored can be loaded again


@pytest.mark.parametrize(
    "text",
    ["Mars/Olympus", "../../etc/passwd", "Europe/", "", " ", "Europe", "europe/berlin",
     "/etc/localtime", "zone.tab", "Europe/Berlin\x00"],
)
def test_parse_timezone_rejects_with_an_example(text: str) -> None:
    with pytest.raises(ScheduleTextError) as caught:
        parse_timezone(text)
    assert "is not an IANA time zone" in str(caught.value)
    assert EXAMPLE in str(caught.value)


# parse_slot ------------------------------------------------------------------------------------


def test_parse_slot_with_two_words_uses_the_default_zone() -> None:
    slot = parse_slot(("friday", "16:30"), "Asia/Tokyo")
    assert slot == WeeklySlot(4, time(16, 30), "Asia/Tokyo")
    assert slot.describe() == "Friday 16:30 Asia/Tokyo"


def test_parse_slot_with_three_words_uses_the_given_zone() -> None:
    slot = parse_slot(("Mondays", "9am", "utc"), "Asia/Tokyo")
    assert slot == WeeklySlot(0, time(9, 0), "UTC")


@pytest.mark.parametrize(
    "args",
    [(), ("monday",), ("monday", "09:00", "Europe/Berlin", "extra")],
)
def test_parse_slot_needs_two_or_three_words(args: tuple[str, ...]) -> None:
    with pytest.raises(ScheduleTextError) as caught:
        parse_slot(args, "UTC")
    assert "the weekday, the time" in str(caught.value)
    assert EXAMPLE in str(caught.value)


def test_parse_slot_reports_the_bad_word() -> None:
    with pytest.raises(ScheduleTextError, match="'Mars/Olympus'"):
        parse_slot(("monday", "09:00", "Mars/Olympus"), "UTC")
    with pytest.raises(ScheduleTextError, match="'25:00'"):
        parse_slot(("monday", "25:00"), "UTC")


# DST: the switch dates -------------------------------------------------------------------------


def _dst_switch_days(zone_name: str, year: int) -> list[date]:
    """The days whose noon has another UTC offset than the noon before."""
    zone = ZoneInfo(zone_name)
    days = []
    day = date(year, 1, 1)
    while day.year == year:
        before = datetime.combine(day - timedelta(days=1), time(12), zone).utcoffset()
        after = datetime.combine(day, time(12), zone).utcoffset()
        if before != after:
            days.append(day)
        day += timedelta(days=1)
    return days


def test_the_switch_dates_these_tests_rely_on() -> None:
    assert _dst_switch_days(BERLIN, 2027) == [date(2027, 3, 28), date(2027, 10, 31)]
    assert _dst_switch_days(NEW_YORK, 2027) == [date(2027, 3, 14), date(2027, 11, 7)]
    assert all(d.weekday() == 6 for d in _dst_switch_days(BERLIN, 2027))


# (zone, Monday, UTC offset in hours that Monday)
_MONDAYS_AROUND_SWITCHES = [
    (BERLIN, date(2027, 3, 22), 1),
    (BERLIN, date(2027, 3, 29), 2),
    (BERLIN, date(2027, 10, 25), 2),
    (BERLIN, date(2027, 11, 1), 1),
    (NEW_YORK, date(2027, 3, 8), -5),
    (NEW_YORK, date(2027, 3, 15), -4),
    (NEW_YORK, date(2027, 11, 1), -4),
    (NEW_YORK, date(2027, 11, 8), -5),
]


def _check_nine_local(fired: datetime, zone_name: str, monday: date, offset_hours: int) -> None:
    local = fired.astimezone(ZoneInfo(zone_name))
    assert (local.date(), local.hour, local.minute) == (monday, 9, 0)
    assert local.utcoffset() == timedelta(hours=offset_hours)
    in_utc = fired.astimezone(UTC)
    assert in_utc == datetime(monday.year, monday.month, monday.day, 9 - offset_hours, tzinfo=UTC)


@pytest.mark.parametrize(("zone_name", "monday", "offset_hours"), _MONDAYS_AROUND_SWITCHES)
def test_slot_keeps_nine_local_across_dst(zone_name: str, monday: date, offset_hours: int) -> None:
    slot = WeeklySlot(0, time(9, 0), zone_name)
    monday_evening_utc = datetime(monday.year, monday.month, monday.day, 18, tzinfo=UTC)
    sunday_noon_utc = monday_evening_utc - timedelta(days=1, hours=6)

    latest = slot.latest_at_or_before(monday_evening_utc)
    upcoming = slot.next_after(sunday_noon_utc)

    _check_nine_local(latest, zone_name, monday, offset_hours)
    _check_nine_local(upcoming, zone_name, monday, offset_hours)
    assert latest.utcoffset() == timedelta(hours=offset_hours)
    assert str(latest.tzinfo) == zone_name


@pytest.mark.parametrize(("zone_name", "monday", "offset_hours"), _MONDAYS_AROUND_SWITCHES)
def test_trigger_keeps_nine_local_across_dst(
    zone_name: str, monday: date, offset_hours: int
) -> None:
    trigger = weekly_trigger(WeeklySlot(0, time(9, 0), zone_name))
    sunday_noon_utc = datetime(monday.year, monday.month, monday.day, 12, tzinfo=UTC) - timedelta(
        days=1
    )

    fired = trigger.get_next_fire_time(None, sunday_noon_utc)

    assert isinstance(fired, datetime)
    _check_nine_local(fired, zone_name, monday, offset_hours)


def test_slot_and_trigger_agree_week_after_week_through_a_year() -> None:
    slot = WeeklySlot(0, time(9, 0), BERLIN)
    trigger = weekly_trigger(slot)
    moment = datetime(2027, 1, 1, tzinfo=UTC)
    for _ in range(53):
        ours = slot.next_after(moment)
        theirs = trigger.get_next_fire_time(None, moment + timedelta(microseconds=1))
        assert ours.astimezone(UTC) == theirs.astimezone(UTC)
        assert ours.astimezone(ZoneInfo(BERLIN)).time() == time(9, 0)
        moment = ours.astimezone(UTC)


# Boundaries ------------------------------------------------------------------------------------


def test_latest_at_or_before_includes_the_exact_instant() -> None:
    slot = WeeklySlot(0, time(9, 0), BERLIN)
    instant = datetime(2027, 3, 29, 7, 0, tzinfo=UTC)  # 09:00 CEST, first Monday of summer time
    previous = datetime(2027, 3, 22, 8, 0, tzinfo=UTC)  # 09:00 CET

    assert slot.latest_at_or_before(instant) == instant
    assert slot.latest_at_or_before(instant - timedelta(microseconds=1)) == previous
    assert slot.latest_at_or_before(instant + timedelta(days=7) - timedelta(microseconds=1)) == (
        instant
    )


def test_next_after_is_strictly_after() -> None:
    slot = WeeklySlot(0, time(9, 0), BERLIN)
    instant = datetime(2027, 3, 29, 7, 0, tzinfo=UTC)

    assert slot.next_after(instant) == instant + timedelta(days=7)
    assert slot.next_after(instant - timedelta(microseconds=1)) == instant
    assert slot.next_after(datetime(2027, 3, 22, 8, 0, tzinfo=UTC)) == instant  # 167 h later


def test_boundaries_hold_for_moments_written_in_another_zone() -> None:
    slot = WeeklySlot(0, time(9, 0), BERLIN)
    instant_tokyo = datetime(2027, 3, 29, 16, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # 07:00 UTC

    assert slot.latest_at_or_before(instant_tokyo).astimezone(UTC) == datetime(
        2027, 3, 29, 7, 0, tzinfo=UTC
    )
    assert slot.next_after(instant_tokyo).astimezone(UTC) == datetime(2027, 4, 5, 7, 0, tzinfo=UTC)


# A slot in the spring-forward gap --------------------------------------------------------------


def test_slot_in_the_spring_forward_gap_still_fires_once_and_in_order() -> None:
    """Sunday 02:30 Berlin does not exist on 28 March 2027 (02:00 jumps to 03:00).

    What happens: zoneinfo reads the missing wall time with the offset before the switch
    (+01:00), so that week's slot is 01:30 UTC, i.e. 03:30 CEST: an hour later than usual by the
    wall clock, but exactly one slot, between the weeks before and after. APScheduler agrees.
    """
    slot = WeeklySlot(6, time(2, 30), BERLIN)
    trigger = weekly_trigger(slot)
    berlin = ZoneInfo(BERLIN)

    fired: list[datetime] = []
    moment = datetime(2027, 3, 1, tzinfo=UTC)
    for _ in range(6):
        moment = slot.next_after(moment)  # fed back in the slot's own zone, as returned
        fired.append(moment)
    in_utc = [f.astimezone(UTC) for f in fired]

    assert all(f.utcoffset() is not None for f in fired)
    assert all(a < b for a, b in pairwise(in_utc))
    assert [u.date() for u in in_utc] == [date(2027, 3, d) for d in (7, 14, 21, 28)] + [
        date(2027, 4, 4), date(2027, 4, 11)
    ]
    gap_day = in_utc[3]
    assert gap_day == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert gap_day.astimezone(berlin).time() == time(3, 30)
    assert in_utc[2].astimezone(berlin).time() == time(2, 30)
    assert in_utc[4].astimezone(berlin).time() == time(2, 30)

    # Fed back in UTC the sequence is the same.
    again: list[datetime] = []
    moment = datetime(2027, 3, 1, tzinfo=UTC)
    for _ in range(6):
        moment = slot.next_after(moment).astimezone(UTC)
        again.append(moment)
    assert again == in_utc

    # APScheduler's trigger fires at the same instants.
    scheduled: list[datetime] = []
    moment = datetime(2027, 3, 1, tzinfo=UTC)
    for _ in range(6):
        moment = trigger.get_next_fire_time(None, moment + timedelta(microseconds=1))
        scheduled.append(moment.astimezone(UTC))
    assert scheduled == in_utc


def test_gap_slot_latest_at_or_before_around_the_switch() -> None:
    slot = WeeklySlot(6, time(2, 30), BERLIN)
    gap_instant = datetime(2027, 3, 28, 1, 30, tzinfo=UTC)

    assert slot.latest_at_or_before(gap_instant).astimezone(UTC) == gap_instant
    assert slot.latest_at_or_before(gap_instant - timedelta(microseconds=1)).astimezone(
        UTC
    ) == datetime(2027, 3, 21, 1, 30, tzinfo=UTC)
    # 01:00 UTC is already 03:00 CEST, but the 02:30 slot (01:30 UTC) is still ahead.
    assert slot.next_after(datetime(2027, 3, 28, 1, 0, tzinfo=UTC)).astimezone(UTC) == gap_instant


def test_slot_in_the_autumn_fold_fires_at_the_first_occurrence() -> None:
    slot = WeeklySlot(6, time(2, 30), BERLIN)  # 02:30 happens twice on 31 October 2027

    fired = slot.next_after(datetime(2027, 10, 30, tzinfo=UTC))

    assert fired.astimezone(UTC) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # 02:30 CEST
    later = slot.next_after(datetime(2027, 10, 31, 1, 15, tzinfo=UTC))  # during the 2nd 02:xx
    assert later.astimezone(UTC) == datetime(2027, 11, 7, 1, 30, tzinfo=UTC)


# Moments given in the slot's own zone ----------------------------------------------------------
# Python compares two datetimes that share a tzinfo by wall time, ignoring the offset; the slot
# must compare instants, or a moment in the slot's own zone goes wrong in a DST gap or fold.


def test_latest_at_or_before_a_moment_in_the_slots_zone_during_the_gap() -> None:
    slot = WeeklySlot(6, time(2, 30), BERLIN)
    moment = datetime(2027, 3, 28, 1, 0, tzinfo=UTC).astimezone(ZoneInfo(BERLIN))  # 03:00 CEST

    latest = slot.latest_at_or_before(moment)

    assert latest.astimezone(UTC) <= moment.astimezone(UTC)
    assert latest.astimezone(UTC) == datetime(2027, 3, 21, 1, 30, tzinfo=UTC)


def test_next_after_a_moment_in_the_slots_zone_during_the_fold() -> None:
    slot = WeeklySlot(6, time(2, 30), BERLIN)
    moment = datetime(2027, 10, 31, 1, 15, tzinfo=UTC).astimezone(ZoneInfo(BERLIN))
    assert moment.fold == 1  # the second 02:15, in CET

    upcoming = slot.next_after(moment)

    assert upcoming.astimezone(UTC) > moment.astimezone(UTC)
    assert upcoming.astimezone(UTC) == datetime(2027, 11, 7, 1, 30, tzinfo=UTC)


def test_moments_in_the_slots_zone_away_from_switches_work() -> None:
    slot = WeeklySlot(0, time(9, 0), BERLIN)
    berlin = ZoneInfo(BERLIN)
    instant = datetime(2027, 3, 29, 9, 0, tzinfo=berlin)

    assert slot.latest_at_or_before(instant) == instant
    assert slot.latest_at_or_before(instant - timedelta(microseconds=1)) == datetime(
        2027, 3, 22, 9, 0, tzinfo=berlin
    )
    assert slot.next_after(instant).astimezone(UTC) == datetime(2027, 4, 5, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize("name", ["localtime", "posixrules", "Factory", "posix/Europe/Berlin"])
def test_host_specific_pseudo_zones_are_refused(name: str) -> None:
    with pytest.raises(ScheduleTextError, match="is not an IANA time zone"):
        parse_timezone(name)


# due_slot: what every process agrees is due --------------------------------------------------


def test_a_slot_is_due_only_after_the_schedule_was_set() -> None:
    slot = WeeklySlot(0, time(9, 0), BERLIN)
    monday_nine = datetime(2027, 3, 29, 7, 0, tzinfo=UTC)  # 09:00 CEST
    later = monday_nine + timedelta(hours=1)
    set_before = ChannelSettings("T1", "C1", slot=slot, scheduled_since=monday_nine - timedelta(1))
    set_after = set_before.with_changes(scheduled_since=monday_nine + timedelta(minutes=1))

    assert set_before.due_slot(later) == monday_nine
    assert set_after.due_slot(later) is None  # next week's is the first
    assert set_after.due_slot(later + timedelta(days=7)) == monday_nine + timedelta(days=7)
    assert set_before.with_changes(scheduled_since=None).due_slot(later) == monday_nine
    assert set_before.with_changes(paused_reason="is_archived").due_slot(later) is None
    assert ChannelSettings("T1", "C1").due_slot(later) is None
