"""The fault matrix: every Web API method the bot calls, against Slack answering 429, HTTP 500,
too slowly, or `ok: false`. Each cell checks what is left behind, in the database and in the
fake Slack's record, not merely that nothing raised.

| method (what calls it)               | 429 | 500 once | 500 always | slow | ok:false            |
|--------------------------------------|-----|----------|------------|------|---------------------|
| chat.postMessage (digest thread)     |  x  |    x     |     x      |  x   | 2 channel, 2 auth   |
| chat.postMessage (merge, decision)   |     |          |            | 2 x  |                     |
| chat.update (parent redraw)          |  x  |          |     x      |  x   | channel, auth       |
| chat.postEphemeral (form confirm)    |  x  |          |     x      |  x   | channel, auth       |
| views.open (/debt form)              |  x  |          |     x      |  x   | auth                |
| users.info (schedule's time zone)    |  x  |          |     x      |  x   | auth                |
| users.info (names on the digest)     |  x  |          |     x      |  x   |                     |
| files.getUploadURLExternal (export)  |  x  |          |     x      |  x   |                     |
| upload URL POST (export)             |     |    x     |     x      |      |                     |
| files.completeUploadExternal (export)|  x  |          |            |      | channel, auth       |
| files.* (the digest's monthly chart) |     |          |     x      |  x   |                     |
| response_url (respond)               |  x  |          |     x      |      |                     |
| auth.test (Bolt, first command)      |  x  |          |     x      |  x   | 2 auth              |
| auth.test (Bolt, first vote)         |     |          |     x      |  x   |                     |

x: covered; xf: covered by a strict xfail naming the gap. "500 once" is the same retry path
for every Web API method (the client's handlers), so it is shown where a second effect would
be costly: a digest post and an upload step.

Channel errors on the digest's *parent*, and 503s, are in test_digest_reliability.py; a
not_in_channel export in test_history_export.py; expired_trigger_id in test_log_form.py.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any

import pytest
from slack_sdk.http_retry.handler import default_interval_calculator

import bot.slack.app as slack_app
from bot.domain.items import Kind
from bot.runtime import build_runtime
from bot.services.channel_settings import get_settings
from bot.services.post_digest import post_digest_now
from bot.store.models import DigestRunRow
from bot.store.unit_of_work import Store
from tests.conftest import Bot, bot_settings
from tests.fakes.slack_api import FakeSlack, SlackCall
from tests.support.db import stored_items
from tests.support.digests import parents, replies, runs_of, ts_of
from tests.support.eventually import eventually
from tests.support.items import add_item
from tests.support.sign_off import LEAD, PM
from tests.support.sign_off import press_agree as press_agree
from tests.support.sign_off import recorded_decisions as recorded_decisions
from tests.support.sign_off import sign_off_setup as sign_off_setup
from tests.support.slack_requests import reply_text
from tests.support.voting import post_digest, voters

# The bot's Web API timeout is shortened so that a "slow" Slack costs a second, not ten.
CLIENT_TIMEOUT_S = 1.0
SLOW_S = 2.0
# One try and the client's two 5xx retries (bot/slack/app.py): a fault that outlasts them.
PERSISTENT = 3
NOTHING_SAVED = "nothing was saved"


class Fault(StrEnum):
    RATE_LIMITED = "429"
    SERVER_ERROR_ONCE = "500-once"
    SERVER_ERROR_ALWAYS = "500-always"
    SLOW = "slow"
    CHANNEL_NOT_FOUND = "channel_not_found"
    NOT_IN_CHANNEL = "not_in_channel"
    INVALID_AUTH = "invalid_auth"
    ACCOUNT_INACTIVE = "account_inactive"

    @property
    def transient(self) -> bool:
        return self in (Fault.RATE_LIMITED, Fault.SERVER_ERROR_ONCE)

    @property
    def first_status(self) -> int:
        return {Fault.RATE_LIMITED: 429, Fault.SERVER_ERROR_ONCE: 500}[self]


TRANSIENT = [Fault.RATE_LIMITED, Fault.SERVER_ERROR_ONCE]
CHANNEL_ERRORS = [Fault.CHANNEL_NOT_FOUND, Fault.NOT_IN_CHANNEL]
AUTH_ERRORS = [Fault.INVALID_AUTH, Fault.ACCOUNT_INACTIVE]


def inject(fake: FakeSlack, method: str, fault: Fault) -> None:
    """Script `fault` for the next call(s) of `method`."""
    if fault is Fault.RATE_LIMITED:
        fake.rate_limit(method, retry_after=1)
    elif fault is Fault.SERVER_ERROR_ONCE:
        fake.http_error(method, 500)
    elif fault is Fault.SERVER_ERROR_ALWAYS:
        fake.http_error(method, 500, times=PERSISTENT)
    elif fault is Fault.SLOW:
        fake.delay(method, SLOW_S)
    else:
        fake.fail(method, fault.value)  # never retried, so once is enough


def expected_error(fault: Fault) -> str:
    """How the bot names the fault to users and in its logs."""
    if fault is Fault.SERVER_ERROR_ALWAYS:
        return "HTTP 500"
    if fault is Fault.SLOW:
        return "TimeoutError"
    return fault.value


@pytest.fixture(autouse=True)
def _quick_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """Autouse, so it is in place before the `bot` fixture builds the Web API client.

    The matrix is about which calls are retried and what is left behind, not about how long
    slack_sdk backs off between 5xx retries (0.5 s, then 1 s, plus jitter): that pause is cut
    to almost nothing. The wait that Retry-After asks for is left as it is.
    """
    monkeypatch.setattr(slack_app, "WEB_API_TIMEOUT_S", CLIENT_TIMEOUT_S)
    monkeypatch.setattr(
        default_interval_calculator, "calculate_sleep_duration", lambda _attempt: 0.01
    )


def statuses(fake: FakeSlack, method: str) -> list[int]:
    return [c.status for c in fake.calls_to(method)]


def succeeded(fake: FakeSlack, method: str) -> list[SlackCall]:
    return [c for c in fake.calls_to(method) if c.succeeded]


async def answered(
    fake: FakeSlack, method: str, count: int, within: float = SLOW_S + 10
) -> list[SlackCall]:
    """Every call to `method`, once `count` of them have been answered (slow ones included)."""
    return await fake.wait_for(method, count, timeout=within)


async def told(fake: FakeSlack, *fragments: str) -> str:
    """The one message the user got through the command's response_url."""
    [call] = await answered(fake, "response_url", 1)
    text = str(call.params.get("text", ""))
    for fragment in fragments:
        assert fragment in text, text
    return text


async def settle(seconds: float = 0.3) -> None:
    """Room for a duplicate post or a stray retry to show up, were there one."""
    await asyncio.sleep(seconds)


Check = Callable[[], Awaitable[None]]


def warned(caplog: pytest.LogCaptureFixture, *fragments: str) -> bool:
    return any(
        r.levelno >= logging.WARNING and all(f in r.getMessage() for f in fragments)
        for r in caplog.records
    )


def warning_logged(caplog: pytest.LogCaptureFixture, *fragments: str) -> Check:
    async def check() -> None:
        assert warned(caplog, *fragments), [r.getMessage() for r in caplog.records]

    return check


def voters_are(bot: Bot, ref: str, expected: set[str]) -> Check:
    async def check() -> None:
        assert await voters(bot, ref) == expected

    return check


def slot_is(bot: Bot, described: str) -> Check:
    async def check() -> None:
        settings = await get_settings(bot.store, team_id=bot.team_id, channel_id="C111")
        assert settings.slot is not None and settings.slot.describe() == described

    return check


async def successes(fake: FakeSlack, method: str, count: int) -> list[SlackCall]:
    async def enough() -> None:
        assert len(succeeded(fake, method)) >= count

    await eventually(enough)
    return succeeded(fake, method)


async def run_status(store: Store, team_id: str, wanted: set[str]) -> DigestRunRow:
    async def check() -> None:
        runs = await runs_of(store, team_id)
        assert runs and runs[-1].status in wanted, [r.status for r in runs]

    await eventually(check, within=SLOW_S + 15)
    return (await runs_of(store, team_id))[-1]


def reply_refs(fake: FakeSlack, channel: str = "C111") -> Counter[str]:
    """How many times Slack took a thread reply for each item, e.g. {"D-1": 1}."""
    return Counter(
        r.params["text"].split()[0] for r in replies(fake) if r.params["channel"] == channel
    )


async def _seed_digest(bot: Bot, channel: str = "C111") -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests", channel_id=channel, size="S")
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Old Postgres", channel_id=channel, size="L")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "SSO", channel_id=channel, size="M")


ALL_REPLIES = Counter({"D-1": 1, "D-2": 1, "F-1": 1})


# chat.postMessage: the digest's parent and thread replies -------------------------------------


@pytest.mark.parametrize(
    "fault", [*TRANSIENT, Fault.SERVER_ERROR_ALWAYS, Fault.SLOW], ids=str
)
async def test_chat_post_message_on_a_digest_reply(bot: Bot, fault: Fault) -> None:
    await _seed_digest(bot)
    bot.fake.delay("chat.postMessage", 0)  # the parent goes through; the first reply meets it
    inject(bot.fake, "chat.postMessage", fault)

    await bot.slack.command("/tradeoff", "digest")

    if fault.transient:
        run = await run_status(bot.store, bot.team_id, {"complete"})
        assert statuses(bot.fake, "chat.postMessage") == [200, fault.first_status, 200, 200, 200]
        assert len(parents(bot.fake)) == 1
        assert reply_refs(bot.fake) == ALL_REPLIES
        await settle()
        assert bot.fake.calls_to("response_url") == []  # the digest itself is the answer
        return

    run = await run_status(bot.store, bot.team_id, {"failed"})
    assert run.error is not None and expected_error(fault) in run.error
    assert run.parent_ts == ts_of(bot.fake.calls_to("chat.postMessage")[0])
    await told(bot.fake, "could not be posted", expected_error(fault))
    # A slow post is never sent again by the client, since Slack may have taken it (the fake
    # does, once it answers). Finishing the digest later finds it in the thread by its
    # metadata instead of posting it again: see test_digest_reconcile.py.
    tries = PERSISTENT if fault is Fault.SERVER_ERROR_ALWAYS else 1
    assert len(await answered(bot.fake, "chat.postMessage", 1 + tries)) == 1 + tries
    await settle()
    assert len(bot.fake.calls_to("chat.postMessage")) == 1 + tries

    if fault is Fault.SERVER_ERROR_ALWAYS:
        # Running the command again finishes the same digest: no second parent, no repeats.
        await bot.slack.command("/tradeoff", "digest")
        again = await run_status(bot.store, bot.team_id, {"complete"})
        assert again.id == run.id
        assert len(parents(bot.fake)) == 1
        assert reply_refs(bot.fake) == ALL_REPLIES


@pytest.mark.parametrize("fault", AUTH_ERRORS, ids=str)
async def test_chat_post_message_refused_token_fails_the_digest_cleanly(
    bot: Bot, fault: Fault, caplog: pytest.LogCaptureFixture
) -> None:
    await _seed_digest(bot)
    inject(bot.fake, "chat.postMessage", fault)

    await bot.slack.command("/tradeoff", "digest")

    run = await run_status(bot.store, bot.team_id, {"failed"})
    # Nothing half-stored: no parent recorded, the run is resumable, the channel not paused.
    assert (run.error, run.parent_ts, run.completed_at) == (fault.value, None, None)
    assert succeeded(bot.fake, "chat.postMessage") == []
    settings = await get_settings(bot.store, team_id=bot.team_id, channel_id="C111")
    assert settings.paused_reason is None
    await told(bot.fake, "could not be posted", fault.value)
    assert warned(caplog, fault.value)


@pytest.mark.parametrize("fault", CHANNEL_ERRORS, ids=str)
async def test_chat_post_message_channel_lost_mid_thread_pauses_only_that_channel(
    bot: Bot, fault: Fault
) -> None:
    await _seed_digest(bot, "C111")
    await _seed_digest(bot, "C222")
    await bot.slack.command("/tradeoff", "schedule monday 09:00 UTC")
    await answered(bot.fake, "response_url", 1)
    bot.fake.reset()
    stamps = itertools.count(1)

    def lose_c111_after_the_parent(call: SlackCall) -> dict[str, Any]:
        if call.params["channel"] == "C111" and call.params.get("thread_ts"):
            return {"ok": False, "error": fault.value}
        return {"ok": True, "channel": call.params["channel"],
                "ts": f"1700000500.{next(stamps):06d}"}

    bot.fake.on("chat.postMessage", lose_c111_after_the_parent)
    await asyncio.gather(
        bot.slack.command("/tradeoff", "digest"),
        bot.slack.command("/tradeoff", "digest", channel_id="C222"),
    )

    async def both_done() -> None:
        by_channel = {r.channel_id: r.status for r in await runs_of(bot.store, bot.team_id)}
        assert by_channel == {"C111": "failed", "C222": "complete"}

    await eventually(both_done)
    c111 = await get_settings(bot.store, team_id=bot.team_id, channel_id="C111")
    c222 = await get_settings(bot.store, team_id=bot.team_id, channel_id="C222")
    assert (c111.paused_reason, c222.paused_reason) == (fault.value, None)
    # Ids are numbered per workspace, so C222's items are the second three.
    assert reply_refs(bot.fake, "C222") == Counter({"D-3": 1, "D-4": 1, "F-2": 1})
    assert reply_refs(bot.fake, "C111") == Counter()  # one try, not retried
    assert len(bot.fake.calls_to("chat.postMessage")) == 1 + 1 + 1 + 3
    await told(bot.fake, "can't post in this channel", fault.value)
    shown = reply_text(await bot.slack.command("/tradeoff", "schedule"))
    assert fault.value in shown


# chat.postMessage: announcements in a digest's thread ----------------------------------------

async def test_chat_post_message_slow_on_a_merge_announcement(bot: Bot) -> None:
    await _seed_digest(bot)
    await post_digest(bot)
    bot.fake.delay("chat.postMessage", SLOW_S)

    response = await bot.slack.command("/tradeoff", "merge D-2 D-1")

    merged = {i.number: i.status for i in await stored_items(bot.store, bot.team_id)}
    assert merged[2] == "merged"
    shown = reply_text(response) + " ".join(
        str(c.params.get("text", "")) for c in bot.fake.calls_to("response_url")
    )
    assert NOTHING_SAVED not in shown
    assert "was merged into" in shown


async def test_chat_post_message_slow_on_a_decision_announcement(bot: Bot) -> None:
    digest = await sign_off_setup(bot)
    await press_agree(bot, digest, LEAD)
    bot.fake.delay("chat.postMessage", SLOW_S)
    told_before = len(bot.fake.calls_to("response_url"))

    payload = bot.slack.block_action("agree_pick", str(digest.run_id), digest.parent_ts,
                                     user_id=PM)
    assert (await bot.slack.interaction(payload)).status_code == 200

    async def decided() -> None:
        assert len(await recorded_decisions(bot)) == 1

    await eventually(decided)

    async def told_decided() -> None:
        told = bot.fake.calls_to("response_url")[told_before:]
        assert any("Decision recorded" in str(c.params.get("text")) for c in told)

    try:
        await eventually(told_decided, within=SLOW_S + 2)
    except AssertionError as exc:
        # Without pytrace=False, pytest's report of this failure trips a CPython 3.11.7 bug in
        # ast.parse ("AST constructor recursion depth mismatch") and ends the whole session
        # with INTERNALERROR.
        pytest.fail(f"the user was never told: {exc}", pytrace=False)


# chat.update: the parent redrawn as votes come in ----------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [Fault.RATE_LIMITED, Fault.SERVER_ERROR_ALWAYS, Fault.SLOW, Fault.CHANNEL_NOT_FOUND,
     Fault.INVALID_AUTH],
    ids=str,
)
async def test_chat_update_of_the_parent(
    bot: Bot, fault: Fault, caplog: pytest.LogCaptureFixture
) -> None:
    await _seed_digest(bot)
    digest = await post_digest(bot)
    inject(bot.fake, "chat.update", fault)

    await bot.slack.reaction(digest.reply_ts["D-1"], user_id="UVOTER1")

    await eventually(voters_are(bot, "D-1", {"UVOTER1"}))  # never depends on the redraw
    if fault.transient:
        calls = await answered(bot.fake, "chat.update", 2)
        assert [c.status for c in calls] == [fault.first_status, 200]
        assert "1 vote" in str(calls[-1].params["blocks"])
        await settle()
        assert len(bot.fake.calls_to("chat.update")) == 2
        return

    tries = PERSISTENT if fault is Fault.SERVER_ERROR_ALWAYS else 1
    calls = await answered(bot.fake, "chat.update", tries)
    await eventually(warning_logged(caplog, "chat.update", expected_error(fault)))
    await settle()
    assert len(bot.fake.calls_to("chat.update")) == tries
    assert all(c.params["ts"] == digest.parent_ts for c in calls)

    # The next vote redraws the parent with the latest state, the lost redraw included.
    await bot.slack.reaction(digest.reply_ts["D-1"], user_id="UVOTER2")
    await eventually(voters_are(bot, "D-1", {"UVOTER1", "UVOTER2"}))

    async def redrawn() -> None:
        updates = succeeded(bot.fake, "chat.update")
        assert any("2 votes" in str(c.params["blocks"]) for c in updates)

    await eventually(redrawn)


# chat.postEphemeral: confirming an item logged with the form -----------------------------------


async def _submit_form_without_response_url(bot: Bot) -> None:
    await bot.slack.command("/debt", "")
    [opened] = await bot.fake.wait_for("views.open")
    view = opened.params["view"]
    # Without a response_url (a form opened elsewhere), the bot confirms by chat.postEphemeral.
    view["private_metadata"] = view["private_metadata"].replace(
        bot.slack.response_url, ""
    ).replace('"url": ""', '"url": null')
    payload = bot.slack.view_submission(view, {"title": "Flaky tests", "impact": "6 h a week"})
    response = await bot.slack.interaction(payload)
    assert response.status_code == 200 and not response.content  # the modal closes


@pytest.mark.parametrize(
    "fault",
    [Fault.RATE_LIMITED, Fault.SERVER_ERROR_ALWAYS, Fault.SLOW, Fault.CHANNEL_NOT_FOUND,
     Fault.INVALID_AUTH],
    ids=str,
)
async def test_chat_post_ephemeral_confirmation(
    bot: Bot, fault: Fault, caplog: pytest.LogCaptureFixture
) -> None:
    inject(bot.fake, "chat.postEphemeral", fault)

    await _submit_form_without_response_url(bot)

    items = await stored_items(bot.store, bot.team_id)
    assert [(i.number, i.title) for i in items] == [(1, "Flaky tests")]  # saved, and once
    if fault.transient:
        calls = await answered(bot.fake, "chat.postEphemeral", 2)
        assert [c.status for c in calls] == [fault.first_status, 200]
        assert "D-1" in calls[-1].params["text"]
    else:
        tries = PERSISTENT if fault is Fault.SERVER_ERROR_ALWAYS else 1
        await answered(bot.fake, "chat.postEphemeral", tries)
        await eventually(warning_logged(caplog, "could not confirm D-1"))
        # Slack took the slow one after the bot gave up on it; it is never sent twice.
        expected = 1 if fault is Fault.SLOW else 0
        assert len(succeeded(bot.fake, "chat.postEphemeral")) == expected
    await settle()
    assert len(await stored_items(bot.store, bot.team_id)) == 1
    assert bot.fake.calls_to("response_url") == []


# views.open: the /debt form ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault", [Fault.RATE_LIMITED, Fault.SERVER_ERROR_ALWAYS, Fault.SLOW, Fault.INVALID_AUTH],
    ids=str,
)
async def test_views_open_of_the_form(bot: Bot, fault: Fault) -> None:
    inject(bot.fake, "views.open", fault)

    response = await bot.slack.command("/debt", "")

    assert response.status_code == 200
    if fault.transient:
        calls = await answered(bot.fake, "views.open", 2)
        assert [c.status for c in calls] == [fault.first_status, 200]
        await settle()
        assert bot.fake.calls_to("response_url") == []
    elif fault is Fault.SLOW:
        await told(bot.fake, NOTHING_SAVED)
    else:
        await told(bot.fake, "form could not be opened", expected_error(fault), "/debt")
    await settle()
    tries = {Fault.SERVER_ERROR_ALWAYS: PERSISTENT, Fault.SLOW: 1}.get(fault, 1)
    assert len(bot.fake.calls_to("views.open")) == (2 if fault.transient else tries)
    assert await stored_items(bot.store, bot.team_id) == []


# users.info: the caller's time zone for `/tradeoff schedule` ---------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        Fault.RATE_LIMITED,
        Fault.SERVER_ERROR_ALWAYS,
        Fault.SLOW,
        Fault.INVALID_AUTH,
    ],
    ids=str,
)
async def test_users_info_for_the_schedule_time_zone(bot: Bot, fault: Fault) -> None:
    inject(bot.fake, "users.info", fault)

    await bot.slack.command("/tradeoff", "schedule monday 09:00")

    zone = "Europe/Berlin" if fault.transient else "UTC"  # the fake's user lives in Berlin
    await told(bot.fake, f"Monday 09:00 {zone}")
    settings = await get_settings(bot.store, team_id=bot.team_id, channel_id="C111")
    assert settings.slot is not None and settings.slot.describe() == f"Monday 09:00 {zone}"
    if fault.transient:
        assert statuses(bot.fake, "users.info") == [fault.first_status, 200]


# users.info: the lead's name on the digest's parent ---------------------------------------------


@pytest.mark.parametrize(
    "fault", [Fault.RATE_LIMITED, Fault.SERVER_ERROR_ALWAYS, Fault.SLOW], ids=str
)
async def test_users_info_for_names_on_the_digest(bot: Bot, fault: Fault) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Unsized")  # the parent names the lead
    await bot.slack.command("/tradeoff", "role <@ULEAD|lena> lead")
    inject(bot.fake, "users.info", fault)

    await bot.slack.command("/tradeoff", "digest")

    await run_status(bot.store, bot.team_id, {"complete"})
    [parent] = parents(bot.fake)
    shown = str(parent.params["blocks"])
    # A name Slack won't give is left out; the digest goes out regardless.
    assert ("lead: spengler" if fault is Fault.RATE_LIMITED else "lead: someone") in shown
    assert reply_refs(bot.fake) == Counter({"D-1": 1})
    await settle()
    assert bot.fake.calls_to("response_url") == []


# files.*: `/tradeoff export` --------------------------------------------------------------------

EXPORT_CELLS = [
    ("files.getUploadURLExternal", Fault.RATE_LIMITED),
    ("files.getUploadURLExternal", Fault.SERVER_ERROR_ALWAYS),
    ("files.getUploadURLExternal", Fault.SLOW),
    ("file_upload", Fault.SERVER_ERROR_ONCE),
    ("file_upload", Fault.SERVER_ERROR_ALWAYS),
    ("files.completeUploadExternal", Fault.RATE_LIMITED),
    ("files.completeUploadExternal", Fault.CHANNEL_NOT_FOUND),
    ("files.completeUploadExternal", Fault.ACCOUNT_INACTIVE),
]


@pytest.mark.parametrize(("method", "fault"), EXPORT_CELLS, ids=str)
async def test_files_upload_of_the_export(bot: Bot, method: str, fault: Fault) -> None:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests")
    inject(bot.fake, method, fault)

    await bot.slack.command("/tradeoff", "export")

    if fault.transient:
        [shared] = await successes(bot.fake, "files.completeUploadExternal", 1)
        titles = sorted(str(f["title"]).split(",")[0] for f in shared.params["files"])
        assert titles == ["Decisions", "Items and votes"]
        assert all(f["id"] in bot.fake.uploads for f in shared.params["files"])
        assert statuses(bot.fake, method)[0] == fault.first_status
        await settle()
        assert bot.fake.calls_to("response_url") == []
    else:
        # A slow call or a failed upload step ends in the generic "try again"; Slack's own
        # error codes are named.
        wording = NOTHING_SAVED if fault is Fault.SLOW or method == "file_upload" else (
            f"could not be uploaded (`{expected_error(fault)}`)"
        )
        await told(bot.fake, wording)
        await settle()
        assert succeeded(bot.fake, "files.completeUploadExternal") == []
    assert len(succeeded(bot.fake, "files.completeUploadExternal")) <= 1
    assert bot.fake.calls_to("chat.postMessage") == []


# files.*: the trends chart in the first digest of a month --------------------------------------


@pytest.mark.parametrize(
    ("method", "fault"),
    [
        ("files.getUploadURLExternal", Fault.SERVER_ERROR_ALWAYS),
        ("file_upload", Fault.SERVER_ERROR_ALWAYS),
        ("files.completeUploadExternal", Fault.SLOW),
    ],
    ids=str,
)
async def test_files_upload_of_the_monthly_chart_never_fails_the_digest(
    bot: Bot, method: str, fault: Fault, caplog: pytest.LogCaptureFixture
) -> None:
    await _seed_digest(bot)
    inject(bot.fake, method, fault)

    await bot.slack.command("/tradeoff", "digest")

    run = await run_status(bot.store, bot.team_id, {"complete"})
    assert run.error is None
    assert len(parents(bot.fake)) == 1 and reply_refs(bot.fake) == ALL_REPLIES
    await eventually(warning_logged(caplog, "monthly trends chart", "not posted"))
    await settle()
    # The digest was posted, so the user hears of no failure (and no "nothing was saved").
    assert bot.fake.calls_to("response_url") == []
    # A slow completeUploadExternal was taken by Slack after the bot gave up on it.
    shared = 1 if fault is Fault.SLOW else 0
    await answered(bot.fake, "files.completeUploadExternal", shared)
    assert len(succeeded(bot.fake, "files.completeUploadExternal")) == shared


# response_url: replies sent after the ack -------------------------------------------------------

@pytest.mark.parametrize(
    "fault",
    [Fault.RATE_LIMITED, Fault.SERVER_ERROR_ALWAYS],
    ids=str,
)
async def test_response_url_reply(
    bot: Bot, fault: Fault, caplog: pytest.LogCaptureFixture
) -> None:
    inject(bot.fake, "response_url", fault)

    await bot.slack.command("/tradeoff", "schedule monday 09:00 UTC")

    await eventually(slot_is(bot, "Monday 09:00 UTC"))
    # Short waits: a retry after Retry-After: 1, or after a 5xx, comes within 2.5 s.
    if fault.transient:
        calls = await answered(bot.fake, "response_url", 2, within=2.5)
        assert [c.status for c in calls] == [fault.first_status, 200]
        assert "Monday 09:00 UTC" in calls[-1].params["text"]
    else:
        # Retried, then at least logged: the user cannot be told through the broken channel.
        await answered(bot.fake, "response_url", PERSISTENT, within=2.5)
        await eventually(warning_logged(caplog, "500"), within=1)


# auth.test: Bolt checks the token on the first request it handles -----------------------------


@pytest.mark.parametrize(
    "fault", [Fault.RATE_LIMITED, Fault.SERVER_ERROR_ALWAYS, Fault.SLOW, *AUTH_ERRORS], ids=str
)
async def test_auth_test_on_the_first_command(
    bot: Bot, fault: Fault, caplog: pytest.LogCaptureFixture
) -> None:
    inject(bot.fake, "auth.test", fault)

    response = await bot.slack.command("/debt", "Flaky tests | 6 h a week")

    items = await stored_items(bot.store, bot.team_id)
    if fault.transient:
        assert "D-1" in reply_text(response)
        assert [i.title for i in items] == ["Flaky tests"]
        assert statuses(bot.fake, "auth.test") == [fault.first_status, 200]
        return
    assert items == []  # nothing half-stored
    if fault is Fault.SLOW:
        # Bolt does not catch the timeout: HTTP 500, which Slack shows as a failed command.
        assert response.status_code == 500
    else:
        assert response.text  # the user sees why (Bolt's own words)
    if fault in AUTH_ERRORS:
        assert any(fault.value in r.getMessage() for r in caplog.records)
    await answered(bot.fake, "auth.test", 1)
    # The check is not cached while it fails: once Slack answers, commands work again.
    if fault not in AUTH_ERRORS:
        again = await bot.slack.command("/debt", "Flaky tests | 6 h a week")
        assert "D-1" in reply_text(again)
        assert [i.title for i in await stored_items(bot.store, bot.team_id)] == ["Flaky tests"]


@pytest.mark.parametrize(
    "fault",
    [Fault.SERVER_ERROR_ALWAYS, Fault.SLOW],
    ids=str,
)
async def test_auth_test_failing_on_a_vote_never_acknowledges_it_unstored(
    bot: Bot, fault: Fault, database_url: str
) -> None:
    # The digest is posted without going through Bolt, so the vote is Bolt's first request.
    await _seed_digest(bot)
    runtime = build_runtime(bot_settings(database_url, bot.fake, scheduler="off"), bot.store)
    await post_digest_now(bot.store, runtime.publisher(), team_id=bot.team_id, channel_id="C111")
    thread = {r.params["text"].split()[0]: ts_of(r) for r in replies(bot.fake)}
    event_id = f"EvAUTH{bot.team_id}"
    inject(bot.fake, "auth.test", fault)

    first = await bot.slack.reaction(thread["D-1"], user_id="UVOTER", event_id=event_id)

    await answered(bot.fake, "auth.test", 1)
    if first.status_code >= 300:
        # Slack redelivers what was not acknowledged.
        retry = await bot.slack.reaction(
            thread["D-1"], user_id="UVOTER", event_id=event_id, retry_num=1
        )
        assert retry.status_code == 200
    await eventually(voters_are(bot, "D-1", {"UVOTER"}), within=3)
