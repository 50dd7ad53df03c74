"""Benchmark: the first Monday of a month, when 100 channels' digests, each with its trends
chart, fall due at once; how late the bot's event loop runs, and how fast quick-adds are
answered meanwhile.

    python -m bench.month_start [--backend sqlite|postgresql|both] [--channels 100]
        [--clients 2] [--charts process,thread,inline] [--stacks asyncio,uvloop] [--repeat 1]
        [--record]

For each backend and each way of drawing charts: a fresh database migrated with `tradeoff
migrate`, the channels seeded with three open items and a digest due 30 minutes ago, then the
bot (the app `tradeoff serve` runs, under uvicorn, DIGEST_REPLY_INTERVAL=0) as its own
process, talking to the test suite's FakeSlack in this process. On "go" it runs every
channel's scheduled digest at once, as the scheduler does when they share a slot, while this
process sends closed-loop `/debt` quick-adds to it until the digests are done. The bot process
samples its own loop every 10 ms (bot.loop_lag) and reports the worst lag.

`process` is the bot as it ships (bot.chart_pool); `inline` draws on the event loop as the
bot did before, the reference; `thread` draws in a thread, to show what the GIL does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import harness
from bench.harness import say
from bench.loadgen import LoadResult, run_load
from bench.slack_payloads import slash_command
from bot.chart_pool import ChartPool
from bot.charts import render_trends_png
from bot.domain.trends import Trends
from bot.http_stack import DEFAULT_HTTP_STACK, STACKS

TEAM = "TMONTH"
QUICK_CHANNEL = "CQUICK"
LAG_TARGET_MS = 100.0
ACK_LIMIT_MS = 3000.0
_ID = re.compile(rb"\*D-(\d+)\*")


class ChartsOnTheLoop(ChartPool):
    """The reference: how the bot drew charts before bot.chart_pool."""

    async def render(self, trends: Trends, *, title: str) -> bytes:
        return render_trends_png(trends, title=title)


class ChartsInThreads(ChartPool):
    async def render(self, trends: Trends, *, title: str) -> bytes:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.workers)
        async with self._slots:
            return await asyncio.to_thread(render_trends_png, trends, title=title)


CHARTS = {"process": ChartPool, "thread": ChartsInThreads, "inline": ChartsOnTheLoop}


# --- the bot process ---------------------------------------------------------------------------


def run_bot_process(args: argparse.Namespace) -> None:
    """The bot process on the event loop of `--http-stack`, as `tradeoff serve` makes it."""
    stack = STACKS[args.http_stack]
    with asyncio.Runner(loop_factory=stack.loop_factory()) as runner:
        runner.run(bot_process(args.url, args.slack_url, args.port, args.bot_process,
                               args.channels, stack.http))


async def bot_process(url: str, slack_url: str, port: int, charts: str, channels: int,
                      http: str) -> None:
    import uvicorn

    from bot.config import Settings
    from bot.logs import configure_logging
    from bot.loop_lag import LoopLagMonitor
    from bot.runtime import build_runtime
    from bot.slack.app import create_app
    from bot.web import create_asgi_app

    configure_logging("WARNING", "json")
    settings = Settings(
        database_url=url, slack_api_url=slack_url, bot_token=harness.BOT_TOKEN,
        signing_secret=harness.SIGNING_SECRET, scheduler="off", digest_reply_interval=0,
    )
    runtime = build_runtime(settings, charts=CHARTS[charts]())
    server = uvicorn.Server(uvicorn.Config(
        create_asgi_app(create_app(runtime), runtime), host="127.0.0.1", port=port,
        log_level="warning", log_config=None, access_log=False, lifespan="on", http=http,
    ))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            serving.result()
        await asyncio.sleep(0.01)
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)

    monitor = LoopLagMonitor(tick_s=0.01, report_every_s=3600.0)
    monitor.start()
    cpu, started = time.process_time(), time.perf_counter()
    await asyncio.gather(
        *(runtime.digests.run_scheduled_digest(TEAM, f"CMONTH{n:03d}") for n in range(channels))
    )
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    await monitor.stop()
    print(json.dumps({"max_lag_ms": monitor.max_lag_ms, "seconds": seconds, "cpu_s": cpu,
                      "workers": runtime.charts.workers,
                      "loop": type(asyncio.get_running_loop()).__module__}), flush=True)
    # Serve on until the load generator's last requests are answered.
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    server.should_exit = True
    await serving


# --- this process: seeding, load and checks ----------------------------------------------------


async def seed(url: str, channels: int) -> None:
    """Three open items per channel and a weekly digest that fell due 30 minutes ago."""
    from bot.domain.channel_settings import WeeklySlot
    from bot.domain.items import Kind, make_draft
    from bot.services.channel_settings import set_schedule
    from bot.services.log_item import log_item
    from bot.store.unit_of_work import Store

    store = Store(url)
    due = (datetime.now(UTC) - timedelta(minutes=30)).replace(second=0, microsecond=0)
    slot = WeeklySlot(due.weekday(), due.time(), "UTC")
    try:
        for n in range(channels):
            channel = f"CMONTH{n:03d}"
            for k in range(3):
                await log_item(store, team_id=TEAM, channel_id=channel, author_id="ULEAD",
                               draft=make_draft(Kind.DEBT, f"Month debt {k}", "impact"))
            settings = await set_schedule(store, team_id=TEAM, channel_id=channel,
                                          user_id="ULEAD", slot=slot)
            # A schedule set after its slot does not fire for it (post_scheduled_digest): set
            # it a day before, so the slot is one that fell due while it was in force.
            async with store.unit_of_work() as uow:
                await uow.channels.save(
                    settings.with_changes(scheduled_since=due - timedelta(days=1)), "ULEAD", due
                )
                await uow.commit()
    finally:
        await store.close()


async def posted_runs(url: str) -> int:
    from sqlalchemy import text

    from bot.store.unit_of_work import Store

    store = Store(url)
    try:
        async with store.engine.connect() as conn:
            found = await conn.execute(
                text("SELECT count(*) FROM digest_runs WHERE team_id = :t AND status = 'complete'"),
                {"t": TEAM},
            )
            return int(found.scalar_one())
    finally:
        await store.close()


async def month_start(url: str, fake: Any, charts: str, stack: str, args: argparse.Namespace,
                      log: Path) -> dict[str, Any]:
    port = harness.free_port()
    with log.open("ab") as errors:
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.month_start", "--bot-process", charts,
            "--url", url, "--slack-url", fake.base_url, "--port", str(port),
            "--channels", str(args.channels), "--http-stack", stack,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=errors,
            cwd=harness.REPO_ROOT, env=harness.clean_env(),
        )
    assert bot.stdin is not None and bot.stdout is not None
    if (await asyncio.wait_for(bot.stdout.readline(), 60)).strip() != b"ready":
        raise RuntimeError(f"the bot did not start; see {log}")
    uploads_before = len(fake.calls_to("files.completeUploadExternal"))
    bot.stdin.write(b"go\n")
    await bot.stdin.drain()
    report = asyncio.ensure_future(bot.stdout.readline())
    load = LoadResult(clients=args.clients)

    def quick_add(n: int) -> Any:
        return slash_command("/debt", f"Month-start item {n} | impact", team_id=TEAM,
                             channel_id=QUICK_CHANNEL, user_id="UQUICK",
                             response_url=fake.response_url(), n=n)

    def check(_n: int, status: int, body: bytes) -> str | None:
        return None if status == 200 and _ID.search(body) else f"HTTP {status} without an id"

    while not report.done():
        chunk = await run_load([f"http://127.0.0.1:{port}/slack/events"], quick_add,
                               secret=harness.SIGNING_SECRET, clients=args.clients,
                               duration=1.0, check=check)
        load.latencies += chunk.latencies
        load.errors += chunk.errors
        load.seconds += chunk.seconds
    figures: dict[str, Any] = json.loads(await report)
    bot.stdin.write(b"stop\n")
    await bot.stdin.drain()
    await asyncio.wait_for(bot.wait(), 30)
    figures.update(
        charts=charts, stack=stack, load=load, posted=await posted_runs(url),
        uploads=len(fake.calls_to("files.completeUploadExternal")) - uploads_before,
    )
    return figures


def row(f: dict[str, Any], channels: int) -> str:
    load: LoadResult = f["load"]
    slow = sum(1 for s in load.latencies if s * 1000 > ACK_LIMIT_MS)
    return (
        f"| {f['stack']} ({f['loop']}) "
        f"| {f['charts']} ({f['workers']} worker{'s' if f['workers'] > 1 else ''}) "
        f"| **{f['max_lag_ms']:.0f} ms** | {load.percentile_ms(50):.1f} / "
        f"**{load.percentile_ms(99):.1f}** / {1000 * max(load.latencies or [0]):.0f} ms "
        f"| {len(load.latencies)} ({slow} over 3 s, {load.error_count} errors"
        f"{': ' + str(dict(load.errors)) if load.errors else ''}) "
        f"| {f['posted']}/{channels} posted, {f['uploads']} charts | {f['seconds']:.1f} s "
        f"({f['cpu_s']:.1f} s CPU in the bot's main process) |"
    )


def main() -> None:
    parser = harness.parser_for("bench.month_start", __doc__)
    parser.add_argument("--channels", type=int, default=100)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--charts", default="process,thread,inline")
    parser.add_argument("--bot-process", choices=sorted(CHARTS), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--slack-url", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--http-stack", default=DEFAULT_HTTP_STACK, help=argparse.SUPPRESS)
    parser.set_defaults(backend="sqlite")
    args = parser.parse_args()
    if args.bot_process:
        run_bot_process(args)
        return
    lines: list[str] = []
    with harness.fake_slack() as fake:
        for backend in harness.backends(args.backend):
            results = []
            machine: dict[str, str] = {}
            runs = [(charts, stack) for charts in args.charts.split(",")
                    for stack in harness.in_turns(args.stacks, args.repeat)]
            for charts, stack in runs:
                label = f"month_{charts}_{stack}"
                with harness.fresh_database(backend, args.pg_url, label) as url:
                    harness.migrate(url, harness.clean_env())
                    machine = machine or harness.machine_info(
                        backend, harness.server_version(backend, url)
                    )
                    asyncio.run(seed(url, args.channels))
                    say(f"{backend}: {args.channels} digests due, charts {charts}, {stack}")
                    log = Path(tempfile.gettempdir()) / f"bench-{label}-{backend}.log"
                    results.append(asyncio.run(month_start(url, fake, charts, stack, args, log)))
            first = args.charts.split(",")[0]
            shipped = [f for f in results if f["charts"] == first]
            worst = max(f["max_lag_ms"] for f in shipped)
            lines += [
                f"### month_start on {backend}: {args.channels} digests with charts due at once, "
                f"{args.clients} quick-add clients",
                "",
                f"`python -m bench.month_start --backend {backend} --channels {args.channels} "
                f"--clients {args.clients} --charts {args.charts} --stacks "
                f"{','.join(args.stacks)} --repeat {args.repeat}`, "
                f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {harness.machine_line(machine)}, "
                f"{harness.code_fingerprint()}, load average before "
                f"{harness.loadavg()}",
                "",
                "| HTTP stack (event loop) | charts drawn | max loop lag | quick-add p50 / p99 / "
                "max | quick-adds | digests | digest phase |",
                "|---|---|---|---|---|---|---|",
                *(row(f, args.channels) for f in results),
                "",
                f"Target: max loop lag ≤ {LAG_TARGET_MS:.0f} ms → "
                + ("**MET**" if worst <= LAG_TARGET_MS else "**NOT MET**")
                + f" ({first}: worst of {len(shipped)} run{'s' if len(shipped) > 1 else ''}, "
                f"{worst:.0f} ms).",
                "",
            ]
    harness.publish("\n".join(lines), keep=args.record)


if __name__ == "__main__":
    main()
