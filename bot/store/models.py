"""ORM tables. The schema itself is owned by the Alembic migrations in `migrations/`."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, also on SQLite, which keeps no zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ItemRow(Base):
    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("team_id", "kind", "number", name="uq_items_team_kind_number"),
        Index("ix_items_team_channel_status", "team_id", "channel_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    impact: Mapped[str] = mapped_column(Text)
    size: Mapped[str | None] = mapped_column(String(4))
    urgency: Mapped[str | None] = mapped_column(String(16))
    area: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(32))
    interest: Mapped[float | None] = mapped_column(Float)
    merged_into: Mapped[str | None] = mapped_column(String(16))
    size_confidence: Mapped[str | None] = mapped_column(String(8))
    severity: Mapped[str | None] = mapped_column(String(16))  # bugs only
    affected_per_week: Mapped[float | None] = mapped_column(Float)  # bugs only
    # The tracker issue the item stands for (`owner/repo#12`, `PROJ-7`); `link` is its URL.
    tracker_ref: Mapped[str | None] = mapped_column(String(200))


class ItemCounterRow(Base):
    """The last number handed out per workspace and kind, so ids never repeat."""

    __tablename__ = "item_counters"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class ListingVersionRow(Base):
    """On SQLite, a value that changes with whatever a channel's `/tradeoff list` shows.

    Triggers on items and votes (migration 0011) draw a new random value on each such write,
    so one value never stands for two different lists, even after a restore from a backup.
    PostgreSQL keeps no rows here: it hashes the list's contents instead, since many voters at
    once would queue on one row per channel.
    """

    __tablename__ = "listing_versions"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


class VoteRow(Base):
    """One user's vote for one item; the unique key makes a second vote impossible."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("item_id", "user_id", name="uq_votes_item_user"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ChannelSettingsRow(Base):
    """One row per channel that changed a setting; absent means every default."""

    __tablename__ = "channel_settings"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    digest_weekday: Mapped[int | None] = mapped_column(Integer)
    digest_time: Mapped[str | None] = mapped_column(String(5))
    timezone: Mapped[str | None] = mapped_column(String(64))
    quiet: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    paused_reason: Mapped[str | None] = mapped_column(Text)
    budget_pct: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    replies_per_kind: Mapped[int] = mapped_column(Integer)
    votes_hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Hours after a digest before leads and PMs who did not agree are reminded; 0 is off.
    remind_hours: Mapped[int] = mapped_column(Integer, default=48, server_default=text("48"))
    # Who may vote: NULL everyone, `members`, or `S123|handle` for a user group.
    voters: Mapped[str | None] = mapped_column(String(120))
    voting_hours: Mapped[int | None] = mapped_column(Integer)  # NULL: open until the decision
    canvas_on: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    canvas_id: Mapped[str | None] = mapped_column(String(32))
    catch_up_cycles: Mapped[int | None] = mapped_column(Integer)  # NULL: catch-up is off
    # When the current slot was set: slots before it were never due.
    schedule_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DigestRunRow(Base):
    """One digest of one channel for one slot; the unique key is what makes it post once."""

    __tablename__ = "digest_runs"
    __table_args__ = (
        UniqueConstraint("team_id", "channel_id", "slot_key", name="uq_digest_runs_slot"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    slot_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    parent_ts: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DigestReminderRow(Base):
    """One reminder to one person for one digest, claimed before it is sent: the unique key is
    what makes it go out once across processes. `outcome` is `sent` or Slack's error."""

    __tablename__ = "digest_reminders"
    __table_args__ = (
        UniqueConstraint("run_id", "user_id", "round", name="uq_digest_reminders_run_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("digest_runs.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    round: Mapped[int] = mapped_column(Integer)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(64))


class DigestMessageRow(Base):
    """A thread reply of a digest for one item; its ts is what reactions will point at."""

    __tablename__ = "digest_messages"
    __table_args__ = (
        UniqueConstraint("run_id", "item_kind", "item_number", name="uq_digest_messages_run_item"),
        ForeignKeyConstraint(
            ["team_id", "item_kind", "item_number"],
            ["items.team_id", "items.kind", "items.number"],
            name="fk_digest_messages_item_items",
            ondelete="CASCADE",
        ),
        Index("ix_digest_messages_channel_ts", "channel_id", "message_ts"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("digest_runs.id", ondelete="CASCADE"))
    team_id: Mapped[str] = mapped_column(String(32))
    item_kind: Mapped[str] = mapped_column(String(16))
    item_number: Mapped[int] = mapped_column(Integer)
    channel_id: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer)
    message_ts: Mapped[str | None] = mapped_column(String(32))
    # False for items shown in the parent's columns that get no reply of their own.
    in_thread: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class ProcessedEventRow(Base):
    """Events API deliveries already handled; Slack retries reuse the event_id."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class VoteReactionRow(Base):
    """The latest known state of one user's reaction on one digest reply.

    Kept per reaction name (`+1`, `+1::skin-tone-3`, `thumbsup`…) with the event's ts, so a
    removal that overtakes its addition cannot resurrect a vote, and removing one of two
    thumbs keeps the vote.
    """

    __tablename__ = "vote_reactions"
    __table_args__ = (
        UniqueConstraint(
            "team_id", "channel_id", "message_ts", "user_id", "reaction",
            name="uq_vote_reactions_message_user_reaction",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    reaction: Mapped[str] = mapped_column(String(100))
    present: Mapped[bool] = mapped_column(Boolean)
    event_ts: Mapped[str] = mapped_column(String(32))


class ChannelRoleRow(Base):
    __tablename__ = "channel_roles"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    assigned_by: Mapped[str] = mapped_column(String(32))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DecisionAgreementRow(Base):
    """A lead's or a PM's "Agree" on a digest's pick; `plan_refs` is the pick they saw."""

    __tablename__ = "decision_agreements"
    __table_args__ = (UniqueConstraint("run_id", "role", name="uq_decision_agreements_run_role"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("digest_runs.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(32))
    plan_refs: Mapped[str] = mapped_column(Text)
    agreed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DecisionRow(Base):
    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("run_id", name="uq_decisions_run_id"),
        # "Decision 3" of a channel is one decision.
        Index("uq_decisions_channel_number", "team_id", "channel_id", "number", unique=True),
        Index("ix_decisions_team_channel", "team_id", "channel_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    run_id: Mapped[int] = mapped_column(ForeignKey("digest_runs.id"))
    lead_id: Mapped[str] = mapped_column(String(32))
    pm_id: Mapped[str] = mapped_column(String(32))
    capacity: Mapped[int] = mapped_column(Integer)
    budget_pct: Mapped[int] = mapped_column(Integer)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    number: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    rationale: Mapped[str | None] = mapped_column(Text)
    rationale_by: Mapped[str | None] = mapped_column(String(32))
    rationale_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    post_ts: Mapped[str | None] = mapped_column(String(32))  # the thread post, to redraw it


class DecisionAlternativeRow(Base):
    """A best-ranked item the decision passed over, and why it was not picked."""

    __tablename__ = "decision_alternatives"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("decisions.id", ondelete="CASCADE"), index=True
    )
    item_kind: Mapped[str] = mapped_column(String(16))
    item_number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)  # None: it was unsized
    reason: Mapped[str] = mapped_column(String(16))


class DecisionItemRow(Base):
    """An item as it stood when it was decided: its size, votes and score at that moment."""

    __tablename__ = "decision_items"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("decisions.id", ondelete="CASCADE"), index=True
    )
    item_kind: Mapped[str] = mapped_column(String(16))
    item_number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    size_points: Mapped[int] = mapped_column(Integer)
    votes: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)


class ItemChangeRow(Base):
    """One change to one field of an item: who, when, from what, to what."""

    __tablename__ = "item_changes"
    __table_args__ = (Index("ix_item_changes_item", "team_id", "item_kind", "item_number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    item_kind: Mapped[str] = mapped_column(String(16))
    item_number: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WorkspaceUninstallRow(Base):
    """A workspace that removed the app: its data is purged once this is 30 days old."""

    __tablename__ = "workspace_uninstalls"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    uninstalled_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TrackerConnectionRow(Base):
    """A channel's connection to GitHub or Jira; secrets only as Fernet tokens."""

    __tablename__ = "tracker_connections"
    __table_args__ = (
        UniqueConstraint("team_id", "channel_id", "kind", name="uq_tracker_connections_channel"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(Text)  # owner/repo, or the Jira site URL
    project: Mapped[str | None] = mapped_column(String(64))
    credentials: Mapped[str] = mapped_column(Text)  # encrypted JSON
    webhook_secret: Mapped[str | None] = mapped_column(Text)  # encrypted
    debt_labels: Mapped[str] = mapped_column(Text)  # comma-separated
    state: Mapped[str] = mapped_column(String(16))
    paused_reason: Mapped[str | None] = mapped_column(Text)
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    poll_cursor: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Who polls next: one process at a time, whichever takes the lease.
    poll_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ItemLinkRow(Base):
    """An item and the tracker issue it stands for; one issue per connection, one per item."""

    __tablename__ = "item_links"
    __table_args__ = (
        UniqueConstraint("connection_id", "ref", name="uq_item_links_connection_ref"),
        UniqueConstraint("item_id", name="uq_item_links_item_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("tracker_connections.id", ondelete="CASCADE")
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(Text)
    # The updated_at we last applied, so an overlapping poll applies it once.
    seen_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TrackerWritebackRow(Base):
    """A planned item whose issue still owes the decision's label and comment (the outbox)."""

    __tablename__ = "tracker_writebacks"
    __table_args__ = (
        UniqueConstraint("decision_id", "item_link_id", name="uq_tracker_writebacks_decision"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"))
    item_link_id: Mapped[int] = mapped_column(
        ForeignKey("item_links.id", ondelete="CASCADE"), index=True
    )
    done: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TrackerDeliveryRow(Base):
    """Webhook deliveries already taken (X-GitHub-Delivery); GitHub redelivers with the same id."""

    __tablename__ = "tracker_deliveries"

    delivery_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
