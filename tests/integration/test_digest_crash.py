"""A `tradeoff serve` process killed with SIGKILL in the middle of a digest's thread, and a new
process started on the same database: the digest is finished, with one parent, every reply,
and no reply posted twice, not even the one Slack took in the instant before the kill.

What post_digest guarantees: it records the replies' ts in batches (at the pace these tests
post, each reply as it goes), and the poster that finishes a crashed digest reads the thread
back, finds the replies Slack took without the bot recording them by their metadata, and
records them instead of posting them again (tests/integration/test_digest_reconcile.py covers
a batch cut short).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from bot.domain.items import Kind
from bot.runtime import build_runtime
from bot.services.ports import ReplyKey
from bot.services.post_digest import post_digest_now
from bot.store.models import DigestRunRow
from bot.store.unit_of_work import Store
from tests.conftest import bot_settings
from tests.fakes.slack_api import FakeSlack
from tests.support.digests import messages_of, parents, replies, runs_of, ts_of
from tests.support.eventually import eventually
from tests.support.items import add_item
from tests.support.serve import start_serve, wait_healthy

pytestmark = pytest.mark.slow

TEAM = "TCRASH"
ITEMS = ["D-1", "D-2", "D-3", "D-4", "F-1", "F-2"]
ANSWERED_BEFORE_KILL = 2
# The first process spaces its posts (Slack's per-channel pace) and the fake answers each
# reply slowly, so the kill lands mid-thread; the second process posts without pacing.
PACE_S = "1.5"
SLOW_REPLY_S = 0.2
HELD_REPLY_S = 2.0


@pytest.fixture
async def store(fresh_database_url: str) -> AsyncIterator[Store]:
    """A database of this test only: the next process resumes every unfinished digest in it."""
    store = Store(fresh_database_url)
    for n in range(4):
        await add_item(store, TEAM, Kind.DEBT, f"Debt {n}")
    for n in range(2):
        await add_item(store, TEAM, Kind.FEATURE, f"Feature {n}")
    yield store
    await store.close()


async def _committed_replies(store: Store) -> int:
    runs = await runs_of(store, TEAM)
    if not runs:
        return 0
    return sum(1 for m in await messages_of(store, runs[-1].id) if m.in_thread and m.message_ts)


async def _lease_ran_out(store: Store) -> None:
    """Stand in for the five minutes after which a dead poster's lease expires (post_digest
    LEASE): until then the next process rightly takes the run for a live poster's."""
    async with store.unit_of_work() as uow:
        await uow.session.execute(
            update(DigestRunRow)
            .where(DigestRunRow.team_id == TEAM)
            .values(lease_until=datetime.now(UTC) - timedelta(seconds=1))
        )
        await uow.commit()


def _reply_counts(fake: FakeSlack) -> Counter[str]:
    return Counter(r.params["text"].split()[0] for r in replies(fake))


@pytest.mark.parametrize("moment", ["between_replies", "reply_in_flight"])
async def test_a_digest_killed_mid_thread_is_finished_by_the_next_process(
    fresh_database_url: str, store: Store, tmp_path: Path, moment: str
) -> None:
    with FakeSlack() as fake:
        fake.team_id = TEAM
        fake.delay("chat.postMessage", 0)  # the parent
        fake.delay("chat.postMessage", SLOW_REPLY_S, times=ANSWERED_BEFORE_KILL)
        if moment == "reply_in_flight":
            fake.delay("chat.postMessage", HELD_REPLY_S)  # Slack has it, the bot waits
        first = start_serve(
            fresh_database_url, fake, tmp_path / "first.log", DIGEST_REPLY_INTERVAL=PACE_S
        )
        try:
            await wait_healthy(first)
            async with httpx.AsyncClient(timeout=10) as http:
                ack = await first.sender(http, fake, TEAM).command("/tradeoff", "digest")
            assert ack.status_code == 200

            async def at_the_moment() -> None:
                assert await _committed_replies(store) == ANSWERED_BEFORE_KILL
                if moment == "reply_in_flight":
                    assert len(fake.calls_to("chat.postMessage")) == 1 + ANSWERED_BEFORE_KILL + 1

            await eventually(at_the_moment, within=20)
            first.kill()  # the moment: no shutdown, no last commit
        finally:
            first.kill()
        posted_before = fake.calls_to("chat.postMessage")
        in_flight = None
        if moment == "reply_in_flight":
            in_flight = posted_before[-1].params["text"].split()[0]
            await fake.wait_for("chat.postMessage", len(posted_before), timeout=10)
            assert posted_before[-1].succeeded  # Slack took it; the bot never heard back
        else:
            # Killed in the pause between two posts: nothing was out.
            assert len(posted_before) == 1 + ANSWERED_BEFORE_KILL, first.log()
        [run] = await runs_of(store, TEAM)
        assert run.status == "posting" and run.parent_ts is not None

        await _lease_ran_out(store)
        second = start_serve(fresh_database_url, fake, tmp_path / "second.log")
        try:
            await wait_healthy(second)

            async def finished() -> None:
                [run] = await runs_of(store, TEAM)
                assert run.status == "complete"

            async def reported() -> None:
                # Logged once the whole digest, the monthly chart included, is done.
                assert "outcome=resumed" in second.log()

            await eventually(finished, within=20)
            await eventually(reported, within=20)
        finally:
            second.kill()

    [parent] = parents(fake)
    assert ts_of(parent) == run.parent_ts
    assert {r.params["thread_ts"] for r in replies(fake)} == {run.parent_ts}
    counts = _reply_counts(fake)
    assert set(counts) == set(ITEMS)
    duplicated = {ref for ref, n in counts.items() if n > 1}
    # The reply out when the process died was found in the thread, not posted again.
    assert duplicated <= ({in_flight} if in_flight else set()), counts
    assert all(n <= 2 for n in counts.values()), counts
    assert duplicated == set(), counts
    # Votes count on the copy the database knows: the last one posted for each item.
    recorded = {
        f"{m.item_kind[0].upper()}-{m.item_number}": m.message_ts
        for m in await messages_of(store, run.id) if m.in_thread
    }
    assert recorded == {r.params["text"].split()[0]: ts_of(r) for r in replies(fake)}


class _Killed(BaseException):
    """The process dying: nothing in post_digest catches it, and no commit follows."""


async def test_a_restart_within_the_dead_posters_lease_still_finishes_the_digest(
    fresh_database_url: str, store: Store
) -> None:
    with FakeSlack() as fake:
        fake.team_id = TEAM
        crashing = build_runtime(bot_settings(fresh_database_url, fake, scheduler="off"), store)
        real = crashing.publisher()
        posted = 0

        class DiesMidThread:
            async def post_parent(self, channel_id: str, digest: object) -> str:
                return await real.post_parent(channel_id, digest)  # type: ignore[arg-type]

            async def post_reply(self, channel_id: str, thread_ts: str, ranked: object,
                                 digest: object, key: ReplyKey) -> str:
                nonlocal posted
                if posted == ANSWERED_BEFORE_KILL:
                    raise _Killed
                posted += 1
                return await real.post_reply(channel_id, thread_ts, ranked, digest, key)  # type: ignore[arg-type]

            async def posted_replies(self, channel_id: str, thread_ts: str,
                                     run_id: int) -> dict[int, str]:
                return await real.posted_replies(channel_id, thread_ts, run_id)

            async def posted_parent(self, channel_id: str, run_id: int,
                                    since: datetime) -> str | None:
                return await real.posted_parent(channel_id, run_id, since)

            async def post_trends(self, *args: object) -> None:
                raise AssertionError("the digest was never finished")

        with pytest.raises(_Killed):
            await post_digest_now(store, DiesMidThread(), team_id=TEAM, channel_id="C111")
        # The dead poster's lease ends two seconds from now rather than in five minutes.
        async with store.unit_of_work() as uow:
            await uow.session.execute(
                update(DigestRunRow).where(DigestRunRow.team_id == TEAM)
                .values(lease_until=datetime.now(UTC) + timedelta(seconds=2))
            )
            await uow.commit()

        restarted = build_runtime(bot_settings(fresh_database_url, fake, scheduler="on"), store)
        await restarted.start()
        try:
            async def finished() -> None:
                [run] = await runs_of(store, TEAM)
                assert run.status == "complete"

            await eventually(finished, within=5)
        finally:
            await restarted.stop()
    assert _reply_counts(fake) == Counter(dict.fromkeys(ITEMS, 1))
