"""Abuse: what an attacker can send to the one public endpoint, text that has broken other
software, one workspace reaching for another's items, and secrets in the logs.

Every refusal is checked three ways: the status, the database (not one row anywhere changed)
and the log (no ERROR, no traceback: attacker input is not our failure, and a log full of
tracebacks hides real ones).
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import hmac
import io
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import select

from bot.domain.items import Kind, Status
from bot.services.close_item import close_item
from bot.services.errors import ItemInAnotherChannel
from bot.services.merge_items import merge_items
from bot.slack.text import escape
from bot.store.models import ItemRow
from bot.store.unit_of_work import Store
from tests.conftest import BOT_TOKEN, Bot
from tests.support.db import stored_items
from tests.support.digests import parents, replies
from tests.support.eventually import eventually, quiet
from tests.support.items import add_item
from tests.support.mentions import live_rendered_tokens, live_tokens, rendered_texts
from tests.support.secret_watch import WATCH, SecretLeaked
from tests.support.slack_requests import SIGNING_SECRET, fixture, reply_text, signed_headers
from tests.support.voting import post_digest, votes_settled
from tests.support.workspace_rows import row_counts, team_rows

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
ONE_MB = 1_000_000


class Logged(logging.Handler):
    """Every record while a test runs, uvicorn's included (its loggers do not propagate)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def errors(self) -> list[str]:
        """Records at ERROR or above, and any record carrying a traceback."""
        return [
            f"{r.levelname} {r.name}: {r.getMessage()}"
            for r in self.records
            if r.levelno >= logging.ERROR or r.exc_info or r.exc_text
        ]


@pytest.fixture
def logged() -> Iterator[Logged]:
    handler = Logged()
    loggers = [logging.getLogger(name) for name in ("", "uvicorn", "uvicorn.error")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


def command_body(bot: Bot, text: str = "Attack | impact") -> bytes:
    return bot.slack.command_body("/debt", text)


def event_body(bot: Bot) -> bytes:
    envelope = fixture("event_reaction_added.json")
    envelope["team_id"] = bot.slack.team_id
    envelope["authorizations"][0]["team_id"] = bot.slack.team_id
    return json.dumps(envelope).encode()


def interaction_body(bot: Bot) -> bytes:
    payload = bot.slack.block_action("agree_pick", "1", "1700000000.000100")
    return urlencode({"payload": json.dumps(payload)}).encode()


BODIES = {
    "slash command": (command_body, FORM),
    "event": (event_body, JSON),
    "interaction": (interaction_body, FORM),
}


def raw_signed(body: bytes, content_type: str, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """Signed as Slack signs: over the raw bytes, which need not be UTF-8 (slack_sdk's helper
    decodes them first, so it cannot sign a body that is not)."""
    timestamp = str(_now())
    base = b"v0:" + timestamp.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"content-type": content_type, "x-slack-request-timestamp": timestamp,
            "x-slack-signature": f"v0={digest}"}


async def post(bot: Bot, body: bytes, headers: dict[str, str], method: str = "POST") -> int:
    response = await bot.slack.http.request(
        method, bot.slack.events_url, content=body, headers=headers
    )
    return response.status_code


async def assert_refused(
    bot: Bot, logged: Logged, before: dict[str, int], status: int, allowed: set[int],
    case: str = "",
) -> None:
    assert status in allowed, case
    assert await row_counts(bot.store) == before, case
    assert logged.errors() == [], case


# Signatures -----------------------------------------------------------------------------------


def _now() -> int:
    return int(time.time())


SIGNATURE_PROBLEMS: dict[str, Any] = {
    "signed with another secret": lambda b, t: signed_headers(b, t, secret="not-the-secret"),
    "no signature headers": lambda b, t: {"content-type": t},
    "timestamp only": lambda b, t: {"content-type": t, "x-slack-request-timestamp": str(_now())},
    "signature only": lambda b, t: {
        k: v for k, v in signed_headers(b, t).items() if k != "x-slack-request-timestamp"
    },
    "empty signature": lambda b, t: signed_headers(b, t) | {"x-slack-signature": ""},
    "another scheme": lambda b, t: signed_headers(b, t) | {
        "x-slack-signature": signed_headers(b, t)["x-slack-signature"].replace("v0=", "v1=")
    },
    "signature of another body": lambda b, t: signed_headers(b + b"&x=1", t),
    "301 seconds old": lambda b, t: signed_headers(b, t, timestamp=_now() - 301),
    "a day old": lambda b, t: signed_headers(b, t, timestamp=_now() - 86_400),
    "301 seconds ahead": lambda b, t: signed_headers(b, t, timestamp=_now() + 301),
    "the epoch": lambda b, t: signed_headers(b, t, timestamp=0),
}


@pytest.mark.parametrize("kind", sorted(BODIES))
async def test_a_request_without_a_valid_signature_is_refused(
    bot: Bot, logged: Logged, kind: str
) -> None:
    make_body, content_type = BODIES[kind]
    body = make_body(bot)
    before = await row_counts(bot.store)

    for problem, headers in SIGNATURE_PROBLEMS.items():
        status = await post(bot, body, headers(body, content_type))

        await assert_refused(bot, logged, before, status, {401}, problem)




@pytest.mark.parametrize(
    "timestamp", ["soon", "1.7e9", "-1"],
)
async def test_a_timestamp_that_is_not_a_number_is_refused(
    bot: Bot, logged: Logged, timestamp: str
) -> None:
    body = command_body(bot)
    headers = signed_headers(body, FORM) | {"x-slack-request-timestamp": timestamp}
    before = await row_counts(bot.store)

    status = await post(bot, body, headers)

    await assert_refused(bot, logged, before, status, {401})


# Bodies an attacker controls ------------------------------------------------------------------

MALFORMED = [
    pytest.param(b"payload={not json", FORM, id="payload-garbage"),
    pytest.param(b'payload=%7B%22type%22%3A', FORM,
                 id="payload-truncated"),
    pytest.param(b"payload=%5B1%2C2%5D", FORM, id="payload-list"),
    pytest.param(b"payload=null", FORM, id="payload-null"),
    pytest.param(b'{"type": "event_callback", ', JSON,
                 id="json-truncated"),
    pytest.param(b"[1, 2]", JSON, id="json-list"),
    pytest.param(b"\xff\xfe\x00\x81 not utf-8", FORM,
                 id="not-utf8"),
    pytest.param(b"%%%&&&===%zz", FORM, id="form-garbage"),
    pytest.param(b"", FORM, id="empty"),
    pytest.param(b"command=%2Fdebt&text=" + b"A" * 100, FORM, id="truncated-command"),
]


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
async def test_a_malformed_unsigned_body_is_refused(
    bot: Bot, logged: Logged, body: bytes, content_type: str
) -> None:
    before = await row_counts(bot.store)

    status = await post(bot, body, raw_signed(body, content_type, secret="forged"))

    await assert_refused(bot, logged, before, status, {400, 401})


@pytest.mark.parametrize(
    ("body", "content_type"), [p for p in MALFORMED if p.id != "truncated-command"]
)
async def test_a_malformed_body_is_refused_even_when_signed(
    bot: Bot, logged: Logged, body: bytes, content_type: str
) -> None:
    # Only Slack can sign, and Slack sends well-formed bodies; this is the bot's own robustness.
    # 401 too: a verifier may decode the body before checking it, and refuse what is not UTF-8.
    before = await row_counts(bot.store)

    status = await post(bot, body, raw_signed(body, content_type))

    await assert_refused(bot, logged, before, status, {400, 401, 404})


async def test_an_unsigned_body_of_another_content_type_is_refused(
    bot: Bot, logged: Logged
) -> None:
    body = command_body(bot)
    before = await row_counts(bot.store)

    for content_type in ("text/plain", "application/xml", "multipart/form-data; boundary=x", ""):
        status = await post(bot, body, {"content-type": content_type} if content_type else {})

        await assert_refused(bot, logged, before, status, {401, 415}, content_type)


async def test_only_post_reaches_the_bot(bot: Bot, logged: Logged) -> None:
    body = command_body(bot)
    before = await row_counts(bot.store)

    for method in ("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"):
        # Signed, even: the method alone decides.
        status = await post(bot, body, signed_headers(body, FORM), method=method)

        await assert_refused(bot, logged, before, status, {405}, method)


# What Slack may send that the bot does not handle ------------------------------------------------

UNKNOWN_INTERACTIONS = {
    "unknown payload type": {"type": "made_up_type"},
    "a shortcut we do not have": {"type": "shortcut", "callback_id": "made_up"},
    "a message shortcut we do not have": {"type": "message_action", "callback_id": "made_up"},
    "a button we did not build": {"type": "block_actions", "actions": [
        {"action_id": "made_up", "block_id": "b", "type": "button", "value": "D-1"}]},
    "a form we did not open": {"type": "view_submission", "view": {
        "type": "modal", "callback_id": "made_up", "private_metadata": "",
        "state": {"values": {}}}},
}


@pytest.mark.parametrize("name", sorted(UNKNOWN_INTERACTIONS))
async def test_an_interaction_the_bot_does_not_handle_changes_nothing(
    bot: Bot, logged: Logged, name: str
) -> None:
    payload = {
        **UNKNOWN_INTERACTIONS[name],
        "team": {"id": bot.team_id}, "user": {"id": "U111", "team_id": bot.team_id},
        "trigger_id": "1.1.x", "response_url": bot.slack.response_url,
    }
    before = await row_counts(bot.store)

    status = (await bot.slack.interaction(payload)).status_code

    await assert_refused(bot, logged, before, status, {404})
    await quiet(bot.fake, "response_url")
    assert _posted(bot) == []  # nothing posted anywhere, not even an error


@pytest.mark.parametrize("event_type", ["made_up_event", "message", "app_mention", "team_join"])
async def test_an_event_the_bot_does_not_handle_changes_nothing(
    bot: Bot, logged: Logged, event_type: str
) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Untouched")
    before = await row_counts(bot.store)

    response = await bot.slack.event({"type": event_type, "user": "U111", "text": "<!channel>"})

    await assert_refused(bot, logged, before, response.status_code, {404})
    assert _posted(bot) == []


def _posted(bot: Bot) -> list[str]:
    """Calls to Slack other than auth.test, which Bolt makes once to learn who the bot is."""
    return [c.method for c in bot.fake.snapshot() if c.method != "auth.test"]


# Oversized bodies ------------------------------------------------------------------------------


async def test_a_one_megabyte_body_is_refused_and_changes_nothing(
    bot: Bot, logged: Logged
) -> None:
    body = command_body(bot, "Huge | " + "x" * ONE_MB)
    assert len(body) > ONE_MB
    before = await row_counts(bot.store)

    status = await post(bot, body, signed_headers(body, FORM, secret="forged"))

    await assert_refused(bot, logged, before, status, {413})


async def test_a_body_declared_over_the_cap_is_refused_before_it_is_read(bot: Bot) -> None:
    host, port = urlsplit(bot.url).hostname, urlsplit(bot.url).port
    reader, writer = await asyncio.open_connection(host, port)
    head = (
        f"POST /slack/events HTTP/1.1\r\nHost: {host}\r\nContent-Type: {FORM}\r\n"
        f"Content-Length: {ONE_MB}\r\nX-Slack-Request-Timestamp: {_now()}\r\n"
        "X-Slack-Signature: v0=00\r\n\r\n"
    )
    try:
        # Only a first slice of the declared megabyte is ever sent: a server that answers has
        # decided without reading the body; one that waits for the rest would read it all.
        writer.write(head.encode() + b"text=" + b"x" * 65_536)
        await writer.drain()
        try:
            status_line = await asyncio.wait_for(reader.readline(), timeout=5)
        except TimeoutError:
            pytest.fail("the server waited for the rest of the megabyte instead of refusing it")
    finally:
        writer.close()
    assert status_line.split()[1] == b"413"


# Text that has broken other software is stored and shown as typed --------------------------------

LITERALS = {
    "sql": "'; DROP TABLE items; --",
    "printf": "%s%n%x",
    "format": "{0} {title}",
    "control characters": "a\x01b\x07c\x1bd\x7fe",
    "direction override": "invoice\u202egnp.exe",
    "entity typed literally": "&lt;b&gt; &amp;",
    "broadcast typed": "<!channel>",
}


def wire(typed_text: str) -> str:
    """The text as Slack sends it: escaped, except that @channel arrives as its token."""
    return escape(typed_text).replace("&lt;!channel&gt;", "<!channel>")


@pytest.mark.parametrize("name", sorted(LITERALS))
async def test_dangerous_text_is_stored_and_shown_literally(bot: Bot, name: str) -> None:
    typed_text = LITERALS[name]
    title, impact = f"Title {typed_text} end", f"Impact {typed_text} end"

    logged = await bot.slack.command("/debt", f"{wire(title)} | {wire(impact)}")

    [row] = await stored_items(bot.store, bot.team_id)
    assert (row.title, row.impact) == (title, impact)
    assert escape(title) in reply_text(logged)
    listing = await bot.slack.command("/tradeoff", "list")
    shown = await bot.slack.command("/tradeoff", "show D-1")
    for response in (logged, listing, shown):
        assert escape(title) in reply_text(response)
        assert live_tokens(response.json(), allowed=("<@U111>", "<#C111>")) == []
    await post_digest(bot)
    sent = [c.params for c in parents(bot.fake) + replies(bot.fake)]
    assert any(escape(title) in text for text in rendered_texts(sent))
    assert live_rendered_tokens(sent) == []
    assert await _exported_titles(bot) == {title if title[0] not in "=+-@" else "'" + title}


async def _exported_titles(bot: Bot) -> set[str]:
    await bot.slack.command("/tradeoff", "export")
    found: list[str] = []

    async def uploaded() -> None:
        # A month's first digest uploads its chart too: look for the CSV among the uploads.
        found[:] = [d.decode() for d in list(bot.fake.uploads.values()) if d.startswith(b"id,")]
        assert found

    await eventually(uploaded)
    return {row["title"] for row in csv.DictReader(io.StringIO(found[0]))}


async def test_a_role_command_mentions_only_the_person_it_names(bot: Bot) -> None:
    response = await bot.slack.command("/tradeoff", "role <@U0ROLE|<!channel> lead")

    assert response.json()["response_type"] == "in_channel"
    assert live_tokens(response.json(), allowed=("<@U111>", "<@U0ROLE>")) == []
    for text in ("role <!channel> lead", "role <@U1><!here> lead", "role <!subteam^S1|x> pm"):
        refused = await bot.slack.command("/tradeoff", text)
        assert live_tokens(refused.json(), allowed=()) == [], text
        assert "Mention the person and the role" in reply_text(refused)


# One workspace never reaches another's items ---------------------------------------------------

A_TITLES = ("A debt", "A second debt", "A feature")
B_TITLES = ("B secret debt", "B secret second debt", "B secret feature", "B third secret")


def as_team(bot: Bot, team_id: str) -> Bot:
    bot.slack.team_id = team_id
    return replace(bot, team_id=team_id)


async def _two_workspaces(bot: Bot) -> tuple[Bot, Bot]:
    """Workspaces A and B, each with D-1, D-2 and F-1 in a channel both call C111; B also has
    D-3. The caller in A (U111) is A's lead and PM."""
    team_a, team_b = bot.team_id, bot.team_id + "B"
    for team, titles in ((team_a, A_TITLES), (team_b, B_TITLES)):
        await add_item(bot.store, team, Kind.DEBT, titles[0], size="S")
        await add_item(bot.store, team, Kind.DEBT, titles[1], size="M")
        await add_item(bot.store, team, Kind.FEATURE, titles[2], size="M")
    await add_item(bot.store, team_b, Kind.DEBT, B_TITLES[3])
    a = as_team(bot, team_a)
    await a.slack.command("/tradeoff", "role <@U111|me> lead")
    await a.slack.command("/tradeoff", "role <@U111|me> pm")
    return a, replace(bot, team_id=team_b)


def _no_b(text: str) -> None:
    assert not any(title in text for title in B_TITLES), text


async def test_reading_never_shows_another_workspaces_items(bot: Bot) -> None:
    a, _ = await _two_workspaces(bot)

    for text in ("show D-1", "show D-2", "show F-1", "list", "history", "health"):
        _no_b(reply_text(await a.slack.command("/tradeoff", text)))
    shown = reply_text(await a.slack.command("/tradeoff", "show D-1"))
    assert A_TITLES[0] in shown
    missing = reply_text(await a.slack.command("/tradeoff", "show D-3"))
    assert "There is no item D-3 in this workspace" in missing
    exported = await _exported_titles(a)
    assert exported == set(A_TITLES)


async def test_history_never_shows_another_workspaces_decisions(bot: Bot) -> None:
    a, b = await _two_workspaces(bot)
    b_rows = await team_rows(bot.store, b.team_id)
    as_team(bot, b.team_id)
    await b.slack.command("/tradeoff", "role <@ULEADB|l> lead")
    b.slack.user_id = "ULEADB"  # once a channel has roles, only its lead or PM changes them
    await b.slack.command("/tradeoff", "role <@UPMB|p> pm")
    b.slack.user_id = "U111"
    digest = await post_digest(b)
    for user in ("ULEADB", "UPMB"):
        await b.slack.interaction(
            b.slack.block_action("agree_pick", str(digest.run_id), digest.parent_ts, user_id=user)
        )
    await eventually(lambda: _decided(b))
    assert (await team_rows(bot.store, b.team_id))["decisions"] != b_rows["decisions"]

    history = reply_text(await as_team(bot, a.team_id).slack.command("/tradeoff", "history"))

    assert "No decisions recorded in this channel yet" in history
    _no_b(history)


async def _decided(b: Bot) -> None:
    assert (await team_rows(b.store, b.team_id))["decisions"]


CHANGES = {
    "done D-1": ("debt", 1, "status", "done"),
    "drop F-1": ("feature", 1, "status", "dropped"),
    "estimate D-2 L": ("debt", 2, "size", "L"),
    "interest D-1 6": ("debt", 1, "interest", 6.0),
    "merge D-2 D-1": ("debt", 2, "status", "merged"),
}


@pytest.mark.parametrize("text", sorted(CHANGES))
async def test_changing_an_id_changes_only_this_workspaces_item(bot: Bot, text: str) -> None:
    a, b = await _two_workspaces(bot)
    b_before = await team_rows(bot.store, b.team_id)
    kind, number, column, value = CHANGES[text]

    response = await a.slack.command("/tradeoff", text)

    assert ":warning:" not in reply_text(response), reply_text(response)
    _no_b(reply_text(response))
    async with bot.store.unit_of_work() as uow:
        changed = await uow.session.scalar(select(getattr(ItemRow, column)).where(
            ItemRow.team_id == a.team_id, ItemRow.kind == kind, ItemRow.number == number
        ))
    assert changed == value
    assert await team_rows(bot.store, b.team_id) == b_before


async def test_buttons_and_forms_act_only_on_this_workspaces_items(bot: Bot) -> None:
    a, b = await _two_workspaces(bot)
    b_before = await team_rows(bot.store, b.team_id)

    await a.slack.interaction(a.slack.block_action("estimate_item", "D-1", "1700000000.000100"))
    [opened] = await bot.fake.wait_for("views.open")
    assert A_TITLES[0] in json.dumps(opened.params["view"])
    _no_b(json.dumps(opened.params["view"]))
    await a.slack.interaction(a.slack.view_submission(
        opened.params["view"], {"size": ("select", "XL"), "confidence": ("select", "low")}
    ))
    merge = a.slack.block_action("merge_duplicate", "D-2>D-1", "1700000000.000200")
    await a.slack.interaction(merge)

    async def a_changed() -> None:
        async with bot.store.unit_of_work() as uow:
            rows = {r.number: r for r in await uow.session.scalars(select(ItemRow).where(
                ItemRow.team_id == a.team_id, ItemRow.kind == "debt"))}
        assert (rows[1].size, rows[2].status) == ("XL", "merged")

    await eventually(a_changed)
    assert await team_rows(bot.store, b.team_id) == b_before


async def test_votes_and_sign_off_reach_only_their_own_workspace(bot: Bot) -> None:
    a, b = await _two_workspaces(bot)
    a_digest = await post_digest(a)
    b_digest = await post_digest(as_team(bot, b.team_id))
    a_before = await team_rows(bot.store, a.team_id)

    # From B, with the channel and message ts of A's replies and A's digest run.
    for ts in a_digest.reply_ts.values():
        await b.slack.reaction(ts, user_id="UFROMB")
    await b.slack.interaction(b.slack.block_action(
        "agree_pick", str(a_digest.run_id), a_digest.parent_ts, user_id="UFROMB"
    ))
    await votes_settled(b)

    after = await team_rows(bot.store, a.team_id)
    assert (after["votes"], after["vote_reactions"], after["decision_agreements"]) == (
        a_before["votes"], a_before["vote_reactions"], a_before["decision_agreements"]
    )
    # And the same reactions from A do count, in A: the test above could not pass by accident.
    await as_team(bot, a.team_id).slack.reaction(a_digest.reply_ts["D-1"], user_id="UFROMA")
    await votes_settled(a)
    assert len((await team_rows(bot.store, a.team_id))["votes"]) == 1
    assert b_digest.run_id != a_digest.run_id


# One channel's items, from another channel of the same workspace ----------------------------



@pytest.mark.parametrize(
    "text", ["done D-1", "drop D-1", "merge D-1 D-2"],
)
async def test_another_channel_cannot_close_or_merge_this_channels_items(
    bot: Bot, text: str
) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Ours", channel_id="C111")
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Also ours", channel_id="C111")
    bot.slack.channel_id = "C222"

    response = await bot.slack.command("/tradeoff", text)

    assert [r.status for r in await stored_items(bot.store, bot.team_id)] == ["open", "open"]
    assert ":warning:" in reply_text(response)


async def test_the_use_cases_refuse_another_channels_items_when_told_the_channel(
    store: Store, team_id: str
) -> None:
    # The half of the fix above that is in: the listeners still have to pass the channel.
    ours = await add_item(store, team_id, Kind.DEBT, "Ours", channel_id="C111")
    also = await add_item(store, team_id, Kind.DEBT, "Also ours", channel_id="C111")

    with pytest.raises(ItemInAnotherChannel, match="belongs to another channel"):
        await close_item(store, team_id=team_id, ref=ours.ref, status=Status.DONE,
                         user_id="U222", channel_id="C222")
    with pytest.raises(ItemInAnotherChannel):
        await merge_items(store, team_id=team_id, duplicate=ours.ref, into=also.ref,
                          user_id="U222", channel_id="C222")
    assert [r.status for r in await stored_items(store, team_id)] == ["open", "open"]

    closed = await close_item(store, team_id=team_id, ref=ours.ref, status=Status.DONE,
                              user_id="U111", channel_id="C111")
    assert closed.status is Status.DONE


# Secrets never reach the log ---------------------------------------------------------------------


def test_the_secret_watch_catches_secrets_wherever_a_record_carries_them() -> None:
    with WATCH.expect_leak() as caught:
        logging.getLogger("bot.anything").debug("calling Slack with %s", BOT_TOKEN)
        try:
            raise RuntimeError(f"verification failed for {SIGNING_SECRET}")
        except RuntimeError:
            logging.getLogger("slack_bolt.Example").exception("listener failed")
        # uvicorn's loggers do not propagate to the root: they are watched all the same.
        logging.getLogger("uvicorn.error").error("token xoxp-1234-abcdef in a header")
        with pytest.raises(SecretLeaked) as verdict:
            WATCH.check()

    assert [(leak.logger, leak.secret) for leak in caught] == [
        ("bot.anything", "the bot token"),
        ("slack_bolt.Example", "the signing secret"),
        ("uvicorn.error", "a Slack token"),
    ]
    report = str(verdict.value)
    assert "3 log record(s) held a secret" in report
    # The report names each secret and never repeats it.
    assert BOT_TOKEN not in report and SIGNING_SECRET not in report
    WATCH.check()  # what the block caught is out of the watch again


def test_a_run_that_logs_a_secret_fails_although_each_test_passed(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parents[2]
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["tests.support.secret_watch"]\n')
    (tmp_path / "test_leaky.py").write_text(
        "import logging\n\n"
        "def test_passes_but_logs_the_token():\n"
        f"    logging.getLogger('bot.leaky').warning('token is {BOT_TOKEN}')\n"
    )
    # Only the watch's verdict fails, and it names the test and the secret, not the value.
    with WATCH.expect_leak():  # the child's output passes through no logger of ours, but be sure
        result = subprocess.run(  # noqa: S603 - this interpreter's pytest, fixed arguments
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
            capture_output=True, text=True, cwd=tmp_path, timeout=120, check=False,
            env={**_clean_env(), "PYTHONPATH": str(repo)},
        )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 1 passed" in result.stdout
    assert "test_leaky.py::test_passes_but_logs_the_token" in result.stdout
    assert "the bot token" in result.stdout
    assert BOT_TOKEN not in result.stdout


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PYTEST_"))}
