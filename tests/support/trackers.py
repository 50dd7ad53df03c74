"""A bot under test connected to the fake GitHub: settings, roles, a connected channel and a
decision that plans a linked item."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import httpx
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.config import Settings
from bot.credentials import SecretBox
from bot.domain.decisions import Role
from bot.domain.items import Kind
from bot.domain.tracker_connections import TrackerCredentials, TrackerKind
from bot.services.connect_tracker import ConnectRequest, connect_tracker
from bot.store.models import ItemChangeRow, ItemRow
from bot.store.unit_of_work import Store
from bot.trackers.factory import tracker_factory
from tests.conftest import bot_settings
from tests.fakes.github_api import FakeGitHub
from tests.fakes.slack_api import FakeSlack
from tests.support.bot_server import running_bot
from tests.support.eventually import quiet
from tests.support.items import add_item
from tests.support.slack_requests import SlackSender
from tests.support.voting import post_digest

SECRET_KEY = Fernet.generate_key().decode()
REPO = "acme/shop"
CHANNEL = "C111"
GITHUB_TOKEN = "github_pat_e2e_token"
LEAD = "ULEAD"
PM = "UPM"


@dataclass
class TrackerBot:
    url: str
    slack: SlackSender
    fake: FakeSlack
    github: FakeGitHub
    store: Store
    team_id: str
    settings: Settings
    http: httpx.AsyncClient

    @property
    def box(self) -> SecretBox:
        return SecretBox(self.settings.secret_keys)


def tracker_settings(
    database_url: str, fake_slack: FakeSlack, github: FakeGitHub, **changes: object
) -> Settings:
    base = replace(bot_settings(database_url, fake_slack), secret_keys=(SECRET_KEY,),
                   github_api_url=github.api_url)
    return replace(base, **changes)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def tracker_bot(
    settings: Settings, store: Store, fake_slack: FakeSlack, github: FakeGitHub, team_id: str
) -> AsyncIterator[TrackerBot]:
    fake_slack.team_id = team_id
    async with running_bot(settings, store) as url, httpx.AsyncClient(timeout=10) as http:
        sender = SlackSender(http, f"{url}/slack/events", fake_slack.response_url(), team_id)
        yield TrackerBot(url, sender, fake_slack, github, store, team_id, settings, http)


async def give_roles(store: Store, team_id: str, channel_id: str) -> None:
    now = datetime.now(UTC)
    async with store.unit_of_work() as uow:
        await uow.roles.assign(team_id, channel_id, LEAD, Role.LEAD, LEAD, now)
        await uow.roles.assign(team_id, channel_id, PM, Role.PM, LEAD, now)
        await uow.commit()


async def connect_github(
    bot: TrackerBot, channel_id: str, *, webhook_secret: str | None = None,
    labels: tuple[str, ...] = ("tech-debt", "debt"),
) -> int:
    """Connect the channel directly through the use case; the connection's id."""
    connected = await connect_tracker(
        bot.store, bot.box, tracker_factory(bot.settings),
        ConnectRequest(team_id=bot.team_id, channel_id=channel_id, kind=TrackerKind.GITHUB,
                       target=REPO, project=None, credentials=TrackerCredentials(GITHUB_TOKEN),
                       webhook_secret=webhook_secret, debt_labels=labels, by_user=LEAD),
        check_role=False,
    )
    return connected.connection.id


async def linked_item(bot: TrackerBot, tracker_ref: str) -> ItemRow:
    """The workspace's item linked to the issue `tracker_ref` (`acme/shop#1`, `SHOP-1`)."""
    async with bot.store.unit_of_work() as uow:
        row = await uow.session.scalar(select(ItemRow).where(
            ItemRow.team_id == bot.team_id, ItemRow.tracker_ref == tracker_ref))
    assert row is not None
    return row


async def item_history(bot: TrackerBot, row: ItemRow) -> list[str]:
    """The item's audit trail, oldest first, as `field:new value`."""
    async with bot.store.unit_of_work() as uow:
        rows = await uow.session.scalars(select(ItemChangeRow).where(
            ItemChangeRow.team_id == bot.team_id, ItemChangeRow.item_kind == row.kind,
            ItemChangeRow.item_number == row.number).order_by(ItemChangeRow.id))
        return [f"{r.field}:{r.new_value}" for r in rows]


async def plan_linked_debt(
    bot: TrackerBot, connect: Callable[[], Awaitable[int]], ref: str, url: str
) -> None:
    """D-1 "Flaky tests" (linked to the issue `ref` at `url`, on the connection `connect`
    makes) and F-1 "SSO" (not linked) are planned by the lead and the PM."""
    await bot.slack.command("/tradeoff", "capacity 7")
    await bot.slack.command("/tradeoff", "budget 30")
    debt = await add_item(bot.store, bot.team_id, Kind.DEBT, "Flaky tests", size="S",
                          urgency="high")
    await add_item(bot.store, bot.team_id, Kind.FEATURE, "SSO", size="M", votes=2)
    connection_id = await connect()
    async with bot.store.unit_of_work() as uow:
        item_id = await uow.item_links.item_id(bot.team_id, debt.ref)
        assert item_id is not None
        await uow.item_links.link(team_id=bot.team_id, connection_id=connection_id,
                                  item_id=item_id, ref=ref, url=url, now=datetime.now(UTC))
        await uow.commit()
    digest = await post_digest(bot)  # type: ignore[arg-type]
    for user in (LEAD, PM):
        payload = bot.slack.block_action("agree_pick", str(digest.run_id), digest.parent_ts,
                                         user_id=user)
        assert (await bot.slack.interaction(payload)).status_code == 200
        await quiet(bot.fake, "chat.update")
