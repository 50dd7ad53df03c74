"""Properties of every Block Kit builder, fed whatever users can put in an item, a display name
or a Slack error: the payload always fits Slack's limits (else Slack refuses it whole), no
user text becomes a live ping or link, every `&` shown is a whole entity, and the user's text
is still there to read."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.backlog_health import BacklogHealth, DuplicatePair, check_health
from bot.domain.channel_roles import ChannelRoles
from bot.domain.channel_settings import MAX_REPLIES_PER_KIND, ChannelSettings, WeeklySlot
from bot.domain.decisions import (
    Agreement,
    Alternative,
    DecidedItem,
    Decision,
    DecisionSplit,
    Rationale,
    Role,
)
from bot.domain.digest import Digest, compose_digest
from bot.domain.items import (
    AFFECTED_MAX,
    AREA_MAX,
    IMPACT_MAX,
    INTEREST_MAX,
    TITLE_MAX,
    Confidence,
    Item,
    ItemChange,
    ItemRef,
    Kind,
    Severity,
    Size,
    Status,
    Urgency,
)
from bot.domain.planning import NotPickedReason
from bot.services.app_home import HOME_CHANNELS, HOME_OWN_ITEMS, ChannelBoard, HomeData
from bot.slack.blocks.care import health_reply, item_record_reply
from bot.slack.blocks.digest import closed_text, parent_message, reply_message
from bot.slack.blocks.estimate_modal import estimate_modal, submitted_estimate
from bot.slack.blocks.home import home_view
from bot.slack.blocks.item_menu import chosen, item_menu
from bot.slack.blocks.item_modal import ModalContext, Prefill, item_modal, submitted_values
from bot.slack.blocks.people import holders
from bot.slack.blocks.replies import (
    error_reply,
    item_closed_text,
    item_logged_reply,
    list_reply,
    text_reply,
    usage_reply,
)
from bot.slack.blocks.settings_replies import schedule_text, settings_text
from bot.slack.blocks.sign_off import decided_text, decision_thread_message, sign_off_blocks
from bot.slack.listeners.commands.subcommands import help_text
from bot.slack.listeners.shortcuts.log_from_message import prefill_from
from bot.slack.text import escape
from tests.support.block_limits import message_violations, view_violations
from tests.support.builders import an_item
from tests.support.mentions import bare_ampersands, live_rendered_tokens, rendered_texts
from tests.support.text_strategies import SLACK_TOKENS, typed, wire_text

NOW = datetime(2027, 6, 9, 12, 0, tzinfo=UTC)
TEAM, CHANNEL = "TTEAM0001", "CCHANNEL1"
AUTHOR, LEAD, PM, VOTER = "UAUTHOR01", "ULEAD0001", "UPM000001", "W0VOTER01"
PEOPLE = (AUTHOR, LEAD, PM, VOTER)
# The only tokens a builder may write: mentions and channel links made from ids Slack gave it.
TRUSTED = frozenset({f"<@{user}>" for user in PEOPLE} | {f"<#{CHANNEL}>"})

BUILDERS = settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
# A Home of many boards of many items often outgrows hypothesis's entropy budget, and its health
# check then failed the run now and then instead of trying smaller Homes.
LARGE_BUILDERS = settings(
    BUILDERS, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
PARSE = settings(max_examples=300)

# Text as the store holds it ---------------------------------------------------------------------


def stored(max_size: int, *, multiline: bool = False) -> st.SearchStrategy[str]:
    """What make_draft lets through: trimmed, no NUL, 1..max_size characters; often the worst
    case for escaping (every character an `&` or `<`, which grows five- or four-fold)."""
    typed_text = typed(max_size).map(lambda s: s.replace("\x00", "").strip()).filter(bool)
    worst = st.text(st.sampled_from("&<>" + ("\n" if multiline else "")), min_size=max_size,
                    max_size=max_size).map(lambda s: f"&{s[2:]}&")
    tokens = st.lists(st.sampled_from(SLACK_TOKENS), min_size=1, max_size=20).map(
        lambda ts: " ".join(ts)[:max_size].strip() or "<!here>"
    )
    return st.one_of(typed_text, worst, tokens)


titles = stored(TITLE_MAX)
impacts = stored(IMPACT_MAX, multiline=True)
display_names = stored(80)
people = st.sampled_from(PEOPLE)
refs = st.builds(ItemRef, st.sampled_from(Kind), st.integers(1, 999_999_999))
moments = st.integers(0, 3000).map(lambda days: NOW - timedelta(days=days, minutes=days))


@st.composite
def items(draw: st.DrawFn, status: Status | None = Status.OPEN) -> Item:
    ref = draw(refs)
    created = draw(moments)
    chosen = status or draw(st.sampled_from(Status))
    return an_item(
        ref.kind, ref.number, team_id=TEAM, channel_id=CHANNEL, title=draw(titles),
        impact=draw(impacts), author_id=AUTHOR, status=chosen, created_at=created,
        size=draw(st.none() | st.sampled_from(Size)),
        urgency=draw(st.none() | st.sampled_from(Urgency)),
        area=draw(st.none() | stored(AREA_MAX)),
        interest=(
            draw(st.none() | st.decimals(0, INTEREST_MAX, places=1).map(float))
            if ref.kind is Kind.DEBT else None
        ),
        severity=draw(st.none() | st.sampled_from(Severity)) if ref.kind is Kind.BUG else None,
        affected_per_week=(
            draw(st.none() | st.decimals(0, AFFECTED_MAX, places=1).map(float))
            if ref.kind is Kind.BUG else None
        ),
        size_confidence=draw(st.none() | st.sampled_from(Confidence)),
        merged_into=draw(refs) if chosen is Status.MERGED else None,
        closed_by=None if chosen in (Status.OPEN, Status.PLANNED) else draw(people),
        votes=draw(st.integers(0, 10**6)),
        voters=draw(st.lists(people, max_size=4, unique=True)),
    )


def backlogs(max_size: int = 30) -> st.SearchStrategy[list[Item]]:
    return st.lists(items(), max_size=max_size, unique_by=lambda i: i.ref)


def long_item(kind: Kind, number: int, char: str) -> Item:
    """An item as long as the store allows, written with `char` throughout."""
    return an_item(
        kind, number, team_id=TEAM, channel_id=CHANNEL, title=char * TITLE_MAX,
        impact=char * IMPACT_MAX, author_id=AUTHOR, created_at=NOW, size=Size.XS,
        urgency=Urgency.HIGH, votes=10**6 - number,
        interest=INTEREST_MAX if kind is Kind.DEBT else None,
    )


# Big backlogs of long items are what hit the caps; random lists seldom are both.
long_backlogs = st.builds(
    lambda count, char: [long_item(k, n, char) for k in Kind for n in range(1, count + 1)],
    st.integers(8, 40), st.sampled_from(["t", "&", "<", "é", "👩‍💻"]),
)


slots = st.builds(
    WeeklySlot, st.integers(0, 6), st.builds(time, st.integers(0, 23), st.integers(0, 59)),
    st.sampled_from(["UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kathmandu"]),
)
channel_settings = st.builds(
    ChannelSettings, st.just(TEAM), st.just(CHANNEL), slot=st.none() | slots,
    quiet=st.booleans(), paused_reason=st.none() | typed(60).filter(bool),
    budget_pct=st.integers(0, 100), capacity=st.integers(1, 1000),
    replies_per_kind=st.integers(1, MAX_REPLIES_PER_KIND), votes_hidden=st.booleans(),
)


@st.composite
def decisions(draw: st.DrawFn) -> Decision:
    decided = draw(st.lists(st.builds(
        DecidedItem, refs, titles, st.sampled_from([1, 2, 3, 5, 8]), st.integers(0, 10**6),
        st.floats(0, 10**6, allow_nan=False),
    ), max_size=60, unique_by=lambda d: d.ref))
    alternatives = draw(st.lists(st.builds(
        Alternative, refs, titles, st.none() | st.floats(0, 10**6, allow_nan=False),
        st.sampled_from(NotPickedReason),
    ), max_size=3))
    rationale = draw(st.none() | st.builds(Rationale, stored(2000).filter(bool), people, moments))
    return Decision(
        id=draw(st.integers(1, 2**62)), team_id=TEAM, channel_id=CHANNEL, lead_id=LEAD,
        pm_id=PM, capacity=draw(st.integers(1, 1000)), budget_pct=draw(st.integers(0, 100)),
        decided_at=draw(moments), items=tuple(decided), number=draw(st.integers(1, 10**6)),
        alternatives=tuple(alternatives), rationale=rationale,
    )


@st.composite
def digests(draw: st.DrawFn) -> Digest:
    channel = draw(channel_settings)
    split = draw(st.none() | st.builds(
        DecisionSplit, st.integers(0, 4), st.integers(0, 4000), st.integers(0, 4000)
    ))
    backlog = draw(backlogs() | long_backlogs)
    digest = compose_digest(backlog, channel, NOW, split, decided=draw(st.booleans()))
    plan = tuple(r.item.ref for r in digest.plan.picked)
    agreements = draw(st.lists(st.builds(
        Agreement, st.sampled_from(Role), people,
        st.just(plan) | st.lists(refs, max_size=5).map(tuple), moments,
    ), max_size=6))
    return replace(
        digest,
        run_id=draw(st.none() | st.integers(1, 2**62)),
        closed=draw(st.lists(items(status=None), max_size=12)),
        agreements=agreements,
        decision=draw(st.none() | decisions()),
        unshown_open=draw(st.integers(0, 10**6)),
        leads=draw(st.lists(people, max_size=3)),
    )


names = st.dictionaries(people, display_names)

# What every message must satisfy ---------------------------------------------------------------


def assert_safe_message(
    message: dict[str, Any], *, trusted: frozenset[str] = TRUSTED, posted: bool = False
) -> None:
    assert message_violations(message, posted=posted) == []
    assert live_rendered_tokens(message, allowed=trusted) == []
    assert bare_ampersands(message) == []
    json.dumps(message)  # Slack gets JSON: every value must be serialisable


def shown(message: dict[str, Any]) -> str:
    return "\n".join(rendered_texts(message))


# Replies to commands ---------------------------------------------------------------------------


@BUILDERS
@given(items())
def test_logged_reply_fits_and_shows_the_title(item: Item) -> None:
    reply = item_logged_reply(item)
    assert_safe_message(reply)
    if len(escape(item.title)) < 2500:
        assert escape(item.title) in shown(reply)


@BUILDERS
@given(items(status=None), people)
def test_closed_announcement_fits_and_names_who_closed_it(item: Item, user: str) -> None:
    reply = text_reply(item_closed_text(item, user))
    assert_safe_message(reply)
    assert f"<@{user}>" in shown(reply) or len(escape(item.title)) > 2900


@BUILDERS
@given(backlogs(max_size=120), st.booleans())
def test_list_fits_and_accounts_for_every_item(backlog: list[Item], votes_hidden: bool) -> None:
    reply = list_reply(backlog, votes_hidden=votes_hidden)
    assert_safe_message(reply)
    text = shown(reply)
    listed = sum(1 for i in backlog if f"{i.ref}  " in text)
    left_out = text.split("…and ")[-1].split(" more lines")[0] if "more lines" in text else "0"
    # Every item is either listed or counted among the lines left out.
    assert listed + int(left_out) >= len(backlog)


@BUILDERS
@given(typed(400))
def test_error_and_text_replies_of_escaped_user_text_fit(text: str) -> None:
    for reply in (error_reply(escape(text)), error_reply(escape(text), usage=help_text()),
                  text_reply(escape(text) or "x"), usage_reply(help_text())):
        assert_safe_message(reply)


@BUILDERS
@given(channel_settings)
def test_schedule_and_settings_replies_fit_whatever_slack_answered(
    channel: ChannelSettings,
) -> None:
    for text in (schedule_text(channel, NOW), settings_text(channel, NOW)):
        reply = text_reply(text)
        assert_safe_message(reply)
        if channel.slot is not None and channel.paused_reason:
            assert escape(channel.paused_reason) in shown(reply)


@BUILDERS
@given(st.lists(st.tuples(people, st.sampled_from(Role))), st.sampled_from(Role))
def test_holders_only_mention_the_ids_they_are_given(
    roles: list[tuple[str, Role]], wanted: Role
) -> None:
    text = holders(ChannelRoles(tuple(roles)), wanted)
    assert live_rendered_tokens(text, allowed=TRUSTED) == []
    assert all(f"<@{user}>" in text for user, role in roles if role is wanted)


# The digest -------------------------------------------------------------------------------------


@BUILDERS
@given(digests(), names)
def test_digest_parent_fits_and_pings_nobody(digest: Digest, known: dict[str, str]) -> None:
    parent = parent_message(digest, known)
    # The parent is redrawn on every vote: it names people, it never mentions them.
    assert_safe_message(parent, trusted=frozenset(), posted=True)
    text = shown(parent)
    for ranked in digest.shown_debt + digest.shown_features:
        assert f"{ranked.item.ref}*" in text


@BUILDERS
@given(digests())
def test_every_thread_reply_fits_and_names_its_item_first(digest: Digest) -> None:
    for ranked in digest.thread_items:
        reply = reply_message(ranked, digest)
        assert_safe_message(reply, trusted=frozenset(), posted=True)
        assert reply["text"].startswith(f"{ranked.item.ref} ")
        [button] = [b["accessory"] for b in reply["blocks"] if "accessory" in b]
        assert button["value"] == str(ranked.item.ref)


@BUILDERS
@given(st.lists(items(status=None), min_size=1, max_size=40))
def test_closed_line_fits(closed: list[Item]) -> None:
    assert_safe_message(text_reply(closed_text(closed)), trusted=frozenset())


# Sign-off and decisions -------------------------------------------------------------------------


@BUILDERS
@given(digests(), names)
def test_sign_off_blocks_fit_and_name_without_mentions(
    digest: Digest, known: dict[str, str]
) -> None:
    blocks = sign_off_blocks(digest, known)
    message = {"text": "sign-off", "blocks": blocks or [{"type": "divider"}]}
    assert_safe_message(message, trusted=frozenset())


@BUILDERS
@given(decisions(), names)
def test_decision_messages_fit(decision: Decision, known: dict[str, str]) -> None:
    assert_safe_message(text_reply(decided_text(decision, known)), trusted=frozenset())
    thread = decision_thread_message(decision)
    # Posted once, in the thread: here the lead and the PM are mentioned on purpose.
    assert_safe_message(thread, posted=True)
    assert f"<@{LEAD}>" in shown(thread) and f"<@{PM}>" in shown(thread)


# Care: an item's record, the backlog's health --------------------------------------------------

changes = st.builds(
    ItemChange,
    st.sampled_from(["created", "status", "size", "interest", "merged_into", "other"]),
    st.none() | typed(300), st.none() | typed(300), people, moments,
)


@BUILDERS
@given(items(status=None), st.lists(changes, max_size=80))
def test_item_record_fits_and_mentions_only_the_people_involved(
    item: Item, trail: list[ItemChange]
) -> None:
    reply = item_record_reply(item, trail, NOW)
    assert_safe_message(reply)
    assert reply["text"].startswith(f"{item.ref} ")


@st.composite
def healths(draw: st.DrawFn) -> BacklogHealth:
    if draw(st.booleans()):
        return check_health(draw(backlogs()), NOW)
    pool = draw(st.lists(items(), min_size=2, max_size=60, unique_by=lambda i: i.ref))
    pairs = [
        DuplicatePair(keep, duplicate, draw(st.floats(0.8, 1)))
        for keep, duplicate in zip(pool[::2], pool[1::2], strict=False)
    ]
    return BacklogHealth(
        stale=pool[: draw(st.integers(0, len(pool)))], duplicates=pairs,
        unsized=[i for i in pool if i.size is None], unquantified=pool[::3],
    )


@BUILDERS
@given(healths(), st.lists(st.tuples(people, st.sampled_from(Role)), max_size=6))
def test_health_reply_fits_and_every_merge_button_names_a_pair(
    health: BacklogHealth, roles: list[tuple[str, Role]]
) -> None:
    reply = health_reply(health, ChannelRoles(tuple(roles)))
    assert_safe_message(reply)
    buttons = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    pairs = {f"{p.duplicate.ref}>{p.keep.ref}" for p in health.duplicates}
    assert {b["value"] for b in buttons} <= pairs
    assert len(buttons) == len(pairs) or "more likely duplicate pairs" in shown(reply)


# Modals ---------------------------------------------------------------------------------------


contexts = st.builds(
    ModalContext, st.sampled_from(Kind), st.sampled_from([CHANNEL, ""]),
    st.none() | st.text(max_size=400).map(lambda s: "https://hooks.slack.com/commands/" + s),
    ref=st.none() | refs.map(str), home=st.booleans(),
)
prefills = st.builds(
    Prefill, title=typed(TITLE_MAX * 3), impact=typed(IMPACT_MAX + 100),
    urgency=st.none() | st.sampled_from([u.value for u in Urgency]) | typed(10),
    area=typed(AREA_MAX + 20), link=st.sampled_from(["", "https://example.com/a?b=1&c=<2>"]),
)


@BUILDERS
@given(contexts, prefills, st.none() | typed(300).filter(bool))
def test_item_modal_fits_and_hands_back_what_was_typed(
    context: ModalContext, prefill: Prefill, notice: str | None
) -> None:
    view = item_modal(context, prefill=prefill, notice=notice)
    assert view_violations(view) == []
    assert ModalContext.from_metadata(view["private_metadata"]) == context
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    # What the form shows is what was typed, cut to the field's length, never escaped: inputs
    # show plain text.
    assert inputs["title"].get("initial_value", "") == prefill.title[:TITLE_MAX]
    assert inputs["impact"].get("initial_value", "") == prefill.impact[:IMPACT_MAX]
    # A submission of this very form reads back every field the user filled in.
    state = {
        block_id: {"value": {"type": element["type"], "value": f"typed {block_id}"}}
        for block_id, element in inputs.items()
    }
    values = submitted_values({"state": {"values": state}})
    assert {k: v for k, v in values.items() if k in inputs} == {
        block_id: f"typed {block_id}" for block_id in inputs
    }


@BUILDERS
@given(wire_text.map(lambda s: (s * 50)[:5000]), st.sampled_from(Kind))
def test_a_form_filled_from_any_message_fits(text: str, kind: Kind) -> None:
    prefill = prefill_from({"text": text}, "https://example.slack.com/archives/C1/p1")
    view = item_modal(ModalContext(kind, CHANNEL), prefill=prefill)
    assert view_violations(view) == []
    assert len(prefill.title) <= TITLE_MAX and "\n" not in prefill.title


@BUILDERS
@given(refs)
def test_the_item_menu_fits_and_reads_back_each_choice(ref: ItemRef) -> None:
    menu = item_menu(ref)
    message = {"text": "menu", "blocks": [{"type": "actions", "elements": [menu]}]}
    assert message_violations(message) == []
    assert [chosen(o["value"]) for o in menu["options"]] == [
        ("edit", ref), ("done", ref), ("drop", ref)
    ]


@PARSE
@given(wire_text)
def test_a_menu_value_we_did_not_build_is_refused(value: str) -> None:
    picked = chosen(value)
    assert picked is None or (picked[0] in ("edit", "done", "drop") and value.startswith(
        picked[0] + ":"
    ))


@st.composite
def boards(draw: st.DrawFn, channel_id: str) -> ChannelBoard:
    channel = draw(channel_settings)
    backlog = draw(backlogs(max_size=24) | long_backlogs)
    digest = compose_digest(backlog, channel, NOW)
    return ChannelBoard(
        channel_id, channel, digest.debt, digest.features,
        draw(st.none() | st.just(NOW + timedelta(days=3))),
    )


@st.composite
def homes(draw: st.DrawFn) -> HomeData:
    count = draw(st.integers(0, HOME_CHANNELS))
    return HomeData(
        boards=[draw(boards(f"CHOME{n}")) for n in range(count)],
        hidden_channels=draw(st.integers(0, 1000)),
        own_items=draw(st.lists(items(), max_size=HOME_OWN_ITEMS, unique_by=lambda i: i.ref)),
    )


@LARGE_BUILDERS
@given(homes(), st.none() | typed(300).filter(bool))
def test_the_home_tab_fits_and_pings_nobody(home: HomeData, notice: str | None) -> None:
    view = home_view(home, notice=notice)
    assert view_violations(view) == []
    channels = {f"<#{b.channel_id}>" for b in home.boards} | {f"<#{CHANNEL}>"}
    assert live_rendered_tokens(view, allowed=channels) == []
    assert bare_ampersands(view) == []


@BUILDERS
@given(items(), st.none() | st.sampled_from(Size), st.none() | st.sampled_from(Confidence))
def test_estimate_modal_fits_and_reads_back_the_choice(
    item: Item, size: Size | None, confidence: Confidence | None
) -> None:
    view = estimate_modal(item)
    assert view_violations(view) == []

    def chosen(value: str | None) -> dict[str, Any]:
        option = {"text": {"type": "plain_text", "text": value}, "value": value}
        return {"value": {"selected_option": option if value else None}}

    view["state"] = {"values": {
        "size": chosen(size.value if size else None),
        "confidence": chosen(confidence.value if confidence else None),
    }}
    assert submitted_estimate(view) == (item.ref, size, confidence)
