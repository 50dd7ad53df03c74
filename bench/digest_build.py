"""Benchmark: build and post the weekly digest for many channels at once.

    python -m bench.digest_build --backend sqlite|postgresql --channels 1000 --items 100 \
        [--variant render|http] [--concurrency 8] [--record] [--profile]

What one run does:

1. Creates a database of its own (a SQLite file in a temp dir, or `tradeoff_bench_<pid>` on the
   PostgreSQL server of `--pg-url`), migrates it with the bot's Alembic migrations and seeds it
   with bulk INSERTs: `--channels` channels x `--items` open items (realistic text lengths, a mix
   of sizes, urgencies and votes), a channel_settings row per channel and `--history` past
   weekly digests per channel with a decision each (PostgreSQL is then ANALYZEd, as autovacuum
   would have done).
2. Runs the digest phase in a fresh child process, started before seeding so that its peak RSS
   is the digest's alone and not the seeding's (Linux copies a parent's RSS into a forked
   child's ru_maxrss; VmHWM is reported too): every
   channel goes through `bot.services.post_digest.post_digest`, `--concurrency` channels at once
   (an asyncio semaphore, the way a scheduler firing many channels would run them). Variant
   `render` uses a publisher that builds the Block Kit messages (and JSON-encodes them, as a
   client must) and answers at once; variant `http` uses the bot's `SlackDigestPublisher` with
   the production Web API client against the test suite's `FakeSlack` (served by this parent
   process, so the child's RSS and CPU are the bot's only). No channel starts after `--budget`
   seconds (the report then extrapolates), so a run always ends by itself.
3. Counts SQL statements per channel with an SQLAlchemy `before_cursor_execute` hook, and checks
   that the count does not grow with the number of items: one channel at a time with
   `--scaling` items (default 10, 100, 300), in the same (full) database.
4. Prints a results block (machine, figures); `--record` appends it to bench/RESULTS.md.
   The database is dropped at the end, whatever happened.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import hashlib
import io
import json
import os
import platform
import pstats
import random
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg  # type: ignore[import-untyped]
import sqlalchemy
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import event, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.chart_pool import ChartPool
from bot.config import Settings
from bot.domain.digest import Digest
from bot.domain.scoring import Ranked
from bot.domain.trends import Trends
from bot.gc_tuning import tune_gc_for_serving
from bot.services.ports import DigestPublisher, ReplyKey
from bot.services.post_digest import DigestResult, post_digest
from bot.slack.app import create_web_client
from bot.slack.blocks.digest import parent_message, reply_message
from bot.slack.digest_metadata import parent_metadata, reply_metadata
from bot.slack.digest_publisher import SlackDigestPublisher
from bot.slack.pacing import ChannelPacer
from bot.store.migrate import upgrade_to_head
from bot.store.models import (
    ChannelSettingsRow,
    DecisionItemRow,
    DecisionRow,
    DigestRunRow,
    ItemRow,
    VoteRow,
)
from bot.store.unit_of_work import Store

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_FILE = Path(__file__).resolve().parent / "RESULTS.md"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
BENCH_TOKEN = "xoxb-bench"
TARGET_SECONDS = 10.0
TARGET_CHANNELS = 1000
BENCH_TEAM = "TBENCH"
SEED_BATCH = 5_000
CHILD_MARKER = "BENCH-CHILD-RESULT "
HARD_STOP_AFTER_BUDGET_S = 60.0
DEFAULT_BUDGET_S = 120.0
DEFAULT_MAX_VOTES = 8
DEFAULT_HISTORY = 6
NOT_STARTED = "not started (budget)"
SIZES = ("XS", "S", "M", "L", "XL", None)
URGENCIES = ("low", "medium", "high", None)
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney")
_WORD_TEXT = (
    "cache invalidation billing export retry queue webhook checkout latency index migration "
    "schema session token refresh login onboarding dashboard report filter search pagination "
    "timeout flaky test pipeline deploy rollback config secret rotation audit log metrics alert "
    "on-call incident customer invoice tax rounding currency locale translation mobile push "
    "notification email bounce spam legacy monolith service boundary contract API versioning "
    "rate limit throttling batch job scheduler cron drift clock skew upload image resize CDN "
    "storage quota cleanup orphaned rows foreign key constraint deadlock lock contention pool "
    "connection leak memory growth garbage collection startup time cold start feature flag "
    "experiment cohort funnel conversion churn renewal trial upgrade downgrade seat permission "
    "role admin SSO SAML SCIM provisioning directory sync import CSV mapping validation error "
    "message copy accessibility keyboard contrast dark mode settings page"
)
WORDS = tuple(_WORD_TEXT.split(" "))
# Occasional characters that the digest must escape, and a mention-looking token.
SPICE = ("&", "<b>", "R&D", "a > b", "<@U123>", "50% & more")


# --------------------------------------------------------------------------------------------
# Test data


def _text(rng: random.Random, low: int, high: int, spice: float = 0.05) -> str:
    target = rng.randint(low, high)
    words: list[str] = []
    length = 0
    while length < target:
        word = rng.choice(SPICE) if rng.random() < spice else rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    text = " ".join(words)[:target].rstrip()
    return text[:1].upper() + text[1:]


def _impact(rng: random.Random) -> str:
    text = _text(rng, 100, 400)
    if rng.random() < 0.2 and len(text) > 120:  # some impacts are written as two paragraphs
        cut = text.find(" ", len(text) // 2)
        if cut > 0:
            text = f"{text[:cut]}.\n{text[cut + 1:]}"
    return text


def channel_id(index: int) -> str:
    return f"C{index:07d}"


@dataclass
class SeedStats:
    channels: int
    items: int
    votes: int
    decisions: int
    seconds: float


async def seed(
    store: Store,
    team_id: str,
    channel_items: Sequence[tuple[str, int]],
    max_votes: int,
    rng: random.Random,
    now: datetime,
    history: int = 0,
) -> SeedStats:
    """Bulk-insert open items, their votes, a settings row for each channel and `history` past
    weekly digests per channel, each with a decision of a few items."""
    started = time.perf_counter()
    numbers = {"debt": 0, "feature": 0}
    items: list[dict[str, Any]] = []
    for channel, count in channel_items:
        for _ in range(count):
            kind = "debt" if rng.random() < 0.5 else "feature"
            numbers[kind] += 1
            created = now - timedelta(days=rng.uniform(0, 180))
            items.append({
                "team_id": team_id,
                "channel_id": channel,
                "kind": kind,
                "number": numbers[kind],
                "title": _text(rng, 40, 120),
                "impact": _impact(rng),
                "size": rng.choice(SIZES),
                "urgency": rng.choice(URGENCIES),
                "interest": (
                    round(rng.uniform(0.5, 12), 1) if kind == "debt" and rng.random() < 0.4
                    else None
                ),
                "author_id": f"U{rng.randint(1, 200):05d}",
                "status": "open",
                "created_at": created,
                "updated_at": created,
            })
    settings = [
        {
            "team_id": team_id, "channel_id": channel, "digest_weekday": 0,
            "digest_time": "09:00", "timezone": ZONES[index % len(ZONES)], "quiet": False,
            "budget_pct": 20, "capacity": 20, "replies_per_kind": 10, "updated_by": "UADMIN",
            "updated_at": now,
        }
        for index, (channel, _count) in enumerate(channel_items)
    ]
    async with store.engine.begin() as conn:
        for start in range(0, len(items), SEED_BATCH):
            await conn.execute(insert(ItemRow), items[start:start + SEED_BATCH])
        for start in range(0, len(settings), SEED_BATCH):
            await conn.execute(insert(ChannelSettingsRow), settings[start:start + SEED_BATCH])
    async with store.engine.connect() as conn:
        ids = (
            await conn.scalars(
                select(ItemRow.id).where(ItemRow.team_id == team_id).order_by(ItemRow.id)
            )
        ).all()
    votes: list[dict[str, Any]] = []
    for item_id in ids:
        count = 0 if rng.random() < 0.35 else rng.randint(1, max_votes) if max_votes else 0
        first = rng.randint(0, 999)
        votes.extend(
            {
                "item_id": item_id,
                "user_id": f"U{(first + n) % 1000:05d}",
                "created_at": now - timedelta(days=rng.uniform(0, 30)),
            }
            for n in range(count)
        )
    async with store.engine.begin() as conn:
        for start in range(0, len(votes), SEED_BATCH):
            await conn.execute(insert(VoteRow), votes[start:start + SEED_BATCH])
    decisions = await _seed_history(store, team_id, items, history, rng, now)
    if store.engine.dialect.name == "postgresql":
        # What autovacuum does within a minute of a bulk load; without statistics the planner
        # seq-scans votes for `item_id IN (...)`. SQLite gets no ANALYZE: the bot never runs one.
        async with store.engine.begin() as conn:  # committed: ANALYZE is transactional
            await conn.execute(text("ANALYZE"))
    return SeedStats(
        channels=len(channel_items), items=len(items), votes=len(votes), decisions=decisions,
        seconds=time.perf_counter() - started,
    )


def _past_digest_times(now: datetime, weeks: int) -> list[datetime]:
    """One a week back from `now`, except that the newest is always earlier this month: the
    measured digest is then an ordinary week's, whatever the date, not the month's first,
    which also computes the trends chart (bench.month_start measures that one)."""
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    times = [now - timedelta(weeks=week + 1) for week in range(weeks)]
    if times and times[0] < month_start:
        times[0] = month_start + (now - month_start) / 2
    return times


async def _seed_history(
    store: Store,
    team_id: str,
    items: Sequence[dict[str, Any]],
    weeks: int,
    rng: random.Random,
    now: datetime,
) -> int:
    """Completed digest runs of past weeks, each with the decision the channel took on it."""
    by_channel: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_channel.setdefault(item["channel_id"], []).append(item)
    if weeks < 1 or not by_channel:
        return 0
    when = _past_digest_times(now, weeks)
    runs = [
        {
            "team_id": team_id, "channel_id": channel, "slot_key": f"history:{week}",
            "status": "complete", "parent_ts": f"1690000000.{week:06d}",
            "created_at": when[week], "completed_at": when[week],
        }
        for channel in by_channel
        for week in range(weeks)
    ]
    async with store.engine.begin() as conn:
        for start in range(0, len(runs), SEED_BATCH):
            await conn.execute(insert(DigestRunRow), runs[start:start + SEED_BATCH])
        run_rows = (
            await conn.execute(
                select(DigestRunRow.id, DigestRunRow.channel_id, DigestRunRow.created_at)
                .where(DigestRunRow.team_id == team_id)
                .order_by(DigestRunRow.id)
            )
        ).all()
        # Decisions are numbered per channel, oldest 1 (a unique key), as the bot numbers them.
        numbered = sorted(run_rows, key=lambda row: (row[1], row[2]))
        first_of = {channel: n for n, (_, channel, _) in reversed(list(enumerate(numbered)))}
        decisions = [
            {
                "team_id": team_id, "channel_id": channel, "run_id": run_id,
                "number": 1 + n - first_of[channel],
                "lead_id": "ULEAD", "pm_id": "UPM", "capacity": 20, "budget_pct": 20,
                "decided_at": created + timedelta(hours=rng.uniform(1, 48)),
            }
            for n, (run_id, channel, created) in enumerate(numbered)
        ]
        for start in range(0, len(decisions), SEED_BATCH):
            await conn.execute(insert(DecisionRow), decisions[start:start + SEED_BATCH])
        decision_rows = (
            await conn.execute(
                select(DecisionRow.id, DecisionRow.channel_id)
                .where(DecisionRow.team_id == team_id)
                .order_by(DecisionRow.id)
            )
        ).all()
        picked: list[dict[str, Any]] = []
        for decision_id, channel in decision_rows:
            for item in rng.sample(by_channel[channel], min(4, len(by_channel[channel]))):
                points = {"XS": 1, "S": 2, "M": 3, "L": 5, "XL": 8}.get(item["size"] or "M", 3)
                picked.append({
                    "decision_id": decision_id, "item_kind": item["kind"],
                    "item_number": item["number"], "title": item["title"],
                    "size_points": points, "votes": rng.randint(0, 8),
                    "score": round(rng.uniform(0.2, 8), 1),
                })
        for start in range(0, len(picked), SEED_BATCH):
            await conn.execute(insert(DecisionItemRow), picked[start:start + SEED_BATCH])
    return len(decision_rows)


# --------------------------------------------------------------------------------------------
# Measuring


_SELECT_TOKENS = re.compile(r"\bFROM\s+(\w+|\()|\(|\)", re.IGNORECASE)
_TABLE_AFTER = {
    "INSERT": re.compile(r"^INSERT\s+INTO\s+(\w+)", re.IGNORECASE),
    "UPDATE": re.compile(r"^UPDATE\s+(\w+)", re.IGNORECASE),
    "DELETE": re.compile(r"^DELETE\s+FROM\s+(\w+)", re.IGNORECASE),
}


def statement_label(sql: str, executemany: bool) -> str:
    """`SELECT items`, `UPDATE digest_messages`: the verb and the first table of a statement."""
    text = sql.lstrip()
    verb = text.split(None, 1)[0].upper() if text else "?"
    table: str | None = None
    if verb == "SELECT":
        # The first FROM outside parentheses: the main table, not a subquery's; when that FROM
        # reads a derived table, the first table the derived table reads.
        depth, main = 0, 0
        for token in _SELECT_TOKENS.finditer(text):
            if token.group(1) == "(":
                depth += 1
                if depth == main + 1:
                    main = depth
            elif token.group(0) == "(":
                depth += 1
            elif token.group(0) == ")":
                depth -= 1
            elif token.group(1) and depth == main:
                table = token.group(1)
                break
    elif (pattern := _TABLE_AFTER.get(verb)) and (match := pattern.search(text)):
        table = match.group(1)
    label = f"{verb} {table}" if table else verb
    return f"{label} (executemany)" if executemany else label


class SqlCounter:
    """Counts statements (by verb and table, with the time spent in them), commits and pool
    checkouts of one engine. A statement's time runs from before to after the cursor call: the
    database's work, the driver's round trip (aiosqlite's thread hop) and any lock wait."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.statements = 0
        self.commits = 0
        self.checkouts = 0
        self.by_label: Counter[str] = Counter()
        self.seconds_by_label: Counter[str] = Counter()
        sync_engine = engine.sync_engine
        event.listen(sync_engine, "before_cursor_execute", self._on_execute)
        event.listen(sync_engine, "after_cursor_execute", self._on_executed)
        event.listen(sync_engine, "commit", self._on_commit)
        event.listen(sync_engine, "checkout", self._on_checkout)

    def _on_execute(
        self, conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any,
        executemany: bool,
    ) -> None:
        label = statement_label(statement, executemany)
        self.statements += 1
        self.by_label[label] += 1
        conn.info["bench_started"] = (label, time.perf_counter())

    def _on_executed(
        self, conn: Any, _cursor: Any, _statement: str, _params: Any, _context: Any,
        _executemany: bool,
    ) -> None:
        started = conn.info.pop("bench_started", None)
        if started is not None:
            self.seconds_by_label[started[0]] += time.perf_counter() - started[1]

    def _on_commit(self, _conn: Any) -> None:
        self.commits += 1

    def _on_checkout(self, _dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        self.checkouts += 1

    def reset(self) -> None:
        self.statements = self.commits = self.checkouts = 0
        self.by_label.clear()
        self.seconds_by_label.clear()

    def snapshot(self) -> dict[str, Any]:
        return {
            "statements": self.statements,
            "commits": self.commits,
            "checkouts": self.checkouts,
            "by_label": dict(sorted(self.by_label.items())),
            "seconds_by_label": dict(self.seconds_by_label.most_common()),
        }


class RenderOnlyPublisher:
    """A DigestPublisher that builds the Block Kit messages, JSON-encodes them like a client
    would, and returns a fake ts at once: no network."""

    def __init__(self) -> None:
        self.messages = 0
        self.payload_bytes = 0
        self.trends = 0

    async def post_parent(self, channel_id: str, digest: Digest) -> str:
        metadata = parent_metadata(digest.run_id) if digest.run_id is not None else None
        return self._keep(parent_message(digest), metadata)

    async def post_reply(
        self, channel_id: str, thread_ts: str, ranked: Ranked, digest: Digest, key: ReplyKey
    ) -> str:
        return self._keep(reply_message(ranked, digest), reply_metadata(key))

    async def posted_replies(self, channel_id: str, thread_ts: str, run_id: int) -> dict[int, str]:
        return {}  # every run is fresh: nothing to reconcile

    async def posted_parent(self, channel_id: str, run_id: int, since: datetime) -> str | None:
        return None

    async def post_trends(self, channel_id: str, thread_ts: str, trends: Trends) -> None:
        # The first digest of a month carries a chart; rendering it is not storage work, and
        # bench.trends_render measures it on its own.
        self.trends += 1

    def _keep(self, message: dict[str, Any], metadata: dict[str, Any] | None = None) -> str:
        payload = {"text": message["text"], "blocks": message["blocks"], "metadata": metadata}
        self.payload_bytes += len(json.dumps(payload))
        self.messages += 1
        seconds, micros = divmod(self.messages, 1_000_000)
        return f"{1_700_000_000 + seconds}.{micros:06d}"


class TimedPublisher:
    """Wraps a publisher and records how long each post took (rendering, and HTTP if any)."""

    def __init__(self, inner: DigestPublisher) -> None:
        self._inner = inner
        self.durations: list[float] = []

    async def post_parent(self, channel_id: str, digest: Digest) -> str:
        started = time.perf_counter()
        try:
            return await self._inner.post_parent(channel_id, digest)
        finally:
            self.durations.append(time.perf_counter() - started)

    async def post_reply(
        self, channel_id: str, thread_ts: str, ranked: Ranked, digest: Digest, key: ReplyKey
    ) -> str:
        started = time.perf_counter()
        try:
            return await self._inner.post_reply(channel_id, thread_ts, ranked, digest, key)
        finally:
            self.durations.append(time.perf_counter() - started)

    async def posted_replies(self, channel_id: str, thread_ts: str, run_id: int) -> dict[int, str]:
        return await self._inner.posted_replies(channel_id, thread_ts, run_id)

    async def posted_parent(self, channel_id: str, run_id: int, since: datetime) -> str | None:
        return await self._inner.posted_parent(channel_id, run_id, since)

    async def post_trends(self, channel_id: str, thread_ts: str, trends: Trends) -> None:
        await self._inner.post_trends(channel_id, thread_ts, trends)


def _proc_status_kib(field_name: str) -> int:
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    return 0


def rss_now_kib() -> int:
    """Current resident set size of this process, in KiB (Linux /proc VmRSS)."""
    return _proc_status_kib("VmRSS")


def rss_high_water_kib() -> int:
    """Peak RSS of this process's own address space, in KiB (Linux /proc VmHWM)."""
    return _proc_status_kib("VmHWM")


def peak_rss_kib() -> int:
    """ru_maxrss, in KiB on Linux. Caveat: Linux carries the parent's RSS at fork/vfork over
    into a child's ru_maxrss, which is why the digest child is started before seeding."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _percentile(values: Sequence[float], pct: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


# --------------------------------------------------------------------------------------------
# The digest phase (runs in a fresh child process)


@dataclass
class ChildSpec:
    url: str
    team_id: str
    channels: int
    variant: str
    concurrency: int
    slack_base_url: str | None
    http_session: str
    profile: bool
    budget: float
    start_at: float = 0.0  # wall clock (time.time()) at which the phase starts
    slot_key: str = ""  # the same for processes side by side, so that they race for each run


async def _run_channels(
    store: Store, publisher: DigestPublisher, spec: ChildSpec, slot_key: str, now: datetime
) -> tuple[list[float], Counter[str], Counter[str]]:
    """Every channel through post_digest, `concurrency` at once; none starts after the budget."""
    semaphore = asyncio.Semaphore(spec.concurrency)
    durations: list[float] = []
    outcomes: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    deadline = time.perf_counter() + spec.budget

    async def one(index: int) -> None:
        async with semaphore:
            started = time.perf_counter()
            if started > deadline:
                outcomes[NOT_STARTED] += 1
                return
            try:
                result: DigestResult = await post_digest(
                    store, publisher, team_id=spec.team_id, channel_id=channel_id(index),
                    slot_key=slot_key, now=now,
                )
            except Exception as exc:  # a benchmark counts failures instead of stopping
                errors[f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"] += 1
                return
            finally:
                durations.append(time.perf_counter() - started)
            outcomes[result.outcome.value] += 1
            if result.error:
                errors[result.error[:120]] += 1

    # Channels already running when the budget runs out may finish; a hung one may not.
    async with asyncio.timeout(spec.budget + HARD_STOP_AFTER_BUDGET_S):
        await asyncio.gather(*(one(index) for index in range(spec.channels)))
    return durations, outcomes, errors


def _profile_text(profile: cProfile.Profile, sort: str, limit: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats(sort).print_stats(limit)
    lines = out.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    prefixes = sorted({str(REPO_ROOT) + "/", sys.prefix + "/", sys.base_prefix + "/"}, key=len)
    text = "\n".join(line.rstrip() for line in lines[start:] if line.strip())
    for prefix in reversed(prefixes):
        text = text.replace(prefix, "")
    return text


async def digest_phase(spec: ChildSpec) -> dict[str, Any]:
    store = Store(spec.url)
    counter = SqlCounter(store.engine)
    session: aiohttp.ClientSession | None = None
    charts: ChartPool | None = None
    render: RenderOnlyPublisher | None = None
    publisher: DigestPublisher
    try:
        if not await store.is_healthy():  # also opens the first pooled connection
            raise RuntimeError(f"database {spec.url} does not answer")
        if spec.variant == "render":
            render = RenderOnlyPublisher()
            publisher = render
        else:
            assert spec.slack_base_url is not None
            client = create_web_client(
                Settings(bot_token=BENCH_TOKEN, slack_api_url=spec.slack_base_url)
            )
            if spec.http_session == "shared":
                session = aiohttp.ClientSession()
                client = AsyncWebClient(
                    token=client.token, base_url=client.base_url, timeout=client.timeout,
                    retry_handlers=client.retry_handlers, session=session,
                )
            charts = ChartPool()
            publisher = SlackDigestPublisher(client, ChannelPacer(0), charts=charts)
        timed = TimedPublisher(publisher)
        publisher = timed
        counter.reset()
        now = datetime.now(UTC)
        slot_key = spec.slot_key or f"bench:{uuid.uuid4().hex[:12]}"
        rss_before = rss_now_kib()
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        profile = cProfile.Profile() if spec.profile else None
        # Several digest processes start together, as their schedulers fire at the same slot.
        await asyncio.sleep(max(0.0, spec.start_at - time.time()))
        wall_started = time.time()
        started = time.perf_counter()
        if profile is not None:
            profile.enable()
        durations, outcomes, errors = await _run_channels(store, publisher, spec, slot_key, now)
        if profile is not None:
            profile.disable()
        seconds = time.perf_counter() - started
        wall_ended = time.time()
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        sql = counter.snapshot()
    finally:
        if charts is not None:
            charts.shutdown()
        if session is not None:
            await session.close()
        await store.close()
    return {
        "seconds": seconds,
        "wall_started": wall_started,
        "wall_ended": wall_ended,
        "durations": durations,
        "durations_ms": {
            "p50": 1000 * _percentile(durations, 50),
            "p95": 1000 * _percentile(durations, 95),
            "max": 1000 * max(durations, default=0.0),
        },
        "outcomes": dict(outcomes),
        "errors": dict(errors.most_common(5)),
        "error_count": sum(errors.values()),
        "sql": sql,
        "cpu_user_s": cpu_after.ru_utime - cpu_before.ru_utime,
        "cpu_sys_s": cpu_after.ru_stime - cpu_before.ru_stime,
        "rss_before_kib": rss_before,
        "rss_after_kib": rss_now_kib(),
        "peak_rss_kib": peak_rss_kib(),
        "hwm_rss_kib": rss_high_water_kib(),
        "budget": spec.budget,
        "posts": {
            "count": len(timed.durations),
            "total_s": sum(timed.durations),
            "mean_ms": 1000 * statistics.fmean(timed.durations) if timed.durations else 0.0,
            "p95_ms": 1000 * _percentile(timed.durations, 95),
        },
        "messages": render.messages if render else None,
        "payload_bytes": render.payload_bytes if render else None,
        "profile_cumulative": _profile_text(profile, "cumulative", 25) if profile else None,
        "profile_tottime": _profile_text(profile, "tottime", 15) if profile else None,
    }


def child_main() -> int:
    """The digest process: started early (small), waits for its spec on stdin, reports JSON."""
    raw_spec = sys.stdin.readline()
    if not raw_spec.strip():
        return 2  # the parent gave up before the digest phase
    # The digest runs inside the serving bot, whose collector is tuned once it has started.
    tune_gc_for_serving()
    result = asyncio.run(digest_phase(ChildSpec(**json.loads(raw_spec))))
    print(CHILD_MARKER + json.dumps(result), flush=True)
    return 0


# --------------------------------------------------------------------------------------------
# The parent: database, seed, child, statement scaling, report


@contextlib.contextmanager
def bench_database(backend: str, pg_url: str) -> Iterator[str]:
    """A database of this run only; removed on the way out, whatever happened."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="tradeoff-bench-") as directory:
            yield f"sqlite:///{directory}/bench.db"
        return
    name = f"tradeoff_bench_{os.getpid()}"
    admin = _plain_dsn(pg_url)
    asyncio.run(_pg_admin(admin, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_pg_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _plain_dsn(url: str) -> str:
    """The URL as asyncpg itself takes it (no `+driver`)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _pg_admin(dsn: str, sql: str) -> str:
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        await conn.execute(sql)
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


async def seed_main(
    url: str, channels: int, items: int, max_votes: int, rng_seed: int, history: int
) -> SeedStats:
    store = Store(url)
    try:
        return await seed(
            store, BENCH_TEAM, [(channel_id(i), items) for i in range(channels)], max_votes,
            random.Random(rng_seed), datetime.now(UTC), history,
        )
    finally:
        await store.close()


@dataclass
class ScalingRow:
    items: int
    debt: int
    features: int
    replies: int
    statements: int
    reply_updates: int
    commits: int
    checkouts: int
    ms: float
    list_open_ms: float
    by_label: dict[str, int] = field(default_factory=dict)


async def statement_scaling(
    url: str, sizes: Sequence[int], max_votes: int, rng_seed: int, history: int
) -> list[ScalingRow]:
    """One channel per size in a workspace of its own, digested one at a time, counted exactly."""
    store = Store(url)
    team = f"TSCALE{os.getpid()}"
    channels = [(f"CS{size:05d}", size) for size in sizes]
    rows: list[ScalingRow] = []
    try:
        await seed(
            store, team, channels, max_votes, random.Random(rng_seed + 1), datetime.now(UTC),
            history,
        )
        counter = SqlCounter(store.engine)
        await store.is_healthy()
        for channel, size in channels:
            publisher = RenderOnlyPublisher()
            counter.reset()
            started = time.perf_counter()
            result = await post_digest(
                store, publisher, team_id=team, channel_id=channel,
                slot_key=f"scale:{uuid.uuid4().hex[:8]}",
            )
            ms = 1000 * (time.perf_counter() - started)
            snap = counter.snapshot()  # before the look-up below, which is not the digest's
            async with store.unit_of_work() as uow:
                settings = await uow.channels.get(team, channel)
                open_items = await uow.items.list_open(team, channel)
            debt = sum(1 for item in open_items if item.kind.value == "debt")
            limit = settings.replies_per_kind
            rows.append(ScalingRow(
                items=size, debt=debt, features=size - debt,
                replies=result.replies_posted,
                statements=snap["statements"],
                reply_updates=snap["by_label"].get("UPDATE digest_messages", 0),
                commits=snap["commits"], checkouts=snap["checkouts"], ms=ms,
                list_open_ms=1000 * snap["seconds_by_label"].get("SELECT items", 0.0),
                by_label=snap["by_label"],
            ))
            assert result.replies_posted == min(debt, limit) + min(size - debt, limit)
    finally:
        await store.close()
    return rows


def code_fingerprint() -> str:
    """Which bot/ was measured (others edit it; no VCS here): a hash of its Python sources."""
    digest = hashlib.sha256()
    files = sorted((REPO_ROOT / "bot").rglob("*.py"))
    newest = 0.0
    for path in files:
        digest.update(str(path.relative_to(REPO_ROOT)).encode())
        digest.update(path.read_bytes())
        newest = max(newest, path.stat().st_mtime)
    changed = datetime.fromtimestamp(newest, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"bot/ sha256 {digest.hexdigest()[:12]} ({len(files)} files, last change {changed})"


def machine_info(backend: str, server_version: str | None) -> dict[str, str]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    database = (
        f"SQLite {sqlite3.sqlite_version} (aiosqlite, WAL)" if backend == "sqlite"
        else f"PostgreSQL {server_version} (asyncpg, loopback)"
    )
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(nproc),
        "cpu": model,
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "database": database,
        "platform": platform.platform(terse=True),
        "code": code_fingerprint(),
    }


class DigestChild:
    """The fresh process the digest phase runs in.

    It is started before seeding, while this process is still small: Linux copies the parent's
    RSS into a forked child's ru_maxrss, so a child started after seeding would report the
    seeding's peak as its own.
    """

    def __init__(self) -> None:
        command = [sys.executable, "-m", "bench.digest_build", "--child"]
        self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )

    def run(self, spec: ChildSpec) -> dict[str, Any]:
        self.start(spec)
        return self.result(spec)

    def start(self, spec: ChildSpec) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps(asdict(spec)) + "\n")
        self._process.stdin.flush()

    def result(self, spec: ChildSpec) -> dict[str, Any]:
        stdout, _ = self._process.communicate(
            timeout=spec.budget + HARD_STOP_AFTER_BUDGET_S + 120,
        )
        for line in stdout.splitlines():
            if line.startswith(CHILD_MARKER):
                return dict(json.loads(line.removeprefix(CHILD_MARKER)))
        raise RuntimeError(f"digest child exited {self._process.returncode} without a result")

    def close(self) -> None:
        """Stop the child if it is still running (only this one process, by its handle)."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=10)


def merge_children(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One result for digest processes that ran side by side: wall time from the first start
    to the last end, everything else summed (memory: the largest process)."""
    if len(results) == 1:
        return dict(results[0])
    merged = dict(results[0])
    merged["seconds"] = (
        max(r["wall_ended"] for r in results) - min(r["wall_started"] for r in results)
    )
    durations = [d for r in results for d in r["durations"]]
    merged["durations"] = durations
    merged["durations_ms"] = {
        "p50": 1000 * _percentile(durations, 50),
        "p95": 1000 * _percentile(durations, 95),
        "max": 1000 * max(durations, default=0.0),
    }
    outcomes: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    by_label: Counter[str] = Counter()
    seconds_by_label: Counter[str] = Counter()
    for r in results:
        outcomes.update(r["outcomes"])
        errors.update(r["errors"])
        by_label.update(r["sql"]["by_label"])
        seconds_by_label.update(r["sql"]["seconds_by_label"])
    merged["outcomes"] = dict(outcomes)
    merged["errors"] = dict(errors.most_common(5))
    merged["sql"] = {
        **{key: sum(r["sql"][key] for r in results)
           for key in ("statements", "commits", "checkouts")},
        "by_label": dict(sorted(by_label.items())),
        "seconds_by_label": dict(seconds_by_label.most_common()),
    }
    for key in ("error_count", "cpu_user_s", "cpu_sys_s", "messages", "payload_bytes"):
        values = [r[key] for r in results]
        merged[key] = None if None in values else sum(values)
    for key in ("rss_before_kib", "rss_after_kib", "peak_rss_kib", "hwm_rss_kib"):
        merged[key] = max(r[key] for r in results)
    count = sum(r["posts"]["count"] for r in results)
    total = sum(r["posts"]["total_s"] for r in results)
    merged["posts"] = {
        "count": count, "total_s": total, "mean_ms": 1000 * total / count if count else 0.0,
        "p95_ms": max(r["posts"]["p95_ms"] for r in results),
    }
    return merged


def _mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def _command_line(args: argparse.Namespace) -> str:
    command = (
        f"python -m bench.digest_build --backend {args.backend} --channels {args.channels} "
        f"--items {args.items} --variant {args.variant} --concurrency {args.concurrency}"
    )
    if args.processes != 1:
        command += f" --processes {args.processes}"
    if args.variant == "http":
        command += f" --http-session {args.http_session}"
    if args.history != DEFAULT_HISTORY:
        command += f" --history {args.history}"
    if args.max_votes != DEFAULT_MAX_VOTES:
        command += f" --max-votes {args.max_votes}"
    if args.budget != DEFAULT_BUDGET_S:
        command += f" --budget {args.budget:g}"
    return command + (" --profile" if args.profile else "")


def render_report(
    args: argparse.Namespace,
    machine: dict[str, str],
    seeded: SeedStats,
    child: dict[str, Any],
    scaling: list[ScalingRow],
    http_calls: int | None,
    parent_peak_kib: int,
) -> str:
    seconds = float(child["seconds"])
    sql = child["sql"]
    not_started = int(child["outcomes"].get(NOT_STARTED, 0))
    # With several processes every channel is tried by each (as by each one's scheduler):
    # one claims it, the others find it taken; only channels none of them started are missing.
    posted = sum(child["outcomes"].get(o, 0) for o in ("posted", "resumed", "skipped_quiet"))
    done = seeded.channels - not_started if args.processes == 1 else posted
    per_channel_ms = 1000 * seconds / max(done, 1)
    lines = [
        f"### digest_build · {args.backend} · {args.variant} · {machine['date']}",
        "",
        f"- command: `{_command_line(args)}`"
        + (" (cProfile on: timings include its overhead)" if args.profile else ""),
        f"- machine: nproc {machine['nproc']}, {machine['cpu']}, Python {machine['python']}, "
        f"SQLAlchemy {machine['sqlalchemy']}, {machine['database']}, {machine['platform']}",
        f"- code: {machine['code']}",
        f"- data: {seeded.channels} channels x {args.items} open items = {seeded.items} items, "
        f"{seeded.votes} votes, {seeded.decisions} past digests with a decision each; "
        f"replies_per_kind 10 (1 parent + up to 20 replies per channel); "
        f"seeded in {seeded.seconds:.1f} s",
    ]
    durations = child["durations_ms"]
    lines.append(
        f"- **digest phase: {seconds:.2f} s for {done} channels** "
        f"({per_channel_ms:.2f} ms/channel of wall time, {done / seconds:.1f} channels/s), "
        f"concurrency {args.concurrency}"
        + (f" in each of {args.processes} processes racing for every channel"
           if args.processes > 1 else "")
        + f"; per-channel latency p50 {durations['p50']:.1f} ms, "
        f"p95 {durations['p95']:.1f} ms, max {durations['max']:.1f} ms"
    )
    if not_started:
        lines.append(
            f"- stopped at the {child['budget']:g} s budget: {not_started} of {seeded.channels} "
            f"channels not started; at the measured rate all {seeded.channels} would take "
            f"~{per_channel_ms * seeded.channels / 1000:.0f} s"
        )
    if args.variant == "render" and seeded.channels >= TARGET_CHANNELS:
        met = (not_started == 0 and done == seeded.channels and seconds < TARGET_SECONDS
               and child["error_count"] == 0)
        lines.append(f"- target (< {TARGET_SECONDS:g} s for {TARGET_CHANNELS} channels, no "
                     f"failures): **{'MET' if met else 'NOT MET'}**")
    elif args.variant == "http":
        lines.append(f"- extrapolated to {TARGET_CHANNELS} channels at this per-channel cost: "
                     f"~{per_channel_ms * TARGET_CHANNELS / 1000:.0f} s (end to end over HTTP; "
                     f"the 10 s target is for rendering and storage only)")
    cpu_s = child["cpu_user_s"] + child["cpu_sys_s"]
    lines.append(
        f"- digest process{'es' if args.processes > 1 else ''} CPU: user "
        f"{child['cpu_user_s']:.2f} s + sys {child['cpu_sys_s']:.2f} s "
        f"({100 * cpu_s / seconds:.0f}% of one core; {1000 * cpu_s / max(done, 1):.1f} ms per "
        f"channel)"
    )
    outcome_text = ", ".join(f"{k} {v}" for k, v in sorted(child["outcomes"].items()))
    lines.append(f"- outcomes: {outcome_text or 'none'}; failed channels/errors: "
                 f"{child['error_count']}"
                 + (f" {child['errors']}" if child["error_count"] else ""))
    if child["messages"] is not None:
        lines.append(f"- messages built: {child['messages']} "
                     f"({child['payload_bytes'] / 1e6:.1f} MB of Block Kit JSON)")
    posts = child["posts"]
    what = "build + JSON-encode" if args.variant == "render" else "build + HTTP round trip"
    lines.append(
        f"- publisher calls ({what}): {posts['count']}, mean {posts['mean_ms']:.2f} ms, "
        f"p95 {posts['p95_ms']:.2f} ms; summed {posts['total_s']:.2f} s"
    )
    if http_calls is not None:
        lines.append(f"- FakeSlack answered {http_calls} chat.postMessage calls over loopback "
                     f"HTTP (it ran in the parent process, not in the measured one)")
    lines.append(
        f"- SQL, whole phase / channels started: **{sql['statements'] / max(done, 1):.1f} "
        f"statements**, {sql['commits'] / max(done, 1):.1f} commits, "
        f"{sql['checkouts'] / max(done, 1):.1f} pool checkouts per channel"
    )
    sql_total = sum(sql["seconds_by_label"].values())
    top = ", ".join(
        f"{label} {1000 * secs / max(done, 1):.1f}"
        for label, secs in list(sql["seconds_by_label"].items())[:4]
    )
    lines.append(
        f"- time inside SQL statements (summed over concurrent channels; includes driver round "
        f"trips and lock waits): {sql_total:.1f} s = {1000 * sql_total / max(done, 1):.1f} "
        f"ms/channel; largest, ms/channel: {top}"
    )
    lines.append(
        f"- **peak RSS of the digest process: {_mib(child['hwm_rss_kib'])}** (fresh process, "
        f"VmHWM; ru_maxrss {_mib(child['peak_rss_kib'])}; {_mib(child['rss_before_kib'])} "
        f"before the phase, {_mib(child['rss_after_kib'])} after); the seeding process peaked "
        f"at {_mib(parent_peak_kib)}"
    )
    if scaling:
        lines += [
            "",
            "Statements per channel vs open items (one channel at a time, same database, "
            "render publisher):",
            "",
            "| open items | debt / features | thread replies | statements | of which per-reply "
            "UPDATE | all other | commits | checkouts | ms total | ms in SELECT items |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in scaling:
            lines.append(
                f"| {row.items} | {row.debt} / {row.features} | {row.replies} | "
                f"{row.statements} | {row.reply_updates} | {row.statements - row.reply_updates} "
                f"| {row.commits} | {row.checkouts} | {row.ms:.1f} | {row.list_open_ms:.1f} |"
            )
        mix = ", ".join(f"{label} x{count}" for label, count in scaling[-1].by_label.items())
        lines += ["", f"Statement mix at {scaling[-1].items} items: {mix}."]
    if child.get("profile_cumulative"):
        lines += [
            "", "cProfile of the digest phase, top by cumulative time:", "", "```",
            child["profile_cumulative"], "```", "", "Top by own time:", "", "```",
            child["profile_tottime"], "```",
        ]
    return "\n".join(lines) + "\n"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.digest_build",
        description="Digest build benchmark: N channels x M open items through post_digest.",
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--channels", type=int, default=None,
                        help="channels to digest (default 1000 for render, 100 for http)")
    parser.add_argument("--items", type=int, default=100, help="open items per channel")
    parser.add_argument("--variant", choices=("render", "http"), default="render")
    parser.add_argument("--concurrency", type=int, default=8, help="channels digested at once")
    parser.add_argument("--processes", type=int, default=1,
                        help="digest processes side by side, each trying every channel as each "
                             "bot process's scheduler does; the claim decides (render only)")
    parser.add_argument("--max-votes", type=int, default=DEFAULT_MAX_VOTES,
                        help="votes per item are 0 (35%%) or 1..N (default %(default)s)")
    parser.add_argument("--history", type=int, default=DEFAULT_HISTORY,
                        help="past weekly digests per channel, each with a decision of 4 items "
                             "(default %(default)s)")
    parser.add_argument("--http-session", choices=("per-call", "shared"), default="per-call",
                        help="http variant: the bot's client (a new aiohttp session per call) "
                             "or one shared session, for comparison")
    parser.add_argument("--scaling", default="10,100,300",
                        help="items per channel for the statement-count check ('' skips it)")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL),
                        help="PostgreSQL server (a database of its own is created there)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the test data")
    parser.add_argument("--budget", type=float, default=DEFAULT_BUDGET_S,
                        help="seconds after which no further channel is started; the report "
                             "extrapolates (default %(default)s)")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the digest phase and add the top functions to the report")
    parser.add_argument("--record", action="store_true", help="append the block to RESULTS.md")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.channels is None:
        args.channels = 1000 if args.variant == "render" else 100
    if args.channels < 1 or args.items < 0 or args.concurrency < 1 or args.budget <= 0:
        parser.error("--channels, --concurrency and --budget must be positive")
    if args.processes < 1 or (args.processes > 1 and (args.variant != "render" or args.profile)):
        parser.error("--processes is a positive count; above 1 only for --variant render, "
                     "without --profile")
    return args


def _fake_slack() -> Any:
    """The test suite's FakeSlack (a real loopback HTTP server), imported from the repo."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from tests.fakes.slack_api import FakeSlack

    return FakeSlack(bot_token=BENCH_TOKEN)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child_main()
    sizes = [int(size) for size in args.scaling.split(",") if size.strip()]
    started = time.perf_counter()
    digest_children = [DigestChild() for _ in range(args.processes)]
    digest_child = digest_children[0]
    try:
        with bench_database(args.backend, args.pg_url) as url:
            server_version = (
                asyncio.run(_pg_admin(_plain_dsn(url), "SELECT 1"))
                if args.backend == "postgresql" else None
            )
            machine = machine_info(args.backend, server_version)
            _say(f"migrating and seeding {args.channels} x {args.items} items on {args.backend}")
            upgrade_to_head(url)
            seeded = asyncio.run(
                seed_main(
                    url, args.channels, args.items, args.max_votes, args.seed, args.history
                )
            )
            _say(f"seeded {seeded.items} items, {seeded.votes} votes in {seeded.seconds:.1f} s; "
                 f"digest phase ({args.variant}, concurrency {args.concurrency}, budget "
                 f"{args.budget:g} s)")
            spec = ChildSpec(
                url=url, team_id=BENCH_TEAM, channels=args.channels, variant=args.variant,
                concurrency=args.concurrency, slack_base_url=None,
                http_session=args.http_session, profile=args.profile, budget=args.budget,
            )
            http_calls: int | None = None
            if args.variant == "http":
                with _fake_slack() as fake:
                    spec.slack_base_url = fake.base_url
                    child = digest_child.run(spec)
                    http_calls = len(fake.calls_to("chat.postMessage"))
            else:
                spec.start_at = time.time() + 2.0 * args.processes  # time for each to connect
                spec.slot_key = f"bench:{uuid.uuid4().hex[:12]}"
                for each in digest_children:
                    each.start(spec)
                child = merge_children([each.result(spec) for each in digest_children])
            _say(f"digest phase {child['seconds']:.2f} s; statement scaling at {sizes} items")
            scaling = asyncio.run(statement_scaling(
                url, sizes, args.max_votes, args.seed, args.history
            ))
    finally:
        for each in digest_children:
            each.close()
    report = render_report(args, machine, seeded, child, scaling, http_calls, peak_rss_kib())
    print(report, flush=True)
    _say(f"total run {time.perf_counter() - started:.0f} s")
    if args.record:
        with RESULTS_FILE.open("a", encoding="utf-8") as results:
            results.write("\n" + report)
        _say(f"appended to {RESULTS_FILE}")
    return 0 if child["error_count"] == 0 else 1


def _say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
