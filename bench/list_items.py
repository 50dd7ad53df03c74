"""Benchmark: `/tradeoff list` on a channel with 300 open items.

    python -m bench.list_items --backend sqlite|postgresql|both [--items 300]
        [--clients 1,8] [--duration 5] [--profile] [--record]

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
from bench.harness import Measured, Profiler, measure, say
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
            harness.fresh_database(backend, args.pg_url, "list") as url:
        log_dir = Path(logs)
        machine = harness.machine_info(backend, harness.server_version(backend, url))
        harness.migrate(url, harness.clean_env())
        counts = asyncio.run(seed_channel(url, args.items, args.seed))
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

        label = "bot"
        bot = harness.bot_server(label, url, fake, log_dir)
        with harness.running(bot):
            for clients in args.clients:
                asyncio.run(run_load([bot.url], make, secret=harness.SIGNING_SECRET,
                                     clients=clients, duration=WARMUP_S, check=check))
                profiler = (Profiler(bot, log_dir / f"list{clients}.raw", args.duration)
                            if args.profile and clients == 8 else None)
                results.append(measure(
                    f"{label} list @{clients}", [bot],
                    lambda clients=clients: run_load(
                        [bot.url], make, secret=harness.SIGNING_SECRET, clients=clients,
                        duration=args.duration, check=check),
                ))
                if profiler is not None:
                    profiles[f"{label} list @{clients}"] = profiler.finish()
    return machine, results, profiles, counts


def render(args: argparse.Namespace, backend: str, machine: dict[str, str],
           results: list[Measured], profiles: dict[str, str], counts: tuple[int, int]) -> str:
    command = (f"python -m bench.list_items --backend {backend} --items {args.items} --clients "
               f"{','.join(map(str, args.clients))} --duration {args.duration:g}"
               + (" --profile" if args.profile else ""))
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
        "",
        "| clients | req/s | p50 ms | p99 ms | max ms | errors | server CPU ms/req |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in results:
        load = m.load
        lines.append(f"| {load.clients} | {load.rate:.0f} | {load.percentile_ms(50):.1f} | "
                     f"**{load.percentile_ms(99):.1f}** | {load.percentile_ms(100):.0f} | "
                     f"{load.error_count} | {m.cpu_ms_per_request:.2f} |")
    lines.append("")
    for m in results:
        p99 = m.load.percentile_ms(99)
        met = p99 <= P99_TARGET_MS and not m.load.errors
        lines.append(f"- target p99 ≤ {P99_TARGET_MS:g} ms at {m.load.clients} client"
                     f"{'s' if m.load.clients > 1 else ''}: {p99:.1f} ms → "
                     f"**{'MET' if met else 'NOT MET'}**")
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
