"""Soak: does a bot process's memory stay flat under a long stream of votes?

    python -m bench.soak --backend postgresql|sqlite|both [--digests 1000] [--votes 100000]
        [--budget 900] [--record]

One `tradeoff serve` process (as the bot ships, scheduler off, Slack = the test suite's
FakeSlack) on a fresh database holding `--digests` posted digests, one per channel, each with
two items and so two thread replies, every channel with hidden tallies (so each redraw of a
parent names its voters through users.info and the name cache). Then `--votes` signed
`reaction_added` deliveries, each a new (user, reply) pair, 10 digests at a time with their
votes interleaved, from a pool of 20,000 users so the name cache outgrows its bound and the
parent refresher sees every digest come and go. Every 10% of the votes, the bot's RSS is read
from /proc; the first 10% are the warm-up (pools, caches and statement caches filling).

The reference is the same process right after its warm-up: the end RSS must be within 20% of
it. At the end, the votes stored must equal the votes sent (each answered 200 only once
stored). No vote is sent after `--budget` seconds; the report then says how many were.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench import harness
from bench.harness import say
from bench.loadgen import Request, run_load
from bench.slack_payloads import reaction_event
from bot.domain.items import Kind, make_draft
from bot.services.channel_settings import change_settings
from bot.services.log_item import log_item
from bot.services.post_digest import post_digest
from bot.store.models import DigestMessageRow, DigestRunRow, VoteRow
from bot.store.unit_of_work import Store

TEAM = "TSOAK"
USER_POOL = 20_000
CHUNKS = 10
GROWTH_LIMIT = 0.20
SEED_CONCURRENCY = 8
WINDOW = 10


class _Publisher:
    """Posts nothing: the digests only need to exist, with a ts for every reply."""

    def __init__(self, n: int) -> None:
        self._n = n
        self._posted = 0

    async def post_parent(self, channel_id: str, digest: Any) -> str:
        return self._ts()

    async def post_reply(
        self, channel_id: str, thread_ts: str, ranked: Any, digest: Any, key: Any
    ) -> str:
        return self._ts()

    async def posted_replies(self, channel_id: str, thread_ts: str, run_id: int) -> dict[int, str]:
        return {}  # a fresh digest per channel: no crashed poster to reconcile with

    async def posted_parent(self, channel_id: str, run_id: int, since: Any) -> str | None:
        return None

    async def post_trends(self, channel_id: str, thread_ts: str, trends: Any) -> None:
        return None

    def _ts(self) -> str:
        self._posted += 1
        return f"{1_700_000_000 + self._n}.{self._posted:06d}"


async def seed(url: str, digests: int) -> list[tuple[str, list[str]]]:
    """`digests` channels with a posted digest each; returns (channel, reply ts) per digest."""
    store = Store(url)
    slots = asyncio.Semaphore(SEED_CONCURRENCY)

    async def one(n: int) -> None:
        channel = f"CSOAK{n:04d}"
        async with slots:
            await change_settings(store, team_id=TEAM, channel_id=channel, user_id="ULEAD",
                                  votes_hidden=True)
            for kind in (Kind.DEBT, Kind.FEATURE):
                await log_item(store, team_id=TEAM, channel_id=channel, author_id="UAUTHOR",
                               draft=make_draft(kind, f"Soak {kind.value} of {channel}",
                                                "It costs us every week", size="S"))
            await post_digest(store, _Publisher(n), team_id=TEAM, channel_id=channel,
                              slot_key="2026-12-07T09:00:00+00:00")

    try:
        await asyncio.gather(*(one(n) for n in range(digests)))
        async with store.unit_of_work() as uow:
            rows = await uow.session.execute(
                select(DigestRunRow.channel_id, DigestMessageRow.message_ts)
                .join(DigestMessageRow, DigestMessageRow.run_id == DigestRunRow.id)
                .where(DigestRunRow.team_id == TEAM, DigestMessageRow.in_thread.is_(True))
                .order_by(DigestRunRow.channel_id, DigestMessageRow.position)
            )
            replies: dict[str, list[str]] = {}
            for channel, ts in rows:
                replies.setdefault(channel, []).append(str(ts))
    finally:
        await store.close()
    return sorted(replies.items())


def plan(threads: list[tuple[str, list[str]]], votes: int) -> list[Request]:
    """Each digest's share of the votes, every one by a new (user, reply) pair. Digests are
    voted on WINDOW at a time, their votes interleaved, as a week's teams vote side by side."""
    per_digest = max(1, votes // len(threads))
    pairs: list[list[tuple[str, str, str]]] = []  # per digest: (channel, reply ts, user)
    user = 0
    for channel, replies in threads:
        mine = []
        for k in range(per_digest):
            voter = f"USOAK{(user + k // len(replies)) % USER_POOL:05d}"
            mine.append((channel, replies[k % len(replies)], voter))
        pairs.append(mine)
        user += per_digest // len(replies)
    ordered: list[tuple[str, str, str]] = []
    for start in range(0, len(pairs), WINDOW):
        window = pairs[start:start + WINDOW]
        for k in range(per_digest):
            ordered += [digest[k] for digest in window]
    base = time.time()
    return [
        reaction_event(
            added=True, team_id=TEAM, channel_id=channel, message_ts=ts, user_id=voter,
            reaction="+1", event_id=f"EvSoak{n:07d}", event_ts=f"{base + n * 1e-5:.6f}",
        )
        for n, (channel, ts, voter) in enumerate(ordered[:votes])
    ]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def stored_votes(url: str) -> int:
    store = Store(url)
    try:
        async with store.unit_of_work() as uow:
            return int(await uow.session.scalar(select(func.count()).select_from(VoteRow)) or 0)
    finally:
        await store.close()


@dataclass
class Soak:
    backend: str
    machine: dict[str, str]
    idle_rss: float
    samples: list[tuple[int, float, float]] = field(default_factory=list)  # sent, s, RSS MB
    errors: dict[str, int] = field(default_factory=dict)
    stored: int = 0
    seed_s: float = 0.0
    cpu_s: float = 0.0
    stopped_early: bool = False


def run_backend(args: argparse.Namespace, backend: str) -> Soak:
    with tempfile.TemporaryDirectory(prefix="tradeoff-bench-logs-") as logs, \
            harness.fake_slack() as fake, \
            harness.fresh_database(backend, args.pg_url, "soak") as url:
        machine = harness.machine_info(backend, harness.server_version(backend, url))
        harness.migrate(url, harness.clean_env())
        started = time.perf_counter()
        threads = asyncio.run(seed(url, args.digests))
        seed_s = time.perf_counter() - started
        requests = plan(threads, args.votes)
        say(f"{backend}: {len(threads)} digests seeded in {seed_s:.0f} s; "
            f"{len(requests)} votes to send")
        bot = harness.bot_server("bot", url, fake, Path(logs))
        with harness.running(bot):
            soak = Soak(backend, machine, rss_mb(bot.pid), seed_s=seed_s)
            cpu0 = bot.cpu_seconds()
            chunk = max(1, len(requests) // CHUNKS)
            began = time.perf_counter()
            for first in range(0, len(requests), chunk):
                if time.perf_counter() - began > args.budget:
                    soak.stopped_early = True
                    break
                part = requests[first:first + chunk]
                load = asyncio.run(run_load(
                    [bot.url], lambda n, part=part: part[n], secret=harness.SIGNING_SECRET,
                    clients=args.clients, count=len(part),
                ))
                for problem, count in load.errors.items():
                    soak.errors[problem] = soak.errors.get(problem, 0) + count
                fake.reset()  # what FakeSlack recorded is this process's memory, not the bot's
                sent = first + len(part)
                soak.samples.append((sent, time.perf_counter() - began, rss_mb(bot.pid)))
                say(f"{sent} votes, {soak.samples[-1][1]:.0f} s, bot RSS "
                    f"{soak.samples[-1][2]:.1f} MB")
            soak.cpu_s = bot.cpu_seconds() - cpu0
            soak.stored = asyncio.run(stored_votes(url))
    return soak


def render(args: argparse.Namespace, soak: Soak) -> str:
    command = (f"python -m bench.soak --backend {soak.backend} --digests {args.digests} "
               f"--votes {args.votes} --clients {args.clients} --budget {args.budget:g}")
    sent = soak.samples[-1][0] if soak.samples else 0
    lines = [
        f"### soak · {soak.backend} · {soak.machine['date']}",
        "",
        f"- command: `{command}`",
        f"- machine: {harness.machine_line(soak.machine)}",
        f"- code: {soak.machine['code']}",
        f"- data: {args.digests} digests (2 thread replies each, tallies hidden), seeded in "
        f"{soak.seed_s:.0f} s; votes from a pool of {USER_POOL:,} users, each a new "
        f"(user, reply) pair, sent by {args.clients} clients",
        f"- bot RSS idle before the first vote: {soak.idle_rss:.1f} MB",
        "",
        "| votes sent | seconds | bot RSS MB | vs after warm-up |",
        "|---:|---:|---:|---:|",
    ]
    start = soak.samples[0][2] if soak.samples else 0.0
    for count, seconds, rss in soak.samples:
        lines.append(f"| {count:,} | {seconds:.0f} | {rss:.1f} | "
                     f"{100 * (rss - start) / start:+.1f}% |")
    end = soak.samples[-1][2] if soak.samples else 0.0
    growth = (end - start) / start if start else 0.0
    seconds = soak.samples[-1][1] if soak.samples else 0.0
    lines += [
        "",
        f"- {sent:,} votes in {seconds:.0f} s ({sent / max(seconds, 1e-9):.0f}/s), bot CPU "
        f"{1000 * soak.cpu_s / max(sent, 1):.2f} ms per vote; votes stored {soak.stored:,} "
        f"of {sent:,} sent" + (f"; errors {soak.errors}" if soak.errors else ""),
    ]
    enough = sent >= 100_000 and args.digests >= 1000
    met = enough and growth <= GROWTH_LIMIT and soak.stored == sent and not soak.errors
    lines.append(
        f"- RSS at the end {end:.1f} MB against {start:.1f} MB after the warm-up (the first "
        f"{100 // CHUNKS}% of the votes): {100 * growth:+.1f}%; target within "
        f"{100 * GROWTH_LIMIT:.0f}% after ≥ 100,000 votes on ≥ 1,000 digests with every vote "
        f"stored → **{'MET' if met else 'NOT MET'}**"
        + (" (stopped at the time budget)" if soak.stopped_early else ""))
    return "\n".join(lines) + "\n"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = harness.parser_for("python -m bench.soak", __doc__)
    parser.add_argument("--digests", type=int, default=1000)
    parser.add_argument("--votes", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--budget", type=float, default=900.0,
                        help="seconds after which no more votes are sent")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    for backend in harness.backends(args.backend):
        harness.publish(render(args, run_backend(args, backend)), keep=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
