"""Benchmark: `/debt title | impact` quick-adds against `tradeoff serve`, beside the naive stack.

    python -m bench.quick_add --backend sqlite|postgresql|both [--clients 1,8,32]
        [--duration 5] [--references ack,db,ack-pbr,db-pbr] [--stacks asyncio,uvloop]
        [--ref-stack asyncio|uvloop] [--profile] [--record]
    python -m bench.quick_add --backend postgresql --scale [--clients 8,32]
        [--stacks asyncio,uvloop] [--record]

Default mode, for each backend: a fresh database migrated with `tradeoff migrate`, `tradeoff
serve` as its own process (scheduler off, LOG_LEVEL=WARNING, Slack = the test suite's FakeSlack
in this process), then closed-loop load at each client count: every request a signed
`/debt Bench item n | ...`, every answer checked to carry a new item id (`D-<n>`), and after the
runs the database must hold exactly one item per successful answer, numbered 1..N. In the same
run, the reference apps of `bench.reference_app` (their own fresh database of the same kind)
get the same load: `ack` (Bolt only acks), `db` (one INSERT + one SELECT through plain async
SQLAlchemy ORM, then ack), and the same two with `process_before_response=True` (`-pbr`).

`--scale` (PostgreSQL): one bot process, then two on the same database with the load split
between them; both run their schedulers, with digests of 20 channels due when they start, and
every due digest must be posted exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from bench import harness
from bench.harness import Measured, Profiler, Server, measure, say
from bench.loadgen import Checker, Request, run_load
from bench.slack_payloads import slash_command
from bot.store.models import DigestRunRow, ItemRow
from bot.store.unit_of_work import Store

TEAM = "TBENCH"
DUE_TEAM = "TDUE"  # its items would otherwise share the quick-adds' numbering
CHANNEL = "CBENCH"
WARMUP_S = 1.0
P99_TARGET_MS = 50.0
RATIO_TARGET = 1.5
SCALE_TARGET = 1.6
DUE_CHANNELS = 20
REFERENCES = {
    "ack": ("ack", "default"),
    "db": ("db", "default"),
    "ack-pbr": ("ack", "pbr"),
    "db-pbr": ("db", "pbr"),
}
_ID = re.compile(rb"\*D-(\d+)\*")
_REF_ID = re.compile(rb"\*R-(\d+)\*")


@dataclass
class Ids:
    """Every id the answers carried, to compare with the database afterwards."""

    seen: list[int] = field(default_factory=list)

    def checker(self, pattern: re.Pattern[bytes] | None) -> Checker:
        def check(_n: int, status: int, body: bytes) -> str | None:
            if status != 200:
                return f"HTTP {status}"
            if pattern is None:
                return None if b"logged" in body else "no ack text"
            match = pattern.search(body)
            if match is None:
                return "answer without an item id"
            self.seen.append(int(match.group(1)))
            return None

        return check


def requests(fake: Any, offset: list[int]) -> Callable[[int], Request]:
    """Quick-adds numbered across all runs of one server, so every title is distinct."""
    response_url = fake.response_url("bench")

    def make(n: int) -> Request:
        k = offset[0] + n
        return slash_command(
            "/debt", f"Bench item {k} flaky checkout tests | CI reruns cost {k % 9 + 1} h a week",
            team_id=TEAM, channel_id=CHANNEL, user_id=f"U{k % 50:05d}",
            response_url=response_url, n=k,
        )

    return make


def load_series(
    label: str, servers: Sequence[Server], fake: Any, clients: Sequence[int], duration: float,
    pattern: re.Pattern[bytes] | None, ids: Ids, profile_dir: Path | None = None,
    profiles: dict[str, str] | None = None, offset: list[int] | None = None,
) -> list[Measured]:
    """One measured run per client count; `offset` carries the quick-adds' numbering over from
    earlier series against the same servers."""
    urls = [server.url for server in servers]
    offset = [0] if offset is None else offset
    results: list[Measured] = []
    for n_clients in clients:
        make = requests(fake, offset)
        warm = asyncio.run(run_load(
            urls, make, secret=harness.SIGNING_SECRET, clients=n_clients, duration=WARMUP_S,
            check=ids.checker(pattern),
        ))
        offset[0] += warm.requests
        if warm.error_count:
            say(f"{label} warm-up at {n_clients} clients: {dict(warm.errors)}")
        make = requests(fake, offset)
        profiler = None
        if profile_dir is not None and profiles is not None and n_clients == 8:
            profiler = Profiler(servers[0], profile_dir / f"{label}.raw", duration)
        measured = measure(
            f"{label} @{n_clients}", servers,
            lambda make=make, n_clients=n_clients: run_load(
                urls, make, secret=harness.SIGNING_SECRET, clients=n_clients,
                duration=duration, check=ids.checker(pattern),
            ),
        )
        if profiler is not None and profiles is not None:
            profiles[label] = profiler.finish()
        offset[0] += measured.load.requests
        measured.extra["warmup_ok"] = len(warm.latencies) - warm.bad_answers
        results.append(measured)
    return results


async def _items_in(url: str) -> list[int]:
    store = Store(url)
    try:
        async with store.unit_of_work() as uow:
            rows = await uow.session.scalars(
                select(ItemRow.number).where(ItemRow.team_id == TEAM, ItemRow.kind == "debt")
            )
            return sorted(rows)
    finally:
        await store.close()


async def _reference_rows(url: str) -> int:
    store = Store(url)
    try:
        async with store.engine.connect() as conn:
            return int((await conn.execute(
                text("SELECT count(*) FROM bench_reference_items")
            )).scalar_one())
    finally:
        await store.close()


def check_items(url: str, ids: Ids, answered_ok: int) -> list[str]:
    """Every successful answer is one stored item, numbered 1..N, each id answered once."""
    numbers = asyncio.run(_items_in(url))
    problems = []
    if len(numbers) != answered_ok:
        problems.append(f"{len(numbers)} items stored for {answered_ok} successful answers")
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append("item numbers are not exactly 1..N")
    if sorted(ids.seen) != numbers:
        problems.append("the ids in the answers differ from the stored items")
    return problems


@dataclass
class BackendRun:
    backend: str
    machine: dict[str, str]
    rows: dict[str, list[Measured]]
    checks: dict[str, list[str]]
    log_problems: list[str]
    profiles: dict[str, str]


def run_backend(args: argparse.Namespace, backend: str) -> BackendRun:
    rows: dict[str, list[Measured]] = {}
    checks: dict[str, list[str]] = {}
    profiles: dict[str, str] = {}
    log_problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="tradeoff-bench-logs-") as logs, \
            harness.fake_slack() as fake:
        log_dir = Path(logs)
        profile_dir = log_dir if args.profile else None
        # Each stack's bot has a database of its own, so each is checked for ids 1..N alone.
        # All of them run at once (an idle one costs nothing) and take the load in turns.
        with harness.fresh_databases(backend, args.pg_url, [f"bot_{s}" for s in args.stacks]) \
                as bot_urls:
            machine = harness.machine_info(backend, harness.server_version(backend, bot_urls[0]))
            bots: dict[str, Server] = {}
            for stack, bot_url in zip(args.stacks, bot_urls, strict=True):
                harness.migrate(bot_url, harness.clean_env())
                bot_label = harness.stack_label("bot", stack, args.stacks)
                bots[stack] = harness.bot_server(bot_label, bot_url, fake, log_dir,
                                                 http_stack=stack, LOG_LEVEL=args.log_level)
            ids = {stack: Ids() for stack in args.stacks}
            offsets = {stack: [0] for stack in args.stacks}
            say(f"{backend}: the bot (tradeoff serve) on {args.stacks} at {args.clients} clients, "
                f"{args.repeat} time(s) each")
            with harness.running(*bots.values()):
                for n_clients in args.clients:
                    for stack in harness.in_turns(args.stacks, args.repeat):
                        bot = bots[stack]
                        rows.setdefault(bot.name, []).extend(load_series(
                            bot.name, [bot], fake, [n_clients], args.duration, _ID, ids[stack],
                            profile_dir, profiles, offsets[stack]))
            for stack, bot_url in zip(args.stacks, bot_urls, strict=True):
                series = rows[bots[stack].name]
                answered_ok = sum(m.load.ok + m.extra["warmup_ok"] for m in series)
                checks[bots[stack].name] = check_items(bot_url, ids[stack], answered_ok)
                log_problems += _log_problems(bots[stack])
        with harness.fresh_database(backend, args.pg_url, "ref") as ref_url:
            ref_db_ids: list[int] = []
            ref_db_timeouts = 0
            for name in args.references:
                mode, bolt = REFERENCES[name]
                label = f"ref-{name}"
                server = harness.reference_server(label, mode, bolt, ref_url, fake, log_dir,
                                                  args.ref_stack)
                say(f"{backend}: {label} at {args.clients} clients")
                ref_ids = Ids()
                with harness.running(server):
                    series = load_series(label, [server], fake, args.clients, args.duration,
                                         _REF_ID if mode == "db" else None, ref_ids,
                                         profile_dir, profiles)
                rows[label] = series
                if mode == "db":
                    # the db references share one table, so the check is cumulative
                    ref_db_ids += ref_ids.seen
                    ref_db_timeouts += sum(m.load.errors.get("HTTP 404", 0) for m in series)
                    stored = asyncio.run(_reference_rows(ref_url))
                    problems = [] if stored == len(set(ref_db_ids)) == len(ref_db_ids) else [
                        f"{stored} rows for {len(ref_db_ids)} ids answered"
                        + (f"; {ref_db_timeouts} requests got Bolt's 404 after its 3 s ack "
                           "timeout, and rows were committed for them all the same"
                           if ref_db_timeouts else "")
                    ]
                    checks[label] = problems
                log_problems += _log_problems(server)
    return BackendRun(backend, machine, rows, checks, log_problems, profiles)


def _log_problems(server: Server) -> list[str]:
    lines = [line for line in server.log().splitlines()
             if "ERROR" in line or "locked" in line or "Traceback" in line]
    return [f"{server.name}: {line[:200]}" for line in lines[:5]]


def _at(series: Sequence[Measured], clients: int) -> Measured | None:
    """The run at that client count; with --repeat, the one of median throughput."""
    return harness.median_run([m for m in series if m.load.clients == clients])


def _fmt_row(label: str, m: Measured, naive: Measured | None, postgres: bool = False) -> str:
    load = m.load
    ratio = f"{load.rate / naive.load.rate:.2f}x" if naive and naive.load.rate else "-"
    errors = str(load.error_count) if load.error_count else "0"
    pg = f" {m.postgres_ms_per_request:.2f} |" if postgres else ""
    return (f"| {label} | {load.clients} | **{load.rate:.0f}** | {load.percentile_ms(50):.1f} | "
            f"**{load.percentile_ms(99):.1f}** | {load.percentile_ms(100):.0f} | {errors} | "
            f"{m.cpu_ms_per_request:.2f} |{pg} {ratio} |")


def _header(first: str, postgres: bool, ratio: str) -> list[str]:
    pg = " PostgreSQL CPU ms/req |" if postgres else ""
    return [f"| {first} | clients | req/s | p50 ms | p99 ms | max ms | errors | server CPU "
            f"ms/req |{pg} {ratio} |",
            "|---|" + "---:|" * (9 if postgres else 8)]


def render_backend(args: argparse.Namespace, run: BackendRun) -> str:
    machine = run.machine
    bot_labels = [label for label in run.rows if label.startswith("bot")]
    naive = run.rows.get("ref-db", [])
    postgres = run.backend == "postgresql"
    command = (f"python -m bench.quick_add --backend {run.backend} --clients "
               f"{','.join(map(str, args.clients))} --duration {args.duration:g} --references "
               f"{','.join(args.references)} --stacks {','.join(args.stacks)}"
               f" --repeat {args.repeat}"
               + (f" --ref-stack {args.ref_stack}" if args.ref_stack != "asyncio" else "")
               + (f" --log-level {args.log_level}" if args.log_level != "WARNING" else "")
               + (" --profile" if args.profile else ""))
    lines = [
        f"### quick_add · {run.backend} · {machine['date']}",
        "",
        f"- command: `{command}`" + (" (py-spy sampling at 8 clients)" if args.profile else ""),
        f"- machine: {harness.machine_line(machine)}",
        f"- code: {machine['code']}",
        f"- load: closed loop, {args.duration:g} s per row after a {WARMUP_S:g} s warm-up, "
        "signed `/debt Bench item n ... | ...` over keep-alive HTTP/1.1 from one aiohttp "
        "process on the same machine; ratio = req/s over `ref-db` (the naive stack) at the "
        "same client count",
        harness.load_note([m for series in run.rows.values() for m in series]),
        harness.stack_line(args.stacks, args.ref_stack if args.references else None),
        "- CPU: user + system of the server process over the measured run, per answer"
        + ("; PostgreSQL: every `postgres` process on the machine over the same run"
           if postgres else ""),
        "",
        *_header("server", postgres, "vs ref-db"),
    ]
    for label, series in run.rows.items():
        for m in series:
            lines.append(_fmt_row(label, m, _at(naive, m.load.clients), postgres))
    lines.append("")
    for bot_label in bot_labels:
        lines += _targets(run, bot_label, naive)
    if len(bot_labels) == 2:
        lines += _stack_ratios(run.rows[bot_labels[0]], run.rows[bot_labels[1]], bot_labels)
    for label, problems in run.checks.items():
        verdict = "; ".join(problems) if problems else "exact"
        lines.append(f"- check {label}: every answer carried a new id, the database holds one "
                     f"row per answer → **{verdict}**" if label.startswith("bot")
                     else f"- check {label}: rows stored for every id answered → {verdict}")
    if run.log_problems:
        lines.append(f"- log lines worth a look: {run.log_problems}")
    for label, profile in run.profiles.items():
        lines += ["", f"py-spy profile of {label} at 8 clients:", "", "```", profile, "```"]
    return "\n".join(lines) + "\n"


def _targets(run: BackendRun, bot_label: str, naive: Sequence[Measured]) -> list[str]:
    bot = run.rows[bot_label]
    lines = []
    who = "" if bot_label == "bot" else f" ({bot_label})"
    at8, naive8 = _at(bot, 8), _at(naive, 8)
    if at8 is not None:
        p99 = at8.load.percentile_ms(99)
        lines.append(f"- target p99 ≤ {P99_TARGET_MS:g} ms at 8 clients{who}: {p99:.1f} ms → "
                     f"**{'MET' if p99 <= P99_TARGET_MS and not at8.load.errors else 'NOT MET'}"
                     f"**")
        if naive8 is not None and naive8.load.rate:
            ratio = at8.load.rate / naive8.load.rate
            lines.append(
                f"- target throughput ≥ {RATIO_TARGET:g}x the naive bare Bolt + INSERT + SELECT "
                f"at 8 clients{who}: {at8.load.rate:.0f} vs {naive8.load.rate:.0f} req/s = "
                f"{ratio:.2f}x → **{'MET' if ratio >= RATIO_TARGET else 'NOT MET'}**")
    if run.backend == "sqlite":
        worst = max((m.load.percentile_ms(100) for m in bot), default=0.0)
        errors = sum(m.load.error_count for m in bot)
        locked = [p for p in run.log_problems if p.startswith(f"{bot_label}:") and "locked" in p]
        ok = errors == 0 and not locked and worst < 2000
        lines.append(
            f"- target: concurrent SQLite writers never wait out the lock timeout (2 s busy "
            f"timeout){who}: slowest answer {worst:.0f} ms, {errors} errors, "
            f"{len(locked)} 'database is locked' log lines → **{'MET' if ok else 'NOT MET'}**")
    return lines


def _stack_ratios(first: Sequence[Measured], second: Sequence[Measured],
                  labels: Sequence[str]) -> list[str]:
    """The second stack against the first at each client count: throughput and CPU of each
    pair of runs taken back to back, so a change of load on the machine hits both alike."""
    parts = []
    for clients in dict.fromkeys(m.load.clients for m in first):
        pairs = list(zip([m for m in first if m.load.clients == clients],
                         [m for m in second if m.load.clients == clients], strict=False))
        parts.append(f"{clients} clients: " + harness.pair_ratios(pairs))
    return [f"- {labels[1]} against {labels[0]}, run by run: " + "; ".join(parts)]


# --------------------------------------------------------------------------------------------
# Two processes


async def _schedule_due(url: str, channels: Sequence[str]) -> None:
    """Channels with open items and a weekly digest that fell due 30 minutes ago."""
    from bot.domain.channel_settings import WeeklySlot
    from bot.domain.items import Kind, make_draft
    from bot.services.channel_settings import set_schedule
    from bot.services.log_item import log_item

    store = Store(url)
    due = (datetime.now(UTC) - timedelta(minutes=30)).replace(second=0, microsecond=0)
    slot = WeeklySlot(due.weekday(), due.time(), "UTC")
    try:
        for channel in channels:
            for n in range(3):
                await log_item(store, team_id=DUE_TEAM, channel_id=channel, author_id="ULEAD",
                               draft=make_draft(Kind.DEBT, f"Due debt {n}", "impact"))
            settings = await set_schedule(
                store, team_id=DUE_TEAM, channel_id=channel, user_id="ULEAD", slot=slot
            )
            # Set a day before the slot, so the slot is one the bots missed while down.
            async with store.unit_of_work() as uow:
                await uow.channels.save(
                    settings.with_changes(scheduled_since=due - timedelta(days=1)), "ULEAD", due
                )
                await uow.commit()
    finally:
        await store.close()


async def _runs_of(url: str, channels: Sequence[str]) -> list[tuple[str, str]]:
    store = Store(url)
    try:
        async with store.unit_of_work() as uow:
            rows = await uow.session.execute(
                select(DigestRunRow.channel_id, DigestRunRow.status)
                .where(DigestRunRow.team_id == DUE_TEAM, DigestRunRow.channel_id.in_(channels))
            )
            return [(c, s) for c, s in rows]
    finally:
        await store.close()


def check_digests(url: str, fake: Any, channels: Sequence[str]) -> list[str]:
    """Each due channel got exactly one digest run and one parent message."""
    deadline = time.monotonic() + 30
    runs = asyncio.run(_runs_of(url, channels))
    while time.monotonic() < deadline and (
        len(runs) < len(channels) or any(status != "complete" for _, status in runs)
    ):
        time.sleep(0.2)
        runs = asyncio.run(_runs_of(url, channels))
    problems = []
    parents = [c for c in fake.calls_to("chat.postMessage")
               if not c.params.get("thread_ts") and c.params.get("channel") in channels]
    for channel in channels:
        posted = sum(1 for c in parents if c.params.get("channel") == channel)
        run_count = sum(1 for c, _ in runs if c == channel)
        if posted != 1 or run_count != 1:
            problems.append(f"{channel}: {posted} parents, {run_count} runs")
    incomplete = [c for c, status in runs if status != "complete"]
    if incomplete:
        problems.append(f"not complete: {incomplete}")
    return problems


def run_scale(args: argparse.Namespace) -> str:
    backend = "postgresql"
    results: dict[str, list[Measured]] = {}
    checks: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="tradeoff-bench-logs-") as logs, \
            harness.fake_slack() as fake, \
            harness.fresh_database(backend, args.pg_url, "scale") as url:
        log_dir = Path(logs)
        machine = harness.machine_info(backend, harness.server_version(backend, url))
        harness.migrate(url, harness.clean_env())
        ids = Ids()
        for stack, processes in [(stack, n) for stack in args.stacks for n in (1, 2)]:
            channels = [f"CDUE{stack[0]}{processes}{n:02d}" for n in range(DUE_CHANNELS)]
            asyncio.run(_schedule_due(url, channels))
            servers = [
                harness.bot_server(f"bot{processes}-{n}-{stack}", url, fake, log_dir,
                                   scheduler="on", http_stack=stack)
                for n in range(processes)
            ]
            say(f"{processes} process(es) on {stack}, scheduler on, {DUE_CHANNELS} digests due")
            with harness.running(*servers):
                label = harness.stack_label(
                    f"{processes} process" + ("es" if processes > 1 else ""), stack, args.stacks)
                # The due digests race first (each also renders a trends chart, the first of
                # the month), so that the load below measures quick-adds alone.
                checks[label] = check_digests(url, fake, channels)
                results[label] = load_series(label, servers, fake, args.clients, args.duration,
                                             _ID, ids)
        answered = sum(m.load.ok + m.extra["warmup_ok"] for s in results.values() for m in s)
        item_problems = check_items(url, ids, answered)
    command = (f"python -m bench.quick_add --backend postgresql --scale --clients "
               f"{','.join(map(str, args.clients))} --duration {args.duration:g} "
               f"--stacks {','.join(args.stacks)}")
    lines = [
        f"### quick_add scale · postgresql · {machine['date']}",
        "",
        f"- command: `{command}`",
        f"- machine: {harness.machine_line(machine)}",
        f"- code: {machine['code']}",
        "- load: as quick_add, one aiohttp load generator; with two processes client n talks to "
        "process n mod 2; both processes run their schedulers (TRADEOFF_SCHEDULER=on) with "
        f"{DUE_CHANNELS} channels' digests due when they start (they race for those digests, "
        "which are checked before the load starts)",
        harness.load_note([m for s in results.values() for m in s]),
        harness.stack_line(args.stacks),
        "",
        *_header("bot processes", True, "vs 1 process"),
    ]
    for label, series in results.items():
        one = results[label.replace("2 processes", "1 process")]
        for m in series:
            lines.append(_fmt_row(label, m, _at(one, m.load.clients), postgres=True))
    lines += ["", "Where the machine's cores went during each row (cores busy on average), and "
              "the throughput per core busy with this benchmark (bot processes + PostgreSQL + "
              "load generator, other jobs left out):", "",
              "| bot processes | clients | bot process(es) | PostgreSQL | load generator + "
              "FakeSlack | other jobs | total of 2 | req/s | **req/s per busy core** |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for label, series in results.items():
        for m in series:
            wall = m.wall_s or 1.0
            parts = [m.cpu_s, m.postgres_cpu_s, m.loadgen_cpu_s, m.other_cpu_s]
            lines.append(f"| {label} | {m.load.clients} | "
                         + " | ".join(f"{x / wall:.2f}" for x in parts)
                         + f" | {sum(parts) / wall:.2f} | {m.load.rate:.0f} | "
                         f"**{m.rate_per_busy_core:.0f}** |")
    lines.append("")
    for stack in args.stacks:
        one = results.get(harness.stack_label("1 process", stack, args.stacks), [])
        two = results.get(harness.stack_label("2 processes", stack, args.stacks), [])
        who = f" ({stack})" if len(args.stacks) > 1 else ""
        for clients in args.clients:
            a, b = _at(one, clients), _at(two, clients)
            if a and b and a.load.rate:
                ratio = b.load.rate / a.load.rate
                lines.append(
                    f"- target 2 processes ≥ {SCALE_TARGET:g}x one at {clients} clients{who}: "
                    f"{b.load.rate:.0f} vs {a.load.rate:.0f} req/s = {ratio:.2f}x → "
                    f"**{'MET' if ratio >= SCALE_TARGET else 'NOT MET'}**; per busy core "
                    f"{b.rate_per_busy_core:.0f} vs {a.rate_per_busy_core:.0f} req/s = "
                    f"{b.rate_per_busy_core / (a.rate_per_busy_core or 1):.2f}x "
                    f"({b.busy_cores:.2f} vs {a.busy_cores:.2f} cores busy)")
    for label, problems in checks.items():
        lines.append(f"- due digests with {label}: each posted exactly once → "
                     f"**{'; '.join(problems) if problems else 'yes, no duplicates'}**")
    lines.append(f"- items: one per successful answer, numbered 1..N, ids as answered → "
                 f"**{'; '.join(item_problems) if item_problems else 'exact'}**")
    return "\n".join(lines) + "\n"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = harness.parser_for("python -m bench.quick_add", __doc__)
    parser.add_argument("--clients", default=None, help="client counts (default 1,8,32; "
                        "8,32 with --scale)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per run")
    parser.add_argument("--references", default=",".join(REFERENCES),
                        help="reference apps to run too ('' for none)")
    parser.add_argument("--log-level", default="WARNING",
                        help="the bot's LOG_LEVEL (INFO writes one line per request)")
    parser.add_argument("--scale", action="store_true", help="1 vs 2 bot processes (PostgreSQL)")
    parser.add_argument("--ref-stack", default=harness.REFERENCE_HTTP_STACK,
                        choices=sorted(harness.STACKS),
                        help="the references' event loop and HTTP parser (default asyncio)")
    args = parser.parse_args(argv)
    default_clients = "8,32" if args.scale else "1,8,32"
    args.clients = [int(c) for c in (args.clients or default_clients).split(",")]
    args.references = [r for r in args.references.split(",") if r]
    unknown = set(args.references) - set(REFERENCES)
    if unknown:
        parser.error(f"unknown references {sorted(unknown)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.scale:
        reports = [run_scale(args)]
    else:
        reports = [render_backend(args, run_backend(args, backend))
                   for backend in harness.backends(args.backend)]
    for report in reports:
        harness.publish(report, keep=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
