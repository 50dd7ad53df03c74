"""Properties through the real store and the real bot: any text is stored and read back exactly
(SQLite and PostgreSQL), and any command text gets a 200, a visible reply, and pings nobody.

These touch the database or HTTP, so examples are few and have no deadline: a slow CI machine
must not turn into a flaky "deadline exceeded".
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.domain.items import AREA_MAX, IMPACT_MAX, TITLE_MAX, ItemValidationError, Kind, make_draft
from bot.slack.listeners.commands.subcommands import SUBCOMMANDS as REGISTERED
from bot.store.unit_of_work import Store
from tests.conftest import Bot
from tests.support.block_limits import message_violations
from tests.support.db import stored_items
from tests.support.eventually import eventually
from tests.support.items import add_item
from tests.support.mentions import live_rendered_tokens
from tests.support.text_strategies import CHARACTERS, NASTY_TYPED, SLACK_TOKENS, typed, wire_text

NOW = datetime(2027, 6, 9, 12, 0, tzinfo=UTC)
# Fixtures are shared by the examples of one test; each example uses a workspace of its own.
SHARED_FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]

# The store round trip ---------------------------------------------------------------------------


def field_text(max_size: int) -> st.SearchStrategy[str]:
    """Anything up to `max_size` characters, long runs of one nasty character included."""
    return st.one_of(
        st.text(CHARACTERS, min_size=1, max_size=max_size),
        typed(max_size),
        st.sampled_from(NASTY_TYPED).map(lambda s: (s * max_size)[:max_size]),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=SHARED_FIXTURES)
@given(
    kind=st.sampled_from(Kind),
    title=field_text(TITLE_MAX),
    impact=field_text(IMPACT_MAX),
    area=st.none() | field_text(AREA_MAX),
)
async def test_item_text_reads_back_exactly_as_stored(
    store: Store, kind: Kind, title: str, impact: str, area: str | None
) -> None:
    try:
        draft = make_draft(kind, title, impact, area=area)
    except ItemValidationError:
        assume(False)
        return
    team = "T" + uuid.uuid4().hex[:10].upper()

    async with store.unit_of_work() as uow:
        item = await uow.items.add(team, "C111", "U111", draft, NOW)
        await uow.commit()
    async with store.unit_of_work() as uow:
        loaded = await uow.items.get(team, item.ref)
        trail = await uow.audit.trail(team, item.ref)

    assert loaded is not None
    assert (loaded.title, loaded.impact, loaded.area) == (draft.title, draft.impact, draft.area)
    # The rows themselves, read without the repository's mapping, hold the same characters.
    [row] = await stored_items(store, team)
    assert (row.title, row.impact, row.area) == (draft.title, draft.impact, draft.area)
    assert [change.new_value for change in trail] == [draft.title]


# Any command text over signed HTTP ---------------------------------------------------------------

# Every registered sub-command, the bare command, and one that does not exist.
SUBCOMMANDS = ("", *(spec.name for spec in REGISTERED), "frobnicate")
ARGUMENTS = (
    "D-1", "F-1", "D-2", "d1", "#F-1", "B-1", "b2", "D-999999999", "M", "xl", "high", "low",
    "monday", "Sun",
    "09:00", "9pm", "25:00", "Europe/Berlin", "UTC", "Mars/Base", "off", "quiet", "on", "votes",
    "hidden", "shown", "replies", "10", "0", "100", "1000", "-5", "6", "2.5h", "lead", "pm",
    "none", "<@U0ABC|jo>", "<@W0XYZ>", *SLACK_TOKENS,
)
argument = st.one_of(st.sampled_from(ARGUMENTS), wire_text.filter(lambda s: s.strip()))
tradeoff_text = st.builds(
    lambda name, args, upper: " ".join([name.upper() if upper else name, *args]),
    st.sampled_from(SUBCOMMANDS), st.lists(argument, max_size=4), st.booleans(),
) | wire_text
log_text = wire_text | st.tuples(wire_text, wire_text).map(" | ".join)
TEXTS = {"/debt": log_text, "/feature": log_text, "/tradeoff": tradeoff_text}

# `/tradeoff role <@U…> lead` mentions the person it names, in the channel, by design: the one
# mention the bot builds from what a user typed (and only from a well-formed user token).
_ROLE = re.compile(r"^role <@([UW][A-Z0-9]+)(?:\|[^>]*)?> (?:lead|pm|none)$", re.IGNORECASE)
# Mentions the bot builds from ids Slack gave it: the caller, the seeded items' author, and the
# channel an item lives in.
TRUSTED = ("<@U111>", "<@UAUTHOR>", "<#C111>")
UNEXPECTED = "Something went wrong on Tradeoff's side"


def trusted_for(command: str, text: str) -> set[str]:
    allowed = set(TRUSTED)
    role = _ROLE.match(" ".join(text.split())) if command == "/tradeoff" else None
    if role:
        allowed.add(f"<@{role.group(1)}>")
    return allowed


def reply_of(response_text: str) -> dict[str, Any] | None:
    """The ack's message, or None for an empty ack (the answer then comes another way)."""
    return json.loads(response_text) if response_text.strip() else None


@pytest.mark.parametrize("name", sorted(TEXTS))
@settings(max_examples=25, deadline=None, suppress_health_check=SHARED_FIXTURES)
@given(data=st.data())
async def test_any_command_text_gets_a_reply_and_pings_nobody(
    bot: Bot, caplog: pytest.LogCaptureFixture, name: str, data: st.DataObject
) -> None:
    text = data.draw(TEXTS[name], label="text")
    bot.slack.team_id = team = "T" + uuid.uuid4().hex[:10].upper()
    await add_item(bot.store, team, Kind.DEBT, "Seeded debt")
    await add_item(bot.store, team, Kind.FEATURE, "Seeded feature")
    key = uuid.uuid4().hex
    trigger_id = f"{key}.111.abc"
    seen_before = len(bot.fake.snapshot())
    caplog.clear()

    response = await bot.slack.command(
        name, text, response_url=bot.fake.response_url(key), trigger_id=trigger_id
    )

    assert response.status_code == 200
    ack = reply_of(response.text)
    if ack is not None:
        assert message_violations(ack) == []
        assert UNEXPECTED not in json.dumps(ack)
    else:
        async def answered_another_way() -> None:
            calls = bot.fake.snapshot()[seen_before:]
            assert any(
                c.path.endswith(f"/response/{key}")
                or (c.method == "views.open" and c.params.get("trigger_id") == trigger_id)
                for c in calls
            ), "an empty ack and nothing else: the user saw no answer"

        await eventually(answered_another_way)
    allowed = trusted_for(name, text)
    assert live_rendered_tokens(ack, allowed=allowed) == []
    for call in bot.fake.snapshot()[seen_before:]:
        assert live_rendered_tokens(call.params, allowed=allowed) == [], call.method
        assert UNEXPECTED not in json.dumps(call.params), call.method
    # Nothing a user can type is an error of ours: no traceback, no "something went wrong".
    assert [r.getMessage() for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")] == []
    for row in await stored_items(bot.store, team):
        assert "\x00" not in row.title + row.impact
