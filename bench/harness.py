"""What the HTTP benchmarks share: fresh databases, bot and reference processes, the fake Slack,
CPU and load readings, py-spy profiles and the results file."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy.engine import make_url

from bench.digest_build import _pg_admin, _plain_dsn, code_fingerprint, machine_info
from bench.loadgen import LoadResult
from bot.http_stack import DEFAULT_HTTP_STACK, STACKS
from tests.support.processes import clean_env, free_port

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_FILE = Path(__file__).resolve().parent / "RESULTS.md"
DEFAULT_PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-bench"
TRADEOFF = Path(sys.executable).parent / "tradeoff"
STARTUP_TIMEOUT_S = 30.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The naive stack the targets compare with runs on uvicorn as it was first measured: plain
# asyncio and h11 (uvicorn's "auto" would take uvloop and httptools whenever installed).
REFERENCE_HTTP_STACK = "asyncio"

__all__ = ["code_fingerprint", "machine_info"]


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def fake_slack() -> Any:
    """The test suite's FakeSlack: a real loopback HTTP server in a thread of this process."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from tests.fakes.slack_api import FakeSlack

    return FakeSlack(bot_token=BOT_TOKEN)


@contextlib.contextmanager
def fresh_database(backend: str, pg_url: str, label: str) -> Iterator[str]:
    """A database for this run only (SQLite file in a temp dir, or tradeoff_bench_<pid>_<label>
    on the server of pg_url), removed on the way out whatever happened."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"tradeoff-bench-{label}-") as directory:
            yield f"sqlite:///{directory}/bench.db"
        return
    name = f"tradeoff_bench_{os.getpid()}_{label}"
    admin = _plain_dsn(pg_url)
    asyncio.run(_pg_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_pg_admin(admin, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_pg_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def fresh_databases(backend: str, pg_url: str, labels: Sequence[str]) -> Iterator[list[str]]:
    """One fresh database per label, all removed on the way out."""
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(fresh_database(backend, pg_url, label)) for label in labels]


def server_version(backend: str, url: str) -> str | None:
    if backend != "postgresql":
        return None
    return asyncio.run(_pg_admin(_plain_dsn(url), "SELECT 1"))


def migrate(url: str, env: dict[str, str]) -> None:
    """`tradeoff migrate`, as an operator runs it."""
    subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [str(TRADEOFF), "migrate"], env={**env, "DATABASE_URL": url}, check=True,
        stdout=subprocess.DEVNULL,
    )


@dataclass
class Server:
    """One HTTP server process under test (the bot, or the reference app)."""

    name: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> None:
        self.port = free_port()
        env = {**self.env, "PORT": str(self.port), "HOST": "127.0.0.1"}
        with self.log_path.open("ab") as out:
            self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter / CLI
                self.command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO_ROOT
            )
        asyncio.run(self._wait_healthy())

    async def _wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                assert self.proc is not None
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited {self.proc.returncode}:\n{self.log()}")
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    url = f"http://127.0.0.1:{self.port}/healthz"
                    async with http.get(url) as response:
                        if response.status == 200:
                            return
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.name} not healthy within {STARTUP_TIMEOUT_S} s:\n{self.log()}")

    def cpu_seconds(self) -> float:
        """user + system CPU of the process so far (/proc/<pid>/stat)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def stop(self) -> None:
        """SIGTERM (uvicorn's graceful stop), then SIGKILL; only this process, by its handle."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def bot_server(
    name: str, url: str, fake: Any, log_dir: Path, *, scheduler: str = "off",
    http_stack: str = DEFAULT_HTTP_STACK, **extra_env: str,
) -> Server:
    """`tradeoff serve` as a separate process, on the given TRADEOFF_HTTP_STACK."""
    settings = {"LOG_LEVEL": "WARNING", **extra_env}
    env = clean_env(
        DATABASE_URL=url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.base_url, TRADEOFF_SCHEDULER=scheduler,
        DIGEST_REPLY_INTERVAL="0", TRADEOFF_HTTP_STACK=http_stack, **settings,
    )
    return Server(name, [str(TRADEOFF), "serve"], env, log_dir / f"{name}.log")


def reference_server(
    name: str, mode: str, bolt: str, url: str, fake: Any, log_dir: Path,
    http_stack: str = REFERENCE_HTTP_STACK,
) -> Server:
    env = clean_env(
        DATABASE_URL=url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.base_url,
    )
    command = [sys.executable, "-m", "bench.reference_app", "--mode", mode, "--bolt", bolt,
               "--http-stack", http_stack]
    return Server(name, command, env, log_dir / f"{name}.log")


@contextlib.contextmanager
def running(*servers: Server) -> Iterator[None]:
    try:
        for server in servers:
            server.start()
        yield
    finally:
        for server in servers:
            server.stop()


def loadavg() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


@dataclass
class Measured:
    """One load run against one or more server processes, with their CPU use."""

    label: str
    load: LoadResult
    cpu_s: float  # the servers' user+sys CPU during the run
    loadgen_cpu_s: float
    load_before: str
    wall_s: float = 0.0  # the whole measured run (for voting: until every vote is stored)
    postgres_cpu_s: float = 0.0  # every `postgres` process on the machine
    other_cpu_s: float = 0.0  # all CPU of the machine that was none of the above
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu_s / max(len(self.load.latencies), 1)

    @property
    def postgres_ms_per_request(self) -> float:
        return 1000 * self.postgres_cpu_s / max(len(self.load.latencies), 1)

    @property
    def busy_cores(self) -> float:
        """Cores kept busy on average by the servers, PostgreSQL and the load generator: what
        this run's throughput cost, whatever else shared the machine."""
        return (self.cpu_s + self.postgres_cpu_s + self.loadgen_cpu_s) / (self.wall_s or 1.0)

    @property
    def rate_per_busy_core(self) -> float:
        return self.load.rate / self.busy_cores if self.busy_cores else 0.0

    def summary(self) -> str:
        load = self.load
        errors = f", errors {dict(load.errors.most_common(3))}" if load.errors else ""
        return (f"{self.label}: {load.rate:.0f}/s p50 {load.percentile_ms(50):.1f} ms "
                f"p99 {load.percentile_ms(99):.1f} ms max {load.percentile_ms(100):.0f} ms "
                f"({len(load.latencies)} answered{errors}; server CPU "
                f"{self.cpu_ms_per_request:.2f} ms/req)")


def measure(label: str, servers: Sequence[Server], run: Any) -> Measured:
    """Run the coroutine factory `run()` and record the servers' and this process's CPU."""
    import resource

    before = loadavg()
    machine0, pg0 = machine_busy_seconds(), postgres_cpu_ticks()
    cpu0 = sum(s.cpu_seconds() for s in servers)
    own0 = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    load: LoadResult = asyncio.run(run())
    wall = time.perf_counter() - started
    own1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu1 = sum(s.cpu_seconds() for s in servers)
    machine1, pg = machine_busy_seconds(), postgres_cpu_since(pg0)
    own = (own1.ru_utime - own0.ru_utime) + (own1.ru_stime - own0.ru_stime)
    other = (machine1 - machine0) - (cpu1 - cpu0) - own - pg
    measured = Measured(label, load, cpu1 - cpu0, own, before, wall, pg, max(other, 0.0))
    say(measured.summary())
    return measured


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy since boot (/proc/stat: all but idle and iowait)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    values = [int(v) for v in fields[:8]]
    return (sum(values) - values[3] - values[4]) / CLOCK_TICKS


def postgres_cpu_ticks() -> dict[int, int]:
    """CPU so far, in clock ticks, of every process named `postgres` (server and backends),
    by pid."""
    ticks: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError):
            text = stat.read_text()
            if "(postgres)" in text:
                fields = text.rsplit(")", 1)[1].split()
                ticks[int(stat.parent.name)] = int(fields[11]) + int(fields[12])
    return ticks


def postgres_cpu_since(before: dict[int, int]) -> float:
    """CPU seconds PostgreSQL used since `before`, per process, so a backend that exited in
    between (another job's connection closing) does not take its whole life's CPU off the sum
    and make it negative; what an exiting backend used meanwhile is missed instead."""
    after = postgres_cpu_ticks()
    return sum(max(t - before.get(pid, 0), 0) for pid, t in after.items()) / CLOCK_TICKS


class Profiler:
    """py-spy sampling the server process during a run (no code change in the bot)."""

    def __init__(self, server: Server, out: Path, seconds: float) -> None:
        self.out = out
        command = [
            str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(server.pid),
            "--format", "raw", "--output", str(out), "--rate", "250",
            "--duration", str(max(1, round(seconds))), "--nonblocking",
        ]
        self._proc = subprocess.Popen(  # noqa: S603 - fixed arguments
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(0.3)  # py-spy attaches before the load starts

    def finish(self) -> str:
        try:
            self._proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=10)
        return summarize_profile(self.out)


_BUCKETS = (
    # (label, how the file of the sampled leaf frame starts, as py-spy prints it)
    ("SQLAlchemy ORM/Core (Python)", "sqlalchemy/"),
    ("asyncpg driver", "asyncpg/"),
    ("aiosqlite + sqlite3 (incl. its worker thread)", "aiosqlite/"),
    ("aiosqlite + sqlite3 (incl. its worker thread)", "sqlite3/"),
    ("Bolt (dispatch, middleware, signature check)", "slack_bolt/"),
    ("slack_sdk", "slack_sdk/"),
    ("uvicorn + h11 (HTTP)", "uvicorn/"),
    ("uvicorn + h11 (HTTP)", "h11/"),
    ("httptools (HTTP parser)", "httptools/"),
    ("uvloop event loop", "uvloop/"),
    ("Starlette", "starlette/"),
    ("greenlet", "greenlet/"),
    ("logging", "logging/"),
    ("asyncio event loop", "asyncio/"),
    ("waiting in epoll/select", "selectors.py"),
    ("threading (waits)", "threading.py"),
    ("bot code", "bot/"),
    ("json", "json/"),
    ("enum", "enum.py"),
)


def _frame_file(frame: str) -> str:
    # py-spy's raw frames look like "function (path/to/file.py:123)"
    return frame.rsplit("(", 1)[-1].rstrip(")")


def summarize_profile(path: Path, top: int = 12) -> str:
    """Where the samples are: by library (own time of the leaf frame) and the top functions by
    own and by inclusive samples, from py-spy's collapsed-stack output."""
    if not path.exists():
        return "(no profile written)"
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    buckets: Counter[str] = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [f for f in stack.split(";") if f and not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        total += count
        leaf = frames[-1]
        own[_short(leaf)] += count
        for frame in set(frames):
            inclusive[_short(frame)] += count
        leaf_file = _short(_frame_file(leaf))
        bucket = next(
            (label for label, start in _BUCKETS if leaf_file.startswith(start)), "other"
        )
        buckets[bucket] += count
    if not total:
        return "(profile empty)"
    lines = [f"{total} samples at 250 Hz (all threads); own time by library:"]
    lines += [f"  {100 * n / total:5.1f}%  {label}" for label, n in buckets.most_common()]
    lines.append("top functions by own samples:")
    lines += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(top)]
    lines.append("top functions by inclusive samples (bot and SQL entry points):")
    interesting = [
        (frame, n) for frame, n in inclusive.most_common()
        if "(bot/" in frame and "cli.py" not in frame
    ]
    lines += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in interesting[:top]]
    return "\n".join(lines)


def _short(frame: str) -> str:
    for prefix in (str(REPO_ROOT) + "/", sys.prefix + "/lib/python3.11/site-packages/",
                   sys.base_prefix + "/lib/python3.11/"):
        frame = frame.replace(prefix, "")
    return frame


def parser_for(prog: str, description: str | None) -> argparse.ArgumentParser:
    """The options every HTTP benchmark takes: --backend, --profile, --pg-url, --record."""
    parser = argparse.ArgumentParser(prog=prog, description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--profile", action="store_true", help="py-spy each server")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    parser.add_argument("--stacks", default=DEFAULT_HTTP_STACK, type=stack_list,
                        help="the bot's TRADEOFF_HTTP_STACK values to run, one after the other "
                        f"in the same run (default {DEFAULT_HTTP_STACK}; e.g. asyncio,uvloop)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per stack and client count, the stacks in turns (A B B A)")
    return parser


def stack_list(text: str) -> list[str]:
    """`asyncio,uvloop` -> ["asyncio", "uvloop"], every name one bot.http_stack knows."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in STACKS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"stacks are {', '.join(STACKS)}, got '{text}'")
    return names


def in_turns(stacks: Sequence[str], repeat: int) -> list[str]:
    """Which stack takes the load next: A B, then B A, then A B..., so neither always goes
    first while the machine's other load drifts (with repeat 2: A B B A)."""
    order: list[str] = []
    for n in range(max(repeat, 1)):
        order += list(stacks) if n % 2 == 0 else list(reversed(stacks))
    return order


def median_run(runs: Sequence[Measured]) -> Measured | None:
    """The run of median throughput (the lower middle one of an even count)."""
    ordered = sorted(runs, key=lambda m: m.load.rate)
    return ordered[(len(ordered) - 1) // 2] if ordered else None


def pair_ratios(pairs: Sequence[tuple[Measured, Measured]]) -> str:
    """`1.10x req/s, 0.90x CPU/req` for each (first, second) pair, then their medians."""
    rates = [b.load.rate / a.load.rate for a, b in pairs if a.load.rate]
    cpus = [b.cpu_ms_per_request / a.cpu_ms_per_request for a, b in pairs
            if a.cpu_ms_per_request]
    each = ", ".join(f"{r:.2f}x/{c:.2f}x" for r, c in zip(rates, cpus, strict=False))
    if not rates:
        return "-"
    return (f"req/s {statistics.median(rates):.2f}x, CPU/req {statistics.median(cpus):.2f}x "
            f"(median of {len(rates)}; each run req/s/CPU: {each})")


def stack_label(base: str, stack: str, stacks: Sequence[str]) -> str:
    """`bot` when one stack is run, `bot uvloop` when several are compared."""
    return base if len(stacks) == 1 else f"{base} {stack}"


def stack_line(stacks: Sequence[str], references: str | None = None) -> str:
    """The report line saying which event loop and HTTP parser each server ran on."""
    shown = ", ".join(f"{s} = {STACKS[s].loop} + {STACKS[s].http}" for s in stacks)
    line = f"- HTTP stack (TRADEOFF_HTTP_STACK) of the bot: {shown}"
    if references is not None:
        ref = STACKS[references]
        line += f"; the references: {ref.loop} + {ref.http}"
    return line


def backends(choice: str) -> tuple[str, ...]:
    return ("sqlite", "postgresql") if choice == "both" else (choice,)


def publish(report: str, *, keep: bool) -> None:
    """Print a results block, and append it to RESULTS.md when asked (--record)."""
    print(report, flush=True)
    if keep:
        record(report)


def record(report: str) -> None:
    with RESULTS_FILE.open("a", encoding="utf-8") as results:
        results.write("\n" + report)
    say(f"appended to {RESULTS_FILE}")


def machine_line(machine: dict[str, str]) -> str:
    return (f"nproc {machine['nproc']}, {machine['cpu']}, Python {machine['python']}, "
            f"SQLAlchemy {machine['sqlalchemy']}, {machine['database']}, {machine['platform']}")


def load_note(measured: Sequence[Measured]) -> str:
    """Whether other work shared the machine: the load average before each run (which also
    counts this benchmark's own previous runs) and the CPU used during the runs by processes
    that were neither the servers, this load generator nor PostgreSQL."""
    if not measured:
        return "- no runs"
    first = measured[0].load_before
    worst = max(float(m.load_before.split(" / ")[0]) for m in measured)
    seconds = sum(m.wall_s for m in measured)
    other = sum(m.other_cpu_s for m in measured)
    share = other / seconds if seconds else 0.0
    line = (f"- load average (1/5/15 min) before the first run {first}, highest 1-min value "
            f"before a run {worst:.2f}; during the runs, processes other than the servers, the "
            f"load generator and PostgreSQL used {other:.1f} CPU-s in {seconds:.0f} s "
            f"({100 * share:.0f}% of one core)")
    if share > 0.15:
        line += ": **other jobs were running on this machine during these runs**, so the "
        line += "figures may be low"
    return line
