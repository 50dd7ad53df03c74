"""Benchmark: `/tradeoff list` on a channel with 300 open items.

    python -m bench.list_items --backend sqlite|postgresql|both [--items 300]
        [--clients 1,8] [--duration 5] [--stacks asyncio,uvloop] [--repeat 1] [--profile]
        [--record]

A fresh database (migrated with `tradeoff migrate`) is seeded in bulk with one channel of
`--items` open items (realistic text, mixed sizes and urgencies, 0-8 votes each, as the digest
benchmark seeds them) and, for realism, 20 other channels of the same size in the workspace.
`tradeoff serve` then answers signed `/tradeoff list` commands from `clients` concurrent clients
for `--duration` seconds; every answer must list the channel's debt and feature counts.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench import harness
from bench.digest_build import seed
from bench.harness import Measured, Profiler, Server, measure, say
from bench.loadgen import Request, run_load
from bench.slack_payloads import slash_command
from bot.store.unit_of_work import Store

TEAM = "TLIST"
CHANNEL = "CLIST"
OTHER_CHANNELS = 20
P99_TARGET_MS = 30.0
WARMUP_S = 1.0


async def seed_channel(url: str, items: int, rng_seed: int) -> tuple[int, int]:
    """The channel under test and its neighbours; returns its (debt, feature) counts."""
    store = Store(url)
    try:
        channels = [(CHANNEL, items)] + [(f"COTHER{n:02d}", items) for n in range(OTHER_CHANNELS)]
        await seed(store, TEAM, channels, 8, random.Random(rng_seed), datetime.now(UTC), 0)
        async with store.unit_of_work() as uow:
            listed = await uow.items.list_open(TEAM, CHANNEL)
        debt = sum(1 for item in listed if item.kind.value == "debt")
        return debt, len(listed) - debt
    finally:
        await store.close()


def run_backend(
    args: argparse.Namespace, backend: str
) -> tuple[dict[str, str], list[Measured], dict[str, str], tuple[int, int]]:
    results: list[Measured] = []
    profiles: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="tradeoff-bench-logs-") as logs, \
            harness.fake_slack() as fake, \
            harness.fresh_databases(backend, args.pg_url,
                                    [f"list_{s}" for s in args.stacks]) as urls:
        log_dir = Path(logs)
        machine = harness.machine_info(backend, harness.server_version(backend, urls[0]))
        bots: dict[str, Server] = {}
        counts = (0, 0)
        for stack, url in zip(args.stacks, urls, strict=True):
            # The same seed, so every stack lists the very same items.
            harness.migrate(url, harness.clean_env())
            counts = asyncio.run(seed_channel(url, args.items, args.seed))
            bots[stack] = harness.bot_server(harness.stack_label("bot", stack, args.stacks), url,
                                             fake, log_dir, http_stack=stack)
        expected = [f"Tech debt ({counts[0]} open)".encode(),
                    f"Feature requests ({counts[1]} open)".encode()]

        def check(_n: int, status: int, body: bytes) -> str | None:
            if status != 200:
                return f"HTTP {status}"
            return None if all(e in body for e in expected) else "answer without the counts"

        def make(n: int) -> Request:
            return slash_command("/tradeoff", "list", team_id=TEAM, channel_id=CHANNEL,
                                 user_id=f"U{n % 40:05d}", response_url=fake.response_url("b"),
                                 n=n)

        with harness.running(*bots.values()):
            for clients in args.clients:
                for stack in harness.in_turns(args.stacks, args.repeat):
                    bot = bots[stack]
                    asyncio.run(run_load([bot.url], make, secret=harness.SIGNING_SECRET,
                                         clients=clients, duration=WARMUP_S, check=check))
                    label = f"{bot.name} list @{clients}"
                    profiler = (Profiler(bot, log_dir / f"list{clients}.raw", args.duration)
                                if args.profile and clients == 8 else None)
                    measured = measure(
                        label, [bot],
                        lambda clients=clients, bot=bot: run_load(
                            [bot.url], make, secret=harness.SIGNING_SECRET, clients=clients,
                            duration=args.duration, check=check),
                    )
                    measured.extra["server"] = bot.name
                    results.append(measured)
                    if profiler is not None:
                        profiles[label] = profiler.finish()
    return machine, results, profiles, counts


def render(args: argparse.Namespace, backend: str, machine: dict[str, str],
           results: list[Measured], profiles: dict[str, str], counts: tuple[int, int]) -> str:
    command = (f"python -m bench.list_items --backend {backend} --items {args.items} --clients "
               f"{','.join(map(str, args.clients))} --duration {args.duration:g} --stacks "
               f"{','.join(args.stacks)} --repeat {args.repeat}"
               + (" --profile" if args.profile else ""))
    postgres = backend == "postgresql"
    lines = [
        f"### list_items · {backend} · {machine['date']}",
        "",
        f"- command: `{command}`",
        f"- machine: {harness.machine_line(machine)}",
        f"- code: {machine['code']}",
        f"- data: one channel with {args.items} open items ({counts[0]} debt / {counts[1]} "
        f"features, 0-8 votes each) and {OTHER_CHANNELS} more channels of {args.items} items in "
        "the workspace",
        harness.load_note(results),
        harness.stack_line(args.stacks),
        "",
        "| server | clients | req/s | p50 ms | p99 ms | max ms | errors | server CPU ms/req |"
        + (" PostgreSQL CPU ms/req |" if postgres else ""),
        "|---|" + "---:|" * (8 if postgres else 7),
    ]
    for m in sorted(results, key=lambda m: (m.load.clients, m.extra["server"])):
        load = m.load
        pg = f" {m.postgres_ms_per_request:.2f} |" if postgres else ""
        lines.append(f"| {m.extra['server']} | {load.clients} | {load.rate:.0f} | "
                     f"{load.percentile_ms(50):.1f} | **{load.percentile_ms(99):.1f}** | "
                     f"{load.percentile_ms(100):.0f} | {load.error_count} | "
                     f"{m.cpu_ms_per_request:.2f} |{pg}")
    lines.append("")
    servers = list(dict.fromkeys(m.extra["server"] for m in results))
    if len(servers) == 2:
        parts = []
        for clients in args.clients:
            pairs = list(zip(*([m for m in results
                                if m.extra["server"] == name and m.load.clients == clients]
                               for name in servers), strict=False))
            parts.append(f"{clients} clients: {harness.pair_ratios(pairs)}")
        lines.append(f"- {servers[1]} against {servers[0]}, run by run: " + "; ".join(parts))
    for server in servers:
        for clients in args.clients:
            m = harness.median_run([r for r in results if r.extra["server"] == server
                                    and r.load.clients == clients])
            if m is None:
                continue
            p99 = m.load.percentile_ms(99)
            met = p99 <= P99_TARGET_MS and not m.load.errors
            lines.append(f"- target p99 ≤ {P99_TARGET_MS:g} ms at {clients} client"
                         f"{'s' if clients > 1 else ''}"
                         + (f" ({server})" if len(servers) > 1 else "")
                         + f": {p99:.1f} ms → **{'MET' if met else 'NOT MET'}**")
    for label, text in profiles.items():
        lines += ["", f"py-spy profile of {label}:", "", "```", text, "```"]
    return "\n".join(lines) + "\n"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = harness.parser_for("python -m bench.list_items", __doc__)
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--clients", default="1,8")
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    args.clients = [int(c) for c in args.clients.split(",")]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    for backend in harness.backends(args.backend):
        say(f"{backend}: /tradeoff list with {args.items} open items")
        harness.publish(render(args, backend, *run_backend(args, backend)), keep=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
