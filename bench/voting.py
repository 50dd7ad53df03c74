"""Benchmark: 👍 votes as signed `reaction_added` / `reaction_removed` Events API deliveries.

    python -m bench.voting --backend sqlite|postgresql|both [--clients 8,32] [--users 1000]
        [--stacks asyncio,uvloop] [--repeat 1] [--profile] [--record]

For each client count, in a channel of its own: 10 debt and 10 feature items are logged with
signed `/debt` and `/feature` quick-adds, `/tradeoff digest` posts the digest (FakeSlack answers
every post, DIGEST_REPLY_INTERVAL=0), and the 20 thread replies' ts are read from what FakeSlack
received. Then `--users` distinct users react: each on 1-4 of the 20 replies, with `+1`,
`thumbsup` or a skin tone, some with two variants on one reply, some removing one later, a few
with other emoji (not votes). Every event is a distinct event_id with increasing event_ts, sent
by `clients` concurrent clients in that order (so a removal can overtake its addition, which
the bot must still resolve by event_ts).

Two rates are reported: answers per second (what Slack sees), and votes per second end to end,
from the first event sent until every vote event is in processed_events. The bot answers an
event once its vote is stored (its Bolt app runs with process_before_response=True), so the two
are close; a Bolt app in the default mode answers first and stores later. Then the stored votes
are compared, per item and per voter, with what the events imply.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench import harness
from bench.harness import Measured, Profiler, Server, measure, say
from bench.loadgen import Request, run_load
from bench.slack_payloads import reaction_event, slash_command
from bot.store.models import DigestRunRow, ItemRow, ProcessedEventRow, VoteRow
from bot.store.unit_of_work import Store

TEAM = "TVOTE"
RATE_TARGET = 500.0
VOTES = ("+1", "+1", "thumbsup", "+1::skin-tone-2", "thumbsup::skin-tone-5")
OTHER = ("eyes", "tada", "-1")
DRAIN_TIMEOUT_S = 180.0


@dataclass
class Plan:
    """The events to send and the votes they imply."""

    events: list[Request]
    vote_events: int
    expected: dict[str, set[str]]  # "D-1" -> voters
    prefix: str


def plan_events(
    channel: str, replies: dict[str, str], users: int, seed: int, prefix: str
) -> Plan:
    rng = random.Random(seed)
    refs = sorted(replies)
    events: list[tuple[bool, str, str, str]] = []  # added, user, message ts, reaction
    later: list[tuple[bool, str, str, str]] = []
    for u in range(users):
        user = f"UV{u:05d}"
        for ref in rng.sample(refs, rng.randint(1, 4)):
            ts = replies[ref]
            first = rng.choice(VOTES)
            events.append((True, user, ts, first))
            if rng.random() < 0.1:
                second = rng.choice([v for v in VOTES if v != first])
                events.append((True, user, ts, second))
                if rng.random() < 0.5:
                    later.append((False, user, ts, second))  # still one thumb left: a vote
            if rng.random() < 0.2:
                later.append((False, user, ts, first))
            if rng.random() < 0.05:
                events.append((True, user, ts, rng.choice(OTHER)))
    # Removals go out after most additions, as people change their minds later; with many
    # clients some still overtake their addition.
    ordered = events[: len(events) // 2] + later[: len(later) // 2] + events[len(events) // 2:]
    ordered += later[len(later) // 2:]
    base = time.time()
    state: dict[tuple[str, str, str], bool] = {}
    requests: list[Request] = []
    vote_events = 0
    for i, (added, user, ts, reaction) in enumerate(ordered):
        event_ts = f"{base + i * 1e-5:.6f}"
        requests.append(reaction_event(
            added=added, team_id=TEAM, channel_id=channel, message_ts=ts, user_id=user,
            reaction=reaction, event_id=f"{prefix}{i:07d}", event_ts=event_ts,
        ))
        if reaction not in OTHER:
            vote_events += 1
            state[(user, ts, reaction)] = added  # the later event_ts wins
    by_ts = {ts: ref for ref, ts in replies.items()}
    expected: dict[str, set[str]] = {ref: set() for ref in refs}
    for (user, ts, _reaction), present in state.items():
        if present:
            expected[by_ts[ts]].add(user)
    return Plan(requests, vote_events, expected, prefix)


async def wait_processed(url: str, prefix: str, expected: int) -> tuple[float, int]:
    """Poll until `expected` events of this run are processed; returns when (perf_counter)."""
    store = Store(url)
    deadline = time.perf_counter() + DRAIN_TIMEOUT_S
    done = 0
    try:
        while time.perf_counter() < deadline:
            async with store.unit_of_work() as uow:
                done = int(await uow.session.scalar(
                    select(func.count()).select_from(ProcessedEventRow)
                    .where(ProcessedEventRow.event_id.like(f"{prefix}%"))
                ) or 0)
            if done >= expected:
                return time.perf_counter(), done
            await asyncio.sleep(0.05)
    finally:
        await store.close()
    return time.perf_counter(), done


async def stored_voters(url: str, channel: str) -> dict[str, set[str]]:
    store = Store(url)
    try:
        async with store.unit_of_work() as uow:
            rows = await uow.session.execute(
                select(ItemRow.kind, ItemRow.number, VoteRow.user_id)
                .join(VoteRow, VoteRow.item_id == ItemRow.id)
                .where(ItemRow.team_id == TEAM, ItemRow.channel_id == channel)
            )
            voters: dict[str, set[str]] = defaultdict(set)
            for kind, number, user in rows:
                voters[f"{'D' if kind == 'debt' else 'F'}-{number}"].add(user)
            return voters
    finally:
        await store.close()


async def _digest_done(url: str, channel: str) -> bool:
    store = Store(url)
    try:
        async with store.unit_of_work() as uow:
            status = await uow.session.scalar(
                select(DigestRunRow.status).where(
                    DigestRunRow.team_id == TEAM, DigestRunRow.channel_id == channel
                )
            )
            return status == "complete"
    finally:
        await store.close()


def prepare_channel(bot: Server, fake: Any, channel: str) -> dict[str, str]:
    """20 items and a posted digest; returns {"D-1": reply ts, ...}."""
    response_url = fake.response_url("bench")
    commands = [("/debt", n) for n in range(10)] + [("/feature", n) for n in range(10)]

    def make(n: int) -> Request:
        command, k = commands[n]
        return slash_command(command, f"Vote item {k} of {command[1:]} | worth {k + 1} h",
                             team_id=TEAM, channel_id=channel, user_id="UAUTHOR",
                             response_url=response_url, n=n)

    added = asyncio.run(run_load([bot.url], make, secret=harness.SIGNING_SECRET, clients=1,
                                 count=len(commands)))
    if added.error_count:
        raise RuntimeError(f"quick-adds failed: {dict(added.errors)}")
    digest = asyncio.run(run_load(
        [bot.url],
        lambda n: slash_command("/tradeoff", "digest", team_id=TEAM, channel_id=channel,
                                user_id="ULEAD", response_url=response_url, n=n),
        secret=harness.SIGNING_SECRET, clients=1, count=1,
    ))
    if digest.error_count:
        raise RuntimeError(f"/tradeoff digest failed: {dict(digest.errors)}")
    deadline = time.monotonic() + 30
    while not asyncio.run(_digest_done(bot_url_of(bot), channel)):
        if time.monotonic() > deadline:
            raise RuntimeError("the digest was not posted within 30 s")
        time.sleep(0.1)
    posted = [c for c in fake.calls_to("chat.postMessage")
              if c.succeeded and c.params.get("channel") == channel]
    parent = next(c for c in posted if not c.params.get("thread_ts"))
    parent_ts = str((parent.answer or {})["ts"])
    replies = {
        str(c.params["text"]).split()[0]: str((c.answer or {})["ts"])
        for c in posted if c.params.get("thread_ts") == parent_ts
    }
    if len(replies) != 20 or not all(re.fullmatch(r"[DF]-\d+", ref) for ref in replies):
        raise RuntimeError(f"expected 20 thread replies, got {sorted(replies)}")
    return replies


def bot_url_of(bot: Server) -> str:
    return bot.env["DATABASE_URL"]


@dataclass
class VoteRun:
    clients: int
    measured: Measured
    vote_events: int
    all_events: int
    drain_s: float
    processed: int
    mismatches: list[str] = field(default_factory=list)
    expected_votes: int = 0
    stored_votes: int = 0
    server: str = "bot"

    @property
    def end_to_end_rate(self) -> float:
        return self.vote_events / self.drain_s if self.drain_s else 0.0


def run_backend(args: argparse.Namespace, backend: str) -> tuple[dict[str, str], list[VoteRun],
                                                                   dict[str, str], list[str]]:
    runs: list[VoteRun] = []
    profiles: dict[str, str] = {}
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="tradeoff-bench-logs-") as logs, \
            harness.fake_slack() as fake, \
            harness.fresh_databases(backend, args.pg_url,
                                    [f"vote_{s}" for s in args.stacks]) as urls:
        log_dir = Path(logs)
        machine = harness.machine_info(backend, harness.server_version(backend, urls[0]))
        bots: dict[str, Server] = {}
        for stack, url in zip(args.stacks, urls, strict=True):
            harness.migrate(url, harness.clean_env())
            bots[stack] = harness.bot_server(harness.stack_label("bot", stack, args.stacks), url,
                                             fake, log_dir, http_stack=stack)
        with harness.running(*bots.values()):
            for clients in args.clients:
                for turn, stack in enumerate(harness.in_turns(args.stacks, args.repeat)):
                    profile = args.profile and clients == max(args.clients)
                    run = vote_run(args, backend, bots[stack], fake, clients, turn,
                                   log_dir if profile else None, profiles)
                    runs.append(run)
        for bot in bots.values():
            problems += [f"{bot.name}: {line[:200]}" for line in bot.log().splitlines()
                         if "ERROR" in line or "lost" in line or "Traceback" in line][:5]
    return machine, runs, profiles, problems


def vote_run(args: argparse.Namespace, backend: str, bot: Server, fake: Any, clients: int,
             turn: int, profile_dir: Path | None, profiles: dict[str, str]) -> VoteRun:
    """One digest in a channel of its own, then every planned vote sent and drained."""
    url = bot_url_of(bot)
    channel = f"CVOTE{clients:03d}{turn:02d}"
    replies = prepare_channel(bot, fake, channel)
    plan = plan_events(channel, replies, args.users, args.seed + clients,
                       prefix=f"Ev{backend[:2]}{clients:03d}{turn:02d}x")
    say(f"{backend}: {bot.name}: {len(plan.events)} events ({plan.vote_events} votes) from "
        f"{args.users} users at {clients} clients")
    label = f"{bot.name} votes @{clients}"
    profiler = (Profiler(bot, profile_dir / f"vote{clients}{turn}.raw", 8)
                if profile_dir is not None else None)
    waited: dict[str, float] = {}

    async def send_and_drain() -> Any:
        load = await run_load(
            [bot.url], lambda n: plan.events[n], secret=harness.SIGNING_SECRET,
            clients=clients, count=len(plan.events),
        )
        finished, done = await wait_processed(url, plan.prefix, plan.vote_events)
        waited["drain"] = finished - load.started_at
        waited["processed"] = done
        return load

    measured = measure(label, [bot], send_and_drain)
    if profiler is not None:
        profiles[label] = profiler.finish()
    run = VoteRun(clients, measured, plan.vote_events, len(plan.events),
                  waited["drain"], int(waited["processed"]), server=bot.name)
    stored = asyncio.run(stored_voters(url, channel))
    for ref, voters in plan.expected.items():
        got = stored.get(ref, set())
        if got != voters:
            run.mismatches.append(
                f"{ref}: {len(got)} stored vs {len(voters)} expected "
                f"({len(got - voters)} extra, {len(voters - got)} missing)")
    run.expected_votes = sum(len(v) for v in plan.expected.values())
    run.stored_votes = sum(len(v) for v in stored.values())
    say(f"votes @{clients}: {run.end_to_end_rate:.0f} votes/s end to end, "
        f"{run.stored_votes}/{run.expected_votes} votes, {len(run.mismatches)} items differ")
    return run


def render(args: argparse.Namespace, backend: str, machine: dict[str, str], runs: list[VoteRun],
           profiles: dict[str, str], problems: list[str]) -> str:
    command = (f"python -m bench.voting --backend {backend} --clients "
               f"{','.join(map(str, args.clients))} --users {args.users} --stacks "
               f"{','.join(args.stacks)} --repeat {args.repeat}"
               + (" --profile" if args.profile else ""))
    postgres = backend == "postgresql"
    lines = [
        f"### voting · {backend} · {machine['date']}",
        "",
        f"- command: `{command}`",
        f"- machine: {harness.machine_line(machine)}",
        f"- code: {machine['code']}",
        f"- data: {args.users} distinct users on the 20 thread replies of one digest per run; "
        "each run in a channel of its own, all in one `tradeoff serve` process",
        harness.load_note([r.measured for r in runs]),
        harness.stack_line(args.stacks),
        "- CPU: user + system of the server process from the first event sent until every vote "
        "is stored, per event" + ("; PostgreSQL: every `postgres` process over the same time"
                                  if postgres else ""),
        "",
        "| server | clients | events sent | of which votes | answers/s | answer p50 ms | answer "
        "p99 ms | **votes/s end to end** | all stored after | server CPU ms/event | "
        + ("PostgreSQL CPU ms/event | " if postgres else "")
        + "votes stored / expected | items differing |",
        "|---|" + "---:|" * (12 if postgres else 11),
    ]
    for run in sorted(runs, key=lambda r: (r.clients, r.server)):
        load = run.measured.load
        events = max(run.all_events, 1)
        pg = f"{1000 * run.measured.postgres_cpu_s / events:.2f} | " if postgres else ""
        lines.append(
            f"| {run.server} | {run.clients} | {run.all_events} | {run.vote_events} | "
            f"{load.rate:.0f} | {load.percentile_ms(50):.1f} | {load.percentile_ms(99):.1f} | "
            f"**{run.end_to_end_rate:.0f}** | {run.drain_s:.2f} s | "
            f"{1000 * run.measured.cpu_s / events:.2f} | {pg}"
            f"{run.stored_votes} / {run.expected_votes} | {len(run.mismatches)} |"
        )
    lines.append("")
    servers = list(dict.fromkeys(r.server for r in runs))
    if len(servers) == 2:
        parts = []
        for clients in args.clients:
            pairs = list(zip(*([r.measured for r in runs
                                if r.server == name and r.clients == clients]
                               for name in servers), strict=False))
            parts.append(f"{clients} clients: {harness.pair_ratios(pairs)}")
        lines.append(f"- {servers[1]} against {servers[0]}, run by run (answers/s): "
                     + "; ".join(parts))
    for run in runs:
        if run.measured.load.error_count:
            lines.append(f"- errors at {run.clients} clients: {dict(run.measured.load.errors)}")
        if run.processed < run.vote_events:
            lines.append(f"- at {run.clients} clients only {run.processed} of {run.vote_events} "
                         f"vote events were processed within {DRAIN_TIMEOUT_S:g} s")
    for server in servers:
        at32 = sorted((r for r in runs if r.clients == 32 and r.server == server),
                      key=lambda r: r.end_to_end_rate)
        if not at32:
            continue
        median = at32[(len(at32) - 1) // 2]
        exact = all(not r.mismatches and r.processed >= r.vote_events for r in at32)
        met = exact and median.end_to_end_rate >= RATE_TARGET and not median.measured.load.errors
        lines.append(
            f"- target ≥ {RATE_TARGET:g} events/s at 32 clients with exact counts"
            + (f" ({server})" if len(servers) > 1 else "")
            + (" (the target is for PostgreSQL)" if backend != "postgresql" else "")
            + f": {median.end_to_end_rate:.0f} votes/s end to end"
            + (f" (median of {len(at32)})" if len(at32) > 1 else "") + ", counts "
            f"{'exact' if exact else 'NOT exact'} → **{'MET' if met else 'NOT MET'}**")
    for run in runs:
        verdict = "exact" if not run.mismatches else "; ".join(run.mismatches[:5])
        lines.append(f"- final counts at {run.clients} clients"
                     + (f" ({run.server})" if len(servers) > 1 else "")
                     + f", per item and per voter: **{verdict}**")
    if problems:
        lines.append(f"- bot log lines worth a look: {problems}")
    for label, text in profiles.items():
        lines += ["", f"py-spy profile of {label} (first 8 s):", "", "```", text, "```"]
    return "\n".join(lines) + "\n"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = harness.parser_for("python -m bench.voting", __doc__)
    parser.add_argument("--clients", default="8,32")
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    args.clients = [int(c) for c in args.clients.split(",")]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    failed = False
    for backend in harness.backends(args.backend):
        machine, runs, profiles, problems = run_backend(args, backend)
        failed |= any(r.mismatches for r in runs)
        harness.publish(render(args, backend, machine, runs, profiles, problems),
                        keep=args.record)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
