"""Properties of every parser of user text and of the mrkdwn escaper.

Whatever a user types, a parser returns a value or raises its own typed error whose message can
be shown to the user; nothing else ever escapes. Where a parser has an inverse (ids, times,
escaping), the round trip gives back what went in.
"""

from __future__ import annotations

import re
from datetime import time
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.domain.channel_settings import WEEKDAYS, WeeklySlot
from bot.domain.items import (
    AREA_MAX,
    IMPACT_MAX,
    INTEREST_MAX,
    TITLE_MAX,
    ItemRef,
    ItemValidationError,
    Kind,
    Size,
    Urgency,
    make_draft,
    parse_interest,
)
from bot.domain.schedule_text import (
    EXAMPLE,
    ScheduleTextError,
    parse_slot,
    parse_time,
    parse_timezone,
    parse_weekday,
)
from bot.slack.command_text import parse_quick_add, parse_subcommand, whole_number
from bot.slack.text import clip, escape, quote, split_once_outside_tokens, unescape
from tests.support.mentions import live_tokens
from tests.support.text_strategies import (
    SLACK_TOKENS,
    typed,
    typed_text,
    wire_text,
)

# Pure functions: many examples are cheap, and the module still runs in a few seconds.
PARSERS = settings(max_examples=300)
ZONES = sorted(available_timezones() - {"localtime", "Factory", "posixrules"})

kinds = st.sampled_from(Kind)


# mrkdwn escaping -------------------------------------------------------------------------------


@PARSERS
@given(typed_text)
def test_escaped_text_never_holds_a_live_token_and_unescapes_to_itself(text: str) -> None:
    escaped = escape(text)
    assert live_tokens(escaped, allowed=()) == []
    assert "<" not in escaped and ">" not in escaped
    assert re.search(r"&(?!amp;|lt;|gt;)", escaped) is None
    assert unescape(escaped) == text


@PARSERS
@given(typed_text, st.integers(min_value=2, max_value=400))
def test_clipped_escaped_text_keeps_its_entities_whole(text: str, limit: int) -> None:
    escaped = escape(text)
    clipped = clip(escaped, limit)
    assert len(clipped) <= limit
    if len(escaped) <= limit:
        assert clipped == escaped
    else:
        kept = clipped.removesuffix("…")
        assert clipped.endswith("…") and escaped.startswith(kept)
        assert re.search(r"&(?!amp;|lt;|gt;)", kept) is None
        assert unescape(kept) == text[: len(unescape(kept))]


@PARSERS
@given(typed_text)
def test_quote_marks_every_line_and_pings_nobody(text: str) -> None:
    quoted = quote(text)
    assert all(line.startswith(">") for line in quoted.split("\n"))
    assert live_tokens(quoted, allowed=()) == []
    # The quote adds `>` and line breaks, nothing else: the words survive in order.
    body = unescape("".join(line[1:] for line in quoted.split("\n")))
    assert body == "".join(text.splitlines())


@PARSERS
@given(wire_text)
def test_split_outside_tokens_loses_nothing(text: str) -> None:
    head, tail = split_once_outside_tokens(text)
    assert (head if tail is None else f"{head}|{tail}") == text


# /debt and /feature: `title | impact` ----------------------------------------------------------


@PARSERS
@given(wire_text, kinds)
@example("<!channel>|<!here>", Kind.DEBT)
@example("x" * (TITLE_MAX + 1) + " | why", Kind.FEATURE)
@example(" | " + "y" * (IMPACT_MAX + 1), Kind.DEBT)
@example("a\x00b | \x00", Kind.DEBT)
def test_quick_add_gives_a_draft_or_a_friendly_error(raw: str, kind: Kind) -> None:
    parsed = parse_quick_add(raw)
    assert parsed.title == parsed.title.strip()
    assert parsed.impact is None or (parsed.impact and parsed.impact == parsed.impact.strip())
    try:
        draft = make_draft(kind, parsed.title, parsed.impact)
    except ItemValidationError as exc:
        assert exc.errors and set(exc.errors) <= {"title", "impact"}
        for message in exc.errors.values():
            assert message.endswith(".")
            # The listener shows these unescaped in mrkdwn: they must carry no user text.
            assert "<" not in message and "&" not in message
        return
    assert 1 <= len(draft.title) <= TITLE_MAX and 1 <= len(draft.impact) <= IMPACT_MAX
    assert "\x00" not in draft.title + draft.impact


# A title as Slack delivers it: escaped typing and picked tokens, with no `|` of the user's.
_title_part = st.one_of(
    typed(30).filter(lambda s: "|" not in s).map(escape), st.sampled_from(SLACK_TOKENS)
)


@PARSERS
@given(st.lists(_title_part, max_size=6).map("".join), typed(80))
def test_quick_add_gives_back_what_the_user_typed(wire_title: str, impact: str) -> None:
    parsed = parse_quick_add(f"{wire_title} | {escape(impact)}")
    assert parsed.title == unescape(wire_title).strip()
    assert parsed.impact == (impact.strip() or None)


# Item ids --------------------------------------------------------------------------------------


@PARSERS
@given(typed_text)
@example("D-1000000000")
@example("D-٣")
def test_any_text_is_an_item_id_or_none(text: str) -> None:
    ref = ItemRef.parse(text)
    if ref is not None:
        assert 1 <= ref.number <= 999_999_999
        assert ItemRef.parse(str(ref)) == ref


@PARSERS
@given(
    kinds,
    st.integers(min_value=1, max_value=999_999_999),
    st.sampled_from(["{p}-{n}", "{p}{n}", "#{p}-{n}", " {p}-{n} ", "{p}-{n:03d}"]),
    st.booleans(),
)
def test_item_ids_read_back_however_they_are_written(
    kind: Kind, number: int, form: str, lower: bool
) -> None:
    ref = ItemRef(kind, number)
    written = form.format(p=kind.prefix.lower() if lower else kind.prefix, n=number)
    assert ItemRef.parse(written) == ref
    assert ItemRef.parse(str(ref)) == ref


# /tradeoff sub-commands ------------------------------------------------------------------------


@PARSERS
@given(wire_text)
def test_subcommand_is_the_first_word_lowered_and_the_rest_as_words(raw: str) -> None:
    sub = parse_subcommand(raw)
    words = unescape(raw).split()
    assert (sub.name, sub.args) == ((words[0].lower(), tuple(words[1:])) if words else ("", ()))
    assert all(word and not any(c.isspace() for c in word) for word in sub.args)


@PARSERS
@given(typed_text, st.integers(0, 1000), st.integers(0, 1000))
@example("²", 0, 100)
@example("\uff11\uff12", 0, 100)  # isdigit() and int() take these; the bot wants ASCII
@example("-1", 0, 100)
def test_whole_number_is_in_range_or_none(text: str, low: int, high: int) -> None:
    value = whole_number(text, low, high)
    assert value is None or low <= value <= high


@PARSERS
@given(st.integers(0, 1000), st.sampled_from(["{}", " {} ", "{}%", "0{}"]))
def test_whole_number_reads_what_it_should(value: int, form: str) -> None:
    assert whole_number(form.format(value), 0, 1000) == value


@settings(max_examples=10)
@given(st.integers(min_value=4301, max_value=20_000), st.sampled_from("019"))
def test_whole_number_refuses_thousands_of_digits_without_crashing(
    length: int, digit: str
) -> None:
    # Thousands of zeros are still zero; any other digit repeated is far beyond the range.
    assert whole_number(digit * length, 0, 100) == (0 if digit == "0" else None)


# Interest, sizes, urgencies: the other fields of a draft ---------------------------------------


@PARSERS
@given(typed_text)
@example("nan")
@example("-0")
@example("1e400")
@example("6 H")
def test_interest_is_hours_in_range_or_an_error(raw: str) -> None:
    errors: dict[str, str] = {}
    hours = parse_interest(raw, errors)
    if hours is None:
        assert set(errors) <= {"interest"}
        assert all("<" not in m for m in errors.values())
    else:
        assert errors == {}
        assert 0 <= hours <= INTEREST_MAX and hours == round(hours, 1)


@PARSERS
@given(
    st.decimals(min_value=0, max_value=INTEREST_MAX, places=1),
    st.sampled_from(["{}", "{}h", " {} H "]),
)
def test_interest_reads_back_what_was_written(hours: object, form: str) -> None:
    assert parse_interest(form.format(hours), {}) == float(str(hours))


@PARSERS
@given(
    kinds,
    typed(TITLE_MAX + 20),
    typed(300),
    st.one_of(st.none(), st.sampled_from([s.value.lower() for s in Size]), typed(5)),
    st.one_of(st.none(), st.sampled_from([u.value.upper() for u in Urgency]), typed(5)),
    st.one_of(st.none(), typed(AREA_MAX + 10)),
    st.one_of(st.none(), st.just("https://example.com/x?a=1&b=2"), typed(20)),
    st.one_of(st.none(), typed(8)),
)
def test_any_form_submission_gives_a_draft_or_errors_per_field(
    kind: Kind,
    title: str,
    impact: str,
    size: str | None,
    urgency: str | None,
    area: str | None,
    link: str | None,
    interest: str | None,
) -> None:
    fields = {"size": size, "urgency": urgency, "area": area, "link": link, "interest": interest}
    try:
        draft = make_draft(kind, title, impact, **fields)
    except ItemValidationError as exc:
        assert exc.errors
        assert set(exc.errors) <= {"title", "impact", *fields}
        assert all(isinstance(m, str) and m for m in exc.errors.values())
        return
    assert draft.kind is kind and draft.title == title.replace("\x00", "").strip()
    assert (draft.area or "") == (area or "").replace("\x00", "").strip()
    assert draft.link is None or draft.link.startswith(("http://", "https://"))


# `/tradeoff schedule <weekday> <HH:MM> [zone]` -------------------------------------------------


def _is_schedule_error(exc: ScheduleTextError) -> bool:
    return str(exc).endswith(f"Example: `{EXAMPLE}`.")


@PARSERS
@given(typed_text)
def test_any_weekday_text_is_a_weekday_or_an_error(text: str) -> None:
    try:
        assert 0 <= parse_weekday(text) <= 6
    except ScheduleTextError as exc:
        assert _is_schedule_error(exc)


@PARSERS
@given(st.integers(0, 6), st.integers(3, 9), st.booleans(), st.booleans())
def test_weekdays_read_back_in_any_case_and_length(
    index: int, length: int, upper: bool, plural: bool
) -> None:
    word = WEEKDAYS[index][:length]
    written = (word.upper() if upper else word) + ("s" if plural else "")
    assert parse_weekday(written) == index


@PARSERS
@given(typed_text)
@example("99:99")
@example("٠٩:٣٠")
def test_any_time_text_is_a_time_or_an_error(text: str) -> None:
    try:
        assert isinstance(parse_time(text), time)
    except ScheduleTextError as exc:
        assert _is_schedule_error(exc)


@PARSERS
@given(st.integers(0, 23), st.integers(0, 59))
def test_times_read_back_on_both_clocks(hour: int, minute: int) -> None:
    expected = time(hour, minute)
    assert parse_time(f"{hour:02d}:{minute:02d}") == expected
    assert parse_time(f"{hour}:{minute:02d}") == expected
    twelve = hour % 12 or 12
    assert parse_time(f"{twelve}:{minute:02d}{'pm' if hour >= 12 else 'am'}") == expected


@PARSERS
@given(typed_text)
@example("a" * 300)
@example("é" * 200)
@example("Europe/" + "x" * 300)
def test_any_zone_text_is_a_loadable_zone_or_an_error(text: str) -> None:
    try:
        zone = parse_timezone(text)
    except ScheduleTextError as exc:
        assert _is_schedule_error(exc)
        return
    ZoneInfo(zone)
    assert len(zone) <= 64  # the width of channel_settings.timezone


@PARSERS
@given(st.sampled_from(ZONES))
def test_every_iana_zone_reads_back_as_itself(zone: str) -> None:
    assert parse_timezone(f" {zone} ") == zone


@PARSERS
@given(st.lists(st.one_of(typed(30), st.sampled_from(["monday", "09:00", "UTC", "Europe/Berlin"]))
                , max_size=4))
def test_any_schedule_arguments_give_a_slot_or_an_error(words: list[str]) -> None:
    try:
        slot = parse_slot(tuple(words), "UTC")
    except ScheduleTextError as exc:
        assert _is_schedule_error(exc)
        return
    assert isinstance(slot, WeeklySlot)
    assert slot.describe().startswith(WEEKDAYS[slot.weekday].capitalize())


@PARSERS
@given(st.integers(0, 6), st.integers(0, 23), st.integers(0, 59), st.sampled_from(ZONES))
def test_a_slot_reads_back_from_its_own_description(
    weekday: int, hour: int, minute: int, zone: str
) -> None:
    slot = WeeklySlot(weekday, time(hour, minute), zone)
    assert parse_slot(tuple(slot.describe().split()), "UTC") == slot
