"""Composition root: wires settings, the store, Slack and the scheduler for each way of running."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette

from bot.background import BackgroundTasks
from bot.chart_pool import ChartPool
from bot.config import ConfigError, Settings
from bot.credentials import SecretBox
from bot.loop_lag import LoopLagMonitor
from bot.scheduler import DigestScheduler
from bot.services.channel_canvas import CanvasRefused, refresh_canvas
from bot.services.digest_jobs import DigestJobs
from bot.services.housekeeping import keep_house
from bot.services.reminders import keep_reminding, send_due_reminders
from bot.services.sync_tracker import TrackerSync, keep_in_sync
from bot.services.tracker_access import TrackerFactory
from bot.services.workspace_lifecycle import workspace_installed
from bot.slack.app import create_app, create_web_client
from bot.slack.canvas_writer import SlackCanvasWriter
from bot.slack.digest_publisher import SlackDigestPublisher, WorkspacePublishers
from bot.slack.directory import SlackDirectoryClient
from bot.slack.errors import slack_error_code
from bot.slack.installations import InstallationStore, WorkspaceClients
from bot.slack.names import NameResolver
from bot.slack.pacing import ChannelPacer
from bot.slack.parent_refresher import ParentRefresher
from bot.slack.reminder_sender import SlackReminderSender
from bot.slack.voter_directory import VoterDirectory
from bot.store.errors import StoreUnavailable
from bot.store.unit_of_work import Store
from bot.trackers.factory import tracker_factory
from bot.web import create_asgi_app

logger = logging.getLogger(__name__)

SCHEDULER_RETRY_S = 15.0

_REJECTED = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}


@dataclass
class Runtime:
    """Everything listeners and jobs share in one process; listeners see it as SlackContext."""

    settings: Settings
    store: Store
    client: AsyncWebClient
    names: NameResolver
    refresher: ParentRefresher
    clients: WorkspaceClients
    publishers: WorkspacePublishers
    digests: DigestJobs
    charts: ChartPool
    installations: InstallationStore | None = None
    scheduler: DigestScheduler | None = None
    # Tracker credentials are sealed with it; None (no TRADEOFF_SECRET_KEY) refuses connecting.
    secret_box: SecretBox | None = None
    trackers: TrackerFactory | None = None
    tracker_sync: TrackerSync | None = None
    voters: VoterDirectory = field(default_factory=VoterDirectory)
    loop_lag: LoopLagMonitor = field(default_factory=LoopLagMonitor)
    tasks: BackgroundTasks = field(default_factory=BackgroundTasks)

    def publisher(self, client: AsyncWebClient | None = None) -> SlackDigestPublisher:
        return self.publishers.for_client(client or self.client)

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run work after the ack; the task is kept until it ends, and cancelled on stop."""
        self.tasks.spawn(work)

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
            self.spawn(self.digests.resume_unfinished())
            self.spawn(keep_house(self.store))
            self.spawn(keep_reminding(self.store, self._reminder_sender))
            if self.tracker_sync is not None:
                self.spawn(keep_in_sync(self.tracker_sync, self.settings.tracker_poll_interval))

    async def _reminder_sender(self, team_id: str) -> SlackReminderSender | None:
        client = await self.clients.for_team(team_id)
        return None if client is None else SlackReminderSender(client)

    async def send_reminders(self, now: datetime) -> int:
        """Send the sign-off reminders due by `now`; safe to run in every process at once."""
        return await send_due_reminders(self.store, self._reminder_sender, now)

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

    async def _start_scheduler_when_possible(self) -> None:
        while not await self.store.is_healthy():
            logger.warning("database unavailable; digests start when it answers")
            await asyncio.sleep(SCHEDULER_RETRY_S)
        await self._start_scheduler()

    async def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown()
        await self.refresher.idle()
        self.tasks.cancel_all()
        await self.loop_lag.stop()
        if self.tracker_sync is not None:
            await self.tracker_sync.aclose()
        # Waits for a chart being drawn: blocking, so not on the loop.
        await asyncio.to_thread(self.charts.shutdown)
        await self.store.close()


def build_runtime(
    settings: Settings, store: Store | None = None, *, charts: ChartPool | None = None
) -> Runtime:
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
    tasks = BackgroundTasks()
    charts = charts or ChartPool()
    publishers = WorkspacePublishers(
        clients, ChannelPacer(settings.digest_reply_interval), names, charts
    )
    runtime = Runtime(
        settings=settings,
        store=store,
        client=client,
        names=names,
        refresher=ParentRefresher(store, names, settings.parent_update_interval),
        clients=clients,
        publishers=publishers,
        digests=DigestJobs(store, publishers, tasks.spawn),
        charts=charts,
        installations=installations,
        tasks=tasks,
        secret_box=SecretBox(settings.secret_keys) if settings.secret_keys else None,
        trackers=tracker_factory(settings),
    )
    runtime.digests.after_posted = runtime.refresh_canvas_later
    if runtime.secret_box is not None and runtime.trackers is not None:
        runtime.tracker_sync = TrackerSync(
            store, runtime.secret_box, runtime.trackers,
            timedelta(seconds=settings.tracker_poll_interval),
            SlackDirectoryClient(clients, names),
        )
    if settings.scheduler != "off":
        runtime.scheduler = DigestScheduler(
            store, runtime.digests.run_scheduled_digest,
            sync_interval=settings.schedule_sync_interval,
        )
        runtime.digests.schedules = runtime.scheduler
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
