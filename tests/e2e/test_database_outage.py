"""The database unreachable or going away while Slack keeps sending: commands are told to try
again, /healthz says 503, the process keeps serving until the database is back, and no vote
Slack was told we received is lost.

On PostgreSQL the bot reaches the database through a TCP proxy that can drop every connection
and refuse new ones (an outage), drop them mid-query and take new ones at once (a restart), or
take new ones and never answer (a hung server).
SQLite has no server to lose: its outage is another process holding the write lock for longer
than the busy timeout, which the bot meets as "database is locked".
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

import bot.slack.listeners.events.reactions as reactions
from bot.domain.items import Kind
from bot.store.migrate import upgrade_to_head
from bot.store.models import ProcessedEventRow
from bot.store.unit_of_work import Store
from tests.conftest import Bot, bot_settings
from tests.fakes.slack_api import FakeSlack
from tests.support.bot_server import running_bot
from tests.support.db import stored_items
from tests.support.eventually import eventually
from tests.support.items import add_item
from tests.support.outage import TRY_AGAIN, serving, through
from tests.support.schedules import schedule_due, slot_at
from tests.support.serve import start_serve, wait_healthy
from tests.support.slack_requests import SlackSender, reply_text
from tests.support.tcp_proxy import TcpProxy, proxy_to
from tests.support.voting import PostedDigest, post_digest, voters

pytestmark = pytest.mark.slow

UNEXPECTED = "Something went wrong"


@pytest.fixture(params=["sqlite", "postgresql"])
def unreachable_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/not-created-yet/tradeoff.db"
    return "postgresql://postgres@127.0.0.1:1/tradeoff"  # nothing listens on port 1


@pytest.fixture
async def down_bot(
    unreachable_url: str, fake_slack: FakeSlack
) -> AsyncIterator[tuple[SlackSender, str]]:
    store = Store(unreachable_url)
    async with (
        running_bot(bot_settings(unreachable_url, fake_slack), store) as url,
        httpx.AsyncClient(timeout=10) as http,
    ):
        sender = SlackSender(http, f"{url}/slack/events", fake_slack.response_url(), "T111")
        yield sender, url


async def test_commands_get_a_try_again_reply(down_bot: tuple[SlackSender, str]) -> None:
    slack, _ = down_bot
    for command, text in [("/debt", "Flaky | impact"), ("/tradeoff", "list"),
                          ("/feature", "SSO | deals"), ("/tradeoff", "done D-1")]:
        response = await slack.command(command, text)
        assert response.status_code == 200
        assert response.json().get("response_type", "ephemeral") == "ephemeral"
        assert TRY_AGAIN in reply_text(response), (command, text)


async def test_healthz_reports_503_and_the_process_keeps_serving(
    down_bot: tuple[SlackSender, str],
) -> None:
    slack, url = down_bot
    first = await slack.http.get(f"{url}/healthz")
    await slack.command("/debt", "Flaky | impact")
    second = await slack.http.get(f"{url}/healthz")

    assert (first.status_code, second.status_code) == (503, 503)
    assert second.json()["database"] == "unreachable"
    # The form does not need the database, so it still opens.
    usage = await slack.command("/tradeoff", "help")
    assert "/tradeoff list" in reply_text(usage)


async def test_a_form_submitted_while_down_stays_open_with_the_error(
    down_bot: tuple[SlackSender, str], fake_slack: FakeSlack
) -> None:
    slack, _ = down_bot
    await slack.command("/debt", "")
    [opened] = await fake_slack.wait_for("views.open")
    payload = slack.view_submission(opened.params["view"], {"title": "T", "impact": "I"})

    response = await slack.interaction(payload)

    body = response.json()
    assert body["response_action"] == "errors"
    assert TRY_AGAIN in body["errors"]["title"]


async def test_service_recovers_when_the_database_comes_back(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    url = f"sqlite:///{tmp_path}/later/tradeoff.db"
    store = Store(url)
    async with (
        running_bot(bot_settings(url, fake_slack), store) as base,
        httpx.AsyncClient(timeout=10) as http,
    ):
        slack = SlackSender(http, f"{base}/slack/events", fake_slack.response_url(), "T111")
        assert (await http.get(f"{base}/healthz")).status_code == 503
        assert TRY_AGAIN in reply_text(await slack.command("/debt", "Early | impact"))

        (tmp_path / "later").mkdir()
        await asyncio.to_thread(upgrade_to_head, url)

        assert (await http.get(f"{base}/healthz")).status_code == 200
        assert "D-1" in reply_text(await slack.command("/debt", "Later | impact"))


class Outage:
    """How the database becomes unusable for the bot, and what /healthz says meanwhile."""

    healthz_during: int
    seconds: float

    async def begin(self) -> None:
        raise NotImplementedError

    async def end(self) -> None:
        raise NotImplementedError


class PostgresDown(Outage):
    healthz_during = 503
    seconds = 10.0

    def __init__(self, proxy: TcpProxy) -> None:
        self.proxy = proxy

    async def begin(self) -> None:
        self.proxy.refuse()

    async def end(self) -> None:
        self.proxy.accept_again()


class SqliteLocked(Outage):
    # WAL mode: a writer holding the lock blocks other writers only, so reads (and the health
    # probe) go on. Writes wait out the 2 s busy timeout one at a time, since the bot's units
    # of work take turns on SQLite: a few seconds of lock is a long outage for them.
    healthz_during = 200
    seconds = 6.0

    def __init__(self, path: Path) -> None:
        self.path = path
        self._holder: sqlite3.Connection | None = None

    async def begin(self) -> None:
        # In a thread: taking the lock may wait for a write of the bot's, which needs the loop.
        self._holder = await asyncio.to_thread(
            sqlite3.connect, self.path, isolation_level=None, check_same_thread=False
        )
        await asyncio.to_thread(self._holder.execute, "BEGIN IMMEDIATE")

    async def end(self) -> None:
        assert self._holder is not None
        await asyncio.to_thread(self._holder.execute, "COMMIT")
        self._holder.close()


@dataclass
class OutageBot:
    bot: Bot
    outage: Outage
    proxy: TcpProxy | None


@pytest.fixture
async def outage_bot(
    database_url: str, fake_slack: FakeSlack, team_id: str
) -> AsyncIterator[OutageBot]:
    parsed = make_url(database_url)
    fake_slack.team_id = team_id
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database is not None
        async with serving(database_url, fake_slack, team_id) as bot:
            yield OutageBot(bot, SqliteLocked(Path(parsed.database)), None)
        return
    with proxy_to(parsed.host or "127.0.0.1", parsed.port or 5432) as proxy:
        async with serving(through(proxy, database_url), fake_slack, team_id) as bot:
            yield OutageBot(bot, PostgresDown(proxy), proxy)


async def _digest(bot: Bot) -> PostedDigest:
    await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests", size="S")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "SSO", size="M")
    return await post_digest(bot)


async def _healthz(bot: Bot) -> int:
    return (await bot.slack.http.get(f"{bot.url}/healthz")).status_code


async def _recorded(bot: Bot, event_ids: Sequence[str]) -> set[str]:
    async with bot.store.unit_of_work() as uow:
        return set(await uow.session.scalars(
            select(ProcessedEventRow.event_id).where(ProcessedEventRow.event_id.in_(event_ids))
        ))


# Slack gives up on a delivery after about 3 seconds and sends it again later.
SLACK_PATIENCE_S = 3.0
NO_ANSWER = 0


async def _deliver(
    bot: Bot, message_ts: str, user: str, event_id: str, retry_num: int | None = None
) -> int:
    """One Events API delivery as Slack makes it; the HTTP status, or NO_ANSWER in time."""
    try:
        answer = await asyncio.wait_for(
            bot.slack.reaction(message_ts, user_id=user, event_id=event_id, retry_num=retry_num),
            SLACK_PATIENCE_S,
        )
    except TimeoutError:
        return NO_ANSWER
    return answer.status_code


async def _deliver_votes(bot: Bot, message_ts: str, users: Sequence[str]) -> dict[str, int]:
    """One vote per user, delivered at once; returns each event id's answer."""
    ids = [f"Ev{bot.team_id}{user}" for user in users]
    answers = await asyncio.gather(*(
        _deliver(bot, message_ts, user, event_id)
        for user, event_id in zip(users, ids, strict=True)
    ))
    return dict(zip(ids, answers, strict=True))


def _acknowledged(answer: int) -> bool:
    return 200 <= answer < 300


async def _replay_refused(
    bot: Bot, message_ts: str, users: Sequence[str], answers: dict[str, int]
) -> None:
    """What Slack does with a delivery that got no 2xx in time: send it again, marked as a
    retry, up to three times."""
    for user, (event_id, answer) in zip(users, answers.items(), strict=True):
        for retry_num in (1, 2, 3):
            if _acknowledged(answer):
                break
            answer = await _deliver(bot, message_ts, user, event_id, retry_num)
        assert _acknowledged(answer), f"{event_id} never acknowledged: {answer}"


async def _acknowledged_means_stored(bot: Bot, answers: dict[str, int]) -> None:
    """A vote Slack got a 2xx for is never sent again: it must be in the database already."""
    acknowledged = [event_id for event_id, answer in answers.items() if _acknowledged(answer)]
    assert await _recorded(bot, acknowledged) == set(acknowledged)


async def test_an_outage_tells_commands_to_try_again_and_loses_no_acknowledged_vote(
    outage_bot: OutageBot,
) -> None:
    bot, outage = outage_bot.bot, outage_bot.outage
    digest = await _digest(bot)
    users = [f"UOUT{n:02d}" for n in range(8)]
    loop = asyncio.get_running_loop()

    await outage.begin()
    began = loop.time()
    assert await _healthz(bot) == outage.healthz_during
    during = await bot.slack.command("/debt", "Logged during the outage | impact")
    answers = await _deliver_votes(bot, digest.reply_ts["D-1"], users)
    await asyncio.sleep(max(0.0, began + outage.seconds - loop.time()))
    await outage.end()

    assert during.status_code == 200
    assert during.json().get("response_type", "ephemeral") == "ephemeral"
    assert TRY_AGAIN in reply_text(during)
    await _acknowledged_means_stored(bot, answers)

    async def healthy() -> None:
        assert await _healthz(bot) == 200

    await eventually(healthy)
    await _replay_refused(bot, digest.reply_ts["D-1"], users, answers)

    async def all_counted() -> None:
        assert await _recorded(bot, list(answers)) == set(answers)

    await eventually(all_counted)
    assert await voters(bot, "D-1") == set(users)
    after = await bot.slack.command("/debt", "Logged after the outage | impact")
    assert "D-2" in reply_text(after)
    titles = [i.title for i in await stored_items(bot.store, bot.team_id)]
    assert titles == ["Flaky tests", "SSO", "Logged after the outage"]
    listing = reply_text(await bot.slack.command("/tradeoff", "list"))
    assert f"D-1  Flaky tests · {len(users)} votes" in listing


async def test_a_vote_outlasting_the_bots_own_retries_is_not_acknowledged_and_counts_later(
    outage_bot: OutageBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot, outage = outage_bot.bot, outage_bot.outage
    digest = await _digest(bot)
    # No second try in the listener: a short outage then outlasts the bot's own patience,
    # as a longer one outlasts reactions.STORE_RETRY_DELAYS_S. An event Slack was told we
    # received (2xx) must be stored by then; one that was not stored must not get a 2xx.
    monkeypatch.setattr(reactions, "STORE_RETRY_DELAYS_S", ())
    users = ["ULATE1", "ULATE2"]

    await outage.begin()
    answers = await _deliver_votes(bot, digest.reply_ts["D-1"], users)
    await outage.end()
    await _acknowledged_means_stored(bot, answers)
    await _replay_refused(bot, digest.reply_ts["D-1"], users, answers)

    async def all_counted() -> None:
        assert await voters(bot, "D-1") == set(users)

    await eventually(all_counted, within=3)


async def test_a_postgres_restart_mid_query_leaves_truthful_replies_and_a_working_pool(
    outage_bot: OutageBot,
) -> None:
    if outage_bot.proxy is None:
        pytest.skip("a server restart is a PostgreSQL fault; SQLite has no server")
    bot, proxy = outage_bot.bot, outage_bot.proxy
    digest = await _digest(bot)
    # Several at once, so the pool holds several connections.
    warm = await asyncio.gather(*(bot.slack.command("/tradeoff", "list") for _ in range(4)))
    assert all("Flaky tests" in reply_text(r) for r in warm)

    proxy.drop_all()  # a restart while the bot is idle: every pooled connection is dead
    # Pre-ping finds them dead at checkout and connects anew: nobody is told to try again.
    first = await bot.slack.command("/debt", "First after the restart | impact")
    assert "D-2" in reply_text(first), reply_text(first)

    titles = [f"In flight {n}" for n in range(6)]
    users = [f"URST{n:02d}" for n in range(6)]

    proxy.pause()
    commands = asyncio.gather(*(bot.slack.command("/debt", f"{t} | impact") for t in titles))
    votes = asyncio.ensure_future(_deliver_votes(bot, digest.reply_ts["F-1"], users))

    async def queries_in_flight() -> None:
        assert proxy.held >= 1

    await eventually(queries_in_flight)
    await asyncio.sleep(0.2)  # answers to whatever got through before the pause come back
    proxy.drop_all()  # the restart: every connection reset, new ones welcome at once
    replies = [reply_text(r) for r in await commands]
    answers = await votes

    rows = await stored_items(bot.store, bot.team_id)
    stored = {i.title: f"{i.kind[0].upper()}-{i.number}" for i in rows}
    for title, shown in zip(titles, replies, strict=True):
        assert UNEXPECTED not in shown, shown
        if TRY_AGAIN in shown:
            assert title not in stored, f"{title!r} was saved though the user was told not"
        else:
            assert stored[title] in shown, shown
    after = await bot.slack.command("/debt", "After the restart | impact")
    assert TRY_AGAIN not in reply_text(after)
    assert "After the restart" in {i.title for i in await stored_items(bot.store, bot.team_id)}
    assert await _healthz(bot) == 200
    await _replay_refused(bot, digest.reply_ts["F-1"], users, answers)

    async def all_counted() -> None:
        assert await voters(bot, "F-1") == set(users)

    await eventually(all_counted, within=45)


async def test_a_hung_postgres_never_freezes_the_whole_bot(
    fresh_database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    parsed = make_url(fresh_database_url)
    if parsed.get_backend_name() != "postgresql":
        pytest.skip("a database that accepts connections and never answers is a server fault")
    # Anything that waited for the database on the event loop (as APScheduler's synchronous
    # job store once did) would stop the whole process, /healthz and Slack's 3 s acks
    # included. The scheduler re-reads the schedules every second here, so it meets the hang.
    store = Store(fresh_database_url)
    due = datetime.now(UTC) + timedelta(seconds=8)
    await schedule_due(fresh_database_url, store, slot_at(due), due)
    await store.close()
    with proxy_to(parsed.host or "127.0.0.1", parsed.port or 5432) as proxy:
        served = start_serve(
            through(proxy, fresh_database_url), fake_slack, tmp_path / "serve.log",
            TRADEOFF_SCHEDULE_SYNC_S="1",
        )
        try:
            await wait_healthy(served)
            assert datetime.now(UTC) < due - timedelta(seconds=2), "started too late to test"
            proxy.hang()
            await asyncio.sleep((due - datetime.now(UTC)).total_seconds() + 1)

            async with httpx.AsyncClient(timeout=10) as http:
                health = await http.get(f"{served.url}/healthz")

            assert health.status_code == 503
            assert "schedules not re-synced" in served.log()  # it did meet the hang
        finally:
            served.kill()


@pytest.mark.xfail(strict=True, reason=(
    "on SQLite the units of work take turns, and each vote meeting the lock holds the turn "
    "for the whole 2 s busy timeout (twice per delivery): a command queued behind a few of "
    "them is not answered within Slack's 3 s, so its user sees Slack's timeout error instead "
    "of 'try again', and the item may still be saved afterwards, unseen"
))
async def test_a_command_queued_behind_waiting_votes_still_answers_in_time(
    outage_bot: OutageBot,
) -> None:
    if outage_bot.proxy is not None:
        pytest.skip("the queue of units of work is SQLite's; PostgreSQL runs them concurrently")
    bot, outage = outage_bot.bot, outage_bot.outage
    digest = await _digest(bot)
    users = [f"UQUEUE{n}" for n in range(4)]

    await outage.begin()
    try:
        votes = asyncio.ensure_future(_deliver_votes(bot, digest.reply_ts["D-1"], users))
        await asyncio.sleep(0.2)  # the votes are first in line
        command = bot.slack.command("/debt", "Queued behind the votes | impact")
        try:
            during: httpx.Response | None = await asyncio.wait_for(command, SLACK_PATIENCE_S)
        except TimeoutError:
            during = None  # Slack stops waiting and shows the user an error
        answers = await votes
    finally:
        await outage.end()
    await _replay_refused(bot, digest.reply_ts["D-1"], users, answers)

    async def all_counted() -> None:
        assert await _recorded(bot, list(answers)) == set(answers)

    await eventually(all_counted, within=20)
    assert during is not None, "no answer within Slack's 3 s"
    assert during.status_code == 200 and TRY_AGAIN in reply_text(during), during.text
