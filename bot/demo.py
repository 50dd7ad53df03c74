"""`tradeoff demo`: a seeded embedded database and the side-by-side view, no Slack needed."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bot.domain.channel_settings import ChannelSettings
from bot.domain.decisions import DecidedItem
from bot.domain.digest import compose_digest
from bot.domain.items import Item, Kind, Status, make_draft
from bot.domain.scoring import score
from bot.domain.trends import DEFAULT_WEEKS, Trends
from bot.services.list_items import list_open_items
from bot.services.log_item import log_item
from bot.services.trends import channel_trends
from bot.store.digest_repository import RunStatus
from bot.store.unit_of_work import Store
from bot.terminal_view import render_digest

DEMO_TEAM = "TDEMO"
DEMO_CHANNEL = "CDEMO"
DEMO_CHANNEL_NAME = "#checkout-team"
DEFAULT_DEMO_DATABASE_URL = "sqlite:///./tradeoff-demo.db"


@dataclass(frozen=True)
class Sample:
    kind: Kind
    title: str
    impact: str
    size: str
    urgency: str
    area: str
    days_old: int
    votes: int
    interest: str | None = None


SAMPLES = [
    Sample(Kind.DEBT, "Flaky checkout integration tests",
           "CI reruns cost about 6 engineer-hours a week, and the noise hid two payment bugs "
           "that reached production last quarter.", "M", "high", "checkout", 23, 5, "6"),
    Sample(Kind.DEBT, "Upgrade PostgreSQL 11 to 16",
           "PostgreSQL 11 gets no security patches any more; the SOC 2 audit in March will "
           "list it as a finding, which stalls two enterprise renewals.", "L", "high", "platform",
           41, 4),
    Sample(Kind.DEBT, "Split the 4,000-line OrderService",
           "Every pricing change touches it; pricing features take three times longer to ship "
           "than work in any other area.", "XL", "medium", "orders", 90, 2, "10"),
    Sample(Kind.DEBT, "Retire the v1 REST API",
           "Two customers remain on it, and it keeps an auth library with a known CVE alive.",
           "M", "medium", "api", 12, 1),
    Sample(Kind.DEBT, "Request ids in billing worker logs",
           "Billing incidents take about two hours longer to diagnose without them.",
           "S", "low", "billing", 5, 0),
    Sample(Kind.FEATURE, "SSO with Okta for enterprise plans",
           "Blocks three enterprise deals worth $180k ARR; asked for in 14 sales calls this "
           "quarter.", "L", "high", "auth", 30, 6),
    Sample(Kind.FEATURE, "Bulk CSV import of contacts",
           "New teams spend their first day retyping contacts; 40% of trial churn happens in "
           "week one.", "M", "medium", "onboarding", 18, 3),
    Sample(Kind.FEATURE, "Dark mode",
           "Top request on the feedback board (312 votes), mostly from night-shift support "
           "agents.", "S", "low", "web app", 60, 2),
    Sample(Kind.FEATURE, "Slack alerts for overdue invoices",
           "Finance teams miss overdue invoices; would shorten days-sales-outstanding for about "
           "200 customers.", "S", "medium", "billing", 3, 1),
]


async def run_demo(store: Store, *, now: datetime | None = None) -> str:
    """Reseed the demo workspace and return the side-by-side view as text."""
    now = now or datetime.now(UTC)
    async with store.unit_of_work() as uow:
        await uow.decisions.purge_team(DEMO_TEAM)
        await uow.digests.purge_team(DEMO_TEAM)
        await uow.items.purge_team(DEMO_TEAM)
        await uow.commit()
    for sample in SAMPLES:
        await _log(store, sample, now)
    await _seed_decisions(store, now)
    items = await list_open_items(store, team_id=DEMO_TEAM, channel_id=DEMO_CHANNEL)
    digest = compose_digest(items, ChannelSettings(DEMO_TEAM, DEMO_CHANNEL), now)
    return render_digest(digest, channel=DEMO_CHANNEL_NAME)


async def _log(store: Store, sample: Sample, now: datetime) -> Item:
    draft = make_draft(
        sample.kind, sample.title, sample.impact,
        size=sample.size, urgency=sample.urgency, area=sample.area, interest=sample.interest,
    )
    item = await log_item(
        store, team_id=DEMO_TEAM, channel_id=DEMO_CHANNEL, author_id="UDEMO",
        draft=draft, now=now - timedelta(days=sample.days_old),
    )
    async with store.unit_of_work() as uow:
        voters = [f"UVOTER{n}" for n in range(sample.votes)]
        locked = await uow.items.lock(DEMO_TEAM, item.ref)
        if locked is not None:
            await uow.votes.add_votes(locked[0], voters, now)
        await uow.commit()
    return replace(item, votes=sample.votes)


# Three past weekly decisions, so the demo's trends chart has a history to show. Their items
# were planned then, so they are no longer open and the next pick cannot offer them again.
_PAST_DECISIONS = [
    (3, [
        Sample(Kind.DEBT, "Drop the legacy coupon tables",
               "Every promotion needs a manual migration script while both schemas live on.",
               "M", "medium", "orders", 40, 3),
        Sample(Kind.FEATURE, "Guest checkout without an account",
               "A third of abandoned carts stop at the sign-up step.", "S", "high", "checkout",
               35, 4),
    ]),
    (2, [
        Sample(Kind.FEATURE, "Apple Pay at checkout",
               "Mobile conversion is 20% below desktop; wallets close most of that gap.",
               "L", "high", "checkout", 30, 5),
    ]),
    (1, [
        Sample(Kind.DEBT, "Move API keys out of the repository",
               "Keys in git history fail the SOC 2 audit and cannot be rotated quietly.",
               "M", "high", "platform", 16, 4),
        Sample(Kind.FEATURE, "Order status emails",
               "'Where is my order?' is 30% of support tickets.", "M", "medium", "notifications",
               21, 2),
    ]),
]


async def _seed_decisions(store: Store, now: datetime) -> None:
    for weeks_ago, samples in _PAST_DECISIONS:
        when = now - timedelta(weeks=weeks_ago)
        logged = [await _log(store, sample, now) for sample in samples]
        async with store.unit_of_work() as uow:
            run = await uow.digests.claim(
                DEMO_TEAM, DEMO_CHANNEL, f"demo-{weeks_ago}", when, timedelta(0)
            )
            assert run is not None  # the demo workspace was purged above
            decided = []
            for item in logged:
                points = score(item)
                decided.append(DecidedItem(
                    item.ref, item.title, points.size_points, item.votes, points.value
                ))
                await uow.items.set_status(DEMO_TEAM, item.ref, Status.PLANNED, "UDEMOPM", when)
            await uow.decisions.record(
                team_id=DEMO_TEAM, channel_id=DEMO_CHANNEL, run_id=run.id, lead_id="UDEMOLEAD",
                pm_id="UDEMOPM", capacity=20, budget_pct=20, now=when, items=decided,
            )
            await uow.digests.finish(run.id, RunStatus.COMPLETE, when)
            await uow.commit()


async def demo_trends(store: Store, *, now: datetime | None = None) -> Trends:
    """The demo channel's last 12 weeks, for the sample chart."""
    return await channel_trends(
        store, team_id=DEMO_TEAM, channel_id=DEMO_CHANNEL, weeks=DEFAULT_WEEKS, now=now
    )
