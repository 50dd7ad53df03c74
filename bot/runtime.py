"""Composition root: wires settings, the store, Slack and the scheduler for each way of running."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette

from bot.chart_pool import ChartPool
from bot.config import ConfigError, Settings
from bot.credentials import SecretBox
from bot.domain.digest import compose_digest
from bot.domain.trends import Trends
from bot.loop_lag import LoopLagMonitor
from bot.scheduler import DigestScheduler
from bot.services.channel_canvas import CanvasRefused, refresh_canvas
from bot.services.post_digest import (
    MAX_LATENESS,
    DigestResult,
    Outcome,
    post_digest,
    post_digest_now,
    post_scheduled_digest,
)
from bot.services.reminders import send_due_reminders
from bot.services.sync_tracker import TrackerSync
from bot.services.tracker_access import TrackerFactory
from bot.services.trends import channel_trends
from bot.services.workspace_lifecycle import (
    purge_uninstalled_workspaces,
    workspace_installed,
)
from bot.slack.app import create_app, create_web_client
from bot.slack.canvas_writer import SlackCanvasWriter
from bot.slack.digest_publisher import SlackDigestPublisher
from bot.slack.directory import SlackDirectoryClient
from bot.slack.errors import slack_error_code
from bot.slack.installations import InstallationStore, WorkspaceClients
from bot.slack.names import NameResolver
from bot.slack.pacing import ChannelPacer
from bot.slack.parent_refresher import ParentRefresher
from bot.slack.reminder_sender import SlackReminderSender
from bot.slack.voter_directory import VoterDirectory
from bot.store.digest_repository import DigestRun, RunStatus
from bot.store.errors import StoreUnavailable
from bot.store.unit_of_work import Store
from bot.terminal_view import render_digest
from bot.trackers.factory import tracker_factory
from bot.web import create_asgi_app

logger = logging.getLogger(__name__)

SCHEDULER_RETRY_S = 15.0
# After another poster's lease ends, wait this much more before taking its digest over.
LEASE_MARGIN_S = 0.5
EVENT_MEMORY = timedelta(days=7)
HOUSEKEEPING_INTERVAL_S = 6 * 3600.0
# How often each process looks for trackers due a poll and write-backs due a try.
TRACKER_TICK_S = 15.0
REMINDER_INTERVAL_S = 300.0  # reminders are due by the hour; five minutes late is on time
# Scheduled digests posted at the same time by one process; each mostly waits on Slack's
# one-message-per-second pacing, so a handful keeps the database pool and Slack calm.
CONCURRENT_DIGESTS = 8

_REJECTED = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}


@dataclass
class Runtime:
    """Everything listeners and jobs share in one process."""

    settings: Settings
    store: Store
    client: AsyncWebClient
    pacer: ChannelPacer
    names: NameResolver
    refresher: ParentRefresher
    clients: WorkspaceClients
    installations: InstallationStore | None = None
    scheduler: DigestScheduler | None = None
    # Tracker credentials are sealed with it; None (no TRADEOFF_SECRET_KEY) refuses connecting.
    secret_box: SecretBox | None = None
    trackers: TrackerFactory | None = None
    tracker_sync: TrackerSync | None = None
    charts: ChartPool = field(default_factory=ChartPool)
    loop_lag: LoopLagMonitor = field(default_factory=LoopLagMonitor)
    voters: VoterDirectory = field(default_factory=VoterDirectory)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _digest_slots: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(CONCURRENT_DIGESTS)
    )

    def publisher(self, client: AsyncWebClient | None = None) -> SlackDigestPublisher:
        return SlackDigestPublisher(
            client or self.client, self.pacer, self.names, charts=self.charts
        )

    async def start(self) -> None:
        """Start the scheduler (per TRADEOFF_SCHEDULER); finish digests a crash left half-done.

        A database that is down at start delays the scheduler, not the HTTP endpoint.
        """
        self.loop_lag.start()
        if self.scheduler is None:
            return
        if await self.store.is_healthy():
            await self._start_scheduler()
        else:
            self.spawn(self._start_scheduler_when_possible())

    async def _start_scheduler(self) -> None:
        assert self.scheduler is not None
        await self.scheduler.start(paused=self.settings.scheduler == "paused")
        if self.settings.scheduler == "on":
            self.spawn(self.resume_unfinished())
            self.spawn(self._housekeeping())
            if self.tracker_sync is not None:
                self.spawn(self._tracker_loop(self.tracker_sync))
            self.spawn(self._reminders())

    async def _housekeeping(self) -> None:
        while True:
            try:
                await self.housekeeping(datetime.now(UTC))
            except Exception:
                # One bad run (a bug, a row we did not expect) must not end housekeeping for
                # the life of the process; the next run starts afresh.
                logger.exception("housekeeping failed; next run in %ss", HOUSEKEEPING_INTERVAL_S,
                                 extra={"job": "housekeeping"})
            await asyncio.sleep(HOUSEKEEPING_INTERVAL_S)

    async def _tracker_loop(self, sync: TrackerSync) -> None:
        """Poll the trackers whose turn it is (a lease in the database makes it once across
        processes) and send the write-backs that are due."""
        tick = min(TRACKER_TICK_S, self.settings.tracker_poll_interval)
        while True:
            try:
                await sync.poll_due(datetime.now(UTC))
                await sync.flush_writebacks(datetime.now(UTC))
            except StoreUnavailable as exc:
                logger.warning("tracker sync skipped: %s", exc)
            except Exception:
                logger.exception("tracker sync failed; next run in %ss", tick,
                                 extra={"job": "tracker_sync"})
            await asyncio.sleep(tick)

    async def housekeeping(self, now: datetime) -> None:
        """Forget old event ids (Slack retries within minutes, a week is plenty) and purge
        workspaces uninstalled more than 30 days ago. Idempotent: every process may run it."""
        try:
            async with self.store.unit_of_work() as uow:
                await uow.votes.forget_events_before(now - EVENT_MEMORY)
                await uow.trackers.forget_deliveries_before(now - EVENT_MEMORY)
                await uow.commit()
            for team_id in await purge_uninstalled_workspaces(self.store, now=now):
                logger.info("purged the data of uninstalled workspace %s", team_id,
                            extra={"job": "purge", "team": team_id})
        except StoreUnavailable as exc:
            logger.warning("housekeeping skipped: %s", exc)

    def refresh_canvas_later(
        self, team_id: str, channel_id: str, client: AsyncWebClient | None = None
    ) -> None:
        """Bring the channel canvas up to date in the background, when the channel keeps one."""
        self.spawn(self._refresh_canvas(team_id, channel_id, client))

    async def _refresh_canvas(
        self, team_id: str, channel_id: str, client: AsyncWebClient | None
    ) -> None:
        client = client or await self.clients.for_team(team_id)
        if client is None:
            return
        try:
            await refresh_canvas(
                self.store, SlackCanvasWriter(client), team_id=team_id, channel_id=channel_id
            )
        except (CanvasRefused, StoreUnavailable) as exc:
            logger.warning("canvas of %s not updated: %s", channel_id, exc)

    async def _reminders(self) -> None:
        while True:
            try:
                await self.send_reminders(datetime.now(UTC))
            except StoreUnavailable as exc:
                logger.warning("reminders skipped: %s", exc)
            except Exception:
                logger.exception("reminders failed; next run in %ss", REMINDER_INTERVAL_S,
                                 extra={"job": "reminder"})
            await asyncio.sleep(REMINDER_INTERVAL_S)

    async def send_reminders(self, now: datetime) -> int:
        """Send the sign-off reminders due by `now`; safe to run in every process at once."""

        async def sender_for(team_id: str) -> SlackReminderSender | None:
            client = await self.clients.for_team(team_id)
            return None if client is None else SlackReminderSender(client)

        return await send_due_reminders(self.store, sender_for, now)

    async def _start_scheduler_when_possible(self) -> None:
        while not await self.store.is_healthy():
            logger.warning("database unavailable; digests start when it answers")
            await asyncio.sleep(SCHEDULER_RETRY_S)
        await self._start_scheduler()

    async def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown()
        await self.refresher.idle()
        for task in list(self._tasks):
            task.cancel()
        await self.loop_lag.stop()
        if self.tracker_sync is not None:
            await self.tracker_sync.aclose()
        # Waits for a chart being drawn: blocking, so not on the loop.
        await asyncio.to_thread(self.charts.shutdown)
        await self.store.close()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run work after the ack; keep a reference so the task is not garbage-collected."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def run_scheduled_digest(self, team_id: str, channel_id: str) -> None:
        # Many channels share Monday 09:00: they queue for a few posting slots instead of all
        # taking a database connection and Slack's rate limit at once.
        started = time.perf_counter()
        async with self._digest_slots:
            client = await self._client_for(team_id, channel_id)
            if client is None:
                return
            result = await post_scheduled_digest(
                self.store, self.publisher(client), team_id=team_id, channel_id=channel_id
            )
        await self._after_digest(team_id, channel_id, result, started)

    async def _client_for(self, team_id: str, channel_id: str) -> AsyncWebClient | None:
        client = await self.clients.for_team(team_id)
        if client is None:
            # Uninstalled: the schedule stays, so a reinstall picks it up again.
            logger.info(
                "digest skipped: workspace %s has no installation", team_id,
                extra={"job": "digest", "team": team_id, "channel": channel_id,
                       "outcome": "not_installed"},
            )
        return client

    async def post_now(
        self, team_id: str, channel_id: str, client: AsyncWebClient | None = None
    ) -> DigestResult:
        """`/tradeoff digest` and `tradeoff digest`: finish an unfinished digest, else post one."""
        started = time.perf_counter()
        client = client or await self.clients.for_team(team_id)
        if client is None:
            return DigestResult(Outcome.FAILED, error="not_installed")
        result = await post_digest_now(
            self.store, self.publisher(client), team_id=team_id, channel_id=channel_id
        )
        await self._after_digest(team_id, channel_id, result, started)
        return result

    async def resume_unfinished(self) -> None:
        """Complete digests whose poster died mid-thread, if they are recent enough to matter."""
        async with self.store.unit_of_work() as uow:
            runs = await uow.digests.unfinished(datetime.now(UTC) - MAX_LATENESS)
        for run in runs:
            result = await self._resume(run)
            if result is not None and result.outcome is Outcome.IN_PROGRESS:
                # Another poster's lease: alive and posting, or dead a moment ago. Look again
                # when the lease runs out; a live poster will have renewed it by then.
                self.spawn(self._resume_when_lease_ends(run))

    async def _resume(self, run: DigestRun) -> DigestResult | None:
        started = time.perf_counter()
        async with self._digest_slots:
            client = await self._client_for(run.team_id, run.channel_id)
            if client is None:
                return None
            result = await post_digest(
                self.store, self.publisher(client), team_id=run.team_id,
                channel_id=run.channel_id, slot_key=run.slot_key,
            )
        await self._after_digest(run.team_id, run.channel_id, result, started)
        return result

    async def _resume_when_lease_ends(self, run: DigestRun) -> None:
        while True:
            try:
                async with self.store.unit_of_work() as uow:
                    current = await uow.digests.find_by_id(run.id)
            except StoreUnavailable as exc:
                logger.warning("digest %s not resumed: %s", run.id, exc)
                return
            if current is None or current.status is not RunStatus.POSTING:
                return
            lease_end = current.lease_until or datetime.now(UTC)
            await asyncio.sleep(
                max(0.0, (lease_end - datetime.now(UTC)).total_seconds()) + LEASE_MARGIN_S
            )
            result = await self._resume(current)
            if result is None or result.outcome is not Outcome.IN_PROGRESS:
                return

    async def _after_digest(
        self, team_id: str, channel_id: str, result: DigestResult | None, started: float
    ) -> None:
        if result is not None:
            fields = {
                "job": "digest", "team": team_id, "channel": channel_id,
                "outcome": result.outcome.value, "replies": result.replies_posted,
                "error": result.error,
                "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            }
            shown = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
            logger.info("digest %s", shown, extra=fields)
        if result is not None and result.outcome in (Outcome.POSTED, Outcome.RESUMED):
            self.refresh_canvas_later(team_id, channel_id)
        if result is not None and result.outcome is Outcome.PAUSED and self.scheduler:
            async with self.store.unit_of_work() as uow:
                settings = await uow.channels.get(team_id, channel_id)
            self.scheduler.apply(settings)


def build_runtime(settings: Settings, store: Store | None = None) -> Runtime:
    store = store or Store(settings.database_url)
    names = NameResolver()
    client = create_web_client(settings)
    installations = None
    clients = WorkspaceClients(client)
    if settings.multi_workspace:
        assert settings.client_id is not None and settings.client_secret is not None
        installations = InstallationStore(settings.client_id, store)
        rotator = AsyncTokenRotator(
            client_id=settings.client_id, client_secret=settings.client_secret, client=client
        )
        clients = WorkspaceClients(client, installations, rotator)
    runtime = Runtime(
        settings=settings,
        store=store,
        client=client,
        pacer=ChannelPacer(settings.digest_reply_interval),
        names=names,
        refresher=ParentRefresher(store, names, settings.parent_update_interval),
        clients=clients,
        installations=installations,
        secret_box=SecretBox(settings.secret_keys) if settings.secret_keys else None,
        trackers=tracker_factory(settings),
    )
    if runtime.secret_box is not None and runtime.trackers is not None:
        runtime.tracker_sync = TrackerSync(
            store, runtime.secret_box, runtime.trackers,
            timedelta(seconds=settings.tracker_poll_interval),
            SlackDirectoryClient(clients, names),
        )
    if settings.scheduler != "off":
        runtime.scheduler = DigestScheduler(
            store, runtime.run_scheduled_digest, sync_interval=settings.schedule_sync_interval
        )
    return runtime


def build_http_app(settings: Settings, store: Store | None = None) -> Starlette:
    """The ASGI app `tradeoff serve` runs (tests run the same one)."""
    runtime = build_runtime(settings, store)
    return create_asgi_app(create_app(runtime), runtime)


async def verify_slack_token(settings: Settings) -> None:
    """Fail fast on a token Slack rejects; only warn when Slack can't be reached right now.

    The workspace the token belongs to is installed, whatever an earlier uninstall said.
    """
    client = AsyncWebClient(token=settings.bot_token, base_url=settings.slack_api_url, timeout=5)
    try:
        answer = await client.auth_test()
    except SlackApiError as exc:
        error = slack_error_code(exc)
        if error in _REJECTED:
            raise ConfigError(f"Slack rejected SLACK_BOT_TOKEN ({error})") from exc
        logger.warning("auth.test answered %s; starting anyway", error)
        return
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        logger.warning(
            "could not reach Slack at %s (%s); starting anyway", settings.slack_api_url, exc
        )
        return
    team_id = answer.get("team_id")
    if isinstance(team_id, str) and team_id:
        store = Store(settings.database_url)
        try:
            if await workspace_installed(store, team_id=team_id):
                logger.info("workspace %s is back; its pending purge is cancelled", team_id)
        finally:
            await store.close()


def socket_mode_handler(runtime: Runtime) -> AsyncSocketModeHandler:
    """The Socket Mode connection; its Web API calls (apps.connections.open) use SLACK_API_URL."""
    return AsyncSocketModeHandler(create_app(runtime), runtime.settings.app_token)


async def run_socket_mode(settings: Settings) -> None:
    """Serve over Socket Mode until interrupted."""
    runtime = build_runtime(settings)
    await runtime.start()
    try:
        await socket_mode_handler(runtime).start_async()  # type: ignore[no-untyped-call]
    finally:
        await runtime.stop()


async def print_or_post_digest(
    settings: Settings, team_id: str, channel_id: str, *, dry_run: bool
) -> tuple[str, bool]:
    """`tradeoff digest`: the digest as text (dry run), or the outcome of posting it."""
    store = Store(settings.database_url)
    try:
        if dry_run:
            async with store.unit_of_work() as uow:
                channel = await uow.channels.get(team_id, channel_id)
                items = await uow.items.list_open(team_id, channel_id)
            digest = compose_digest(items, channel, datetime.now(UTC))
            return render_digest(digest, channel=channel_id), True
        runtime = build_runtime(settings.with_scheduler("off"), store)
        result = await runtime.post_now(team_id, channel_id)
    finally:
        await store.close()
    ok = result.outcome in (Outcome.POSTED, Outcome.RESUMED, Outcome.SKIPPED_QUIET)
    detail = f" ({result.error})" if result.error else ""
    replies = f", {result.replies_posted} thread replies" if result.parent_ts else ""
    return f"digest {result.outcome.value}{detail}{replies}", ok


async def load_trends(
    settings: Settings, team_id: str, channel_id: str, weeks: int
) -> tuple[Trends, bytes | None]:
    """`tradeoff trends`: the channel's trends from the database, and their chart unless
    there is no history to draw."""
    store = Store(settings.database_url)
    charts = ChartPool(workers=1)
    try:
        data = await channel_trends(store, team_id=team_id, channel_id=channel_id, weeks=weeks)
        return data, None if data.is_empty else await charts.render(data, title=data.chart_title)
    finally:
        charts.shutdown()
        await store.close()
